// ExploreArtifacts: turns an explorer failure into the harness's one repro-artifact format
// (engine "explore", payload kind "schedule", data = the schedule token) and back.
using System.Globalization;
using Harness.Artifacts;

namespace Harness.Explore;

public static class ExploreArtifacts
{
    public const string Engine = "explore";
    public const string PayloadKind = "schedule";

    /// <param name="scenario">The scenario's qualified name ("locks/lwlock-shared-exclusive"), the artifact's target.</param>
    public static ReproArtifact Build(string scenario, ExploreRun run, FailureReport f)
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
        var outcome = ArtifactOutcome.Of(f.Failure.ToOutcome());
        var payload = new ArtifactPayload(PayloadKind, token, f.MinimizedTrace ?? f.Trace);
        return new ReproArtifact(Engine, scenario, run.Seed, config, outcome, payload);
    }
}
