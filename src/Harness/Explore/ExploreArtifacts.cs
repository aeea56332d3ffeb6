// ExploreArtifacts: turns an explorer failure into the harness's one repro-artifact format
// (engine "explore", payload kind "schedule", data = the schedule token) and back.
using System.Globalization;
using Harness.Artifacts;
using Harness.Explore.Scenarios;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Explore;

public static class ExploreArtifacts
{
    public const string Engine = "explore";
    public const string PayloadKind = "schedule";

    public static ReproArtifact Build(IScenario scenario, ExploreRun run, FailureReport f)
    {
        string token = f.MinimizedToken ?? f.Token;
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["strategy"] = run.Strategy,
            ["strategy-state"] = f.StrategyDescription,
            ["iteration"] = f.Iteration.ToString(CultureInfo.InvariantCulture),
            ["backends"] = f.Config.Backends.ToString(CultureInfo.InvariantCulture),
            ["ops"] = f.Config.Ops.ToString(CultureInfo.InvariantCulture),
            ["mix"] = f.Config.MixSeed.ToString(CultureInfo.InvariantCulture),
            ["spin"] = run.Engine.SpinMode.ToString(),
            ["max-steps"] = run.Engine.MaxSteps.ToString(CultureInfo.InvariantCulture),
            ["swarm"] = run.Swarm ? "true" : "false",
            ["preemptions"] = (f.MinimizedToken is null ? f.Preemptions : f.MinimizedPreemptions).ToString(CultureInfo.InvariantCulture),
            ["original-token"] = f.Token,
        };
        var outcome = new ArtifactOutcome(f.Failure.Kind, f.Failure.Step, $"{f.Failure.Signature}: {FirstLine(f.Failure.Message)}");
        var payload = new ArtifactPayload(PayloadKind, token, f.MinimizedTrace ?? f.Trace);
        return new ReproArtifact(Engine, scenario.Name, run.Seed, config, outcome, payload);
    }

    public static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return nl < 0 ? s : s[..nl];
    }
}
