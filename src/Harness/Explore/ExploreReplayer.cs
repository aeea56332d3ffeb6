// ExploreReplayer: `harness repro ARTIFACT` for explorer artifacts. Decodes the schedule token,
// replays it strictly (every decision as recorded, every step validated against the recorded
// kind and object, stopping at the first divergent step and naming it), prints the readable trace
// and reports whether the recorded failure class happened again.
using Harness.Artifacts;
using Harness.Cli;
using Harness.Explore.Scenarios;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Explore;

public sealed class ExploreReplayer : IArtifactReplayer
{
    public string Engine => ExploreArtifacts.Engine;

    public ReplayResult Replay(ReproArtifact artifact, TextWriter trace)
    {
        if (artifact.Payload.Kind != ExploreArtifacts.PayloadKind)
            throw new InputException($"explore artifact payload kind is '{artifact.Payload.Kind}', expected '{ExploreArtifacts.PayloadKind}'");
        ScheduleToken token;
        try
        {
            token = ScheduleToken.Decode(artifact.Payload.Data);
        }
        catch (FormatException e)
        {
            throw new InputException($"explore artifact: {e.Message}");
        }
        IterationResult r = ReplayToken(token, trace);
        string cls = r.Failure?.Kind ?? "ok";
        bool reproduced = cls == artifact.Outcome.Class;
        return new ReplayResult(reproduced, cls, r.Failure?.Step ?? r.Steps, r.Failure is null ? $"completed after {r.Steps} steps" : $"{r.Failure.Signature}: {ExploreArtifacts.FirstLine(r.Failure.Message)}");
    }

    /// <summary>Replays a token and writes its trace; shared with `harness explore --replay`.</summary>
    public static IterationResult ReplayToken(ScheduleToken token, TextWriter trace)
    {
        IScenario scenario = ScenarioRegistry.Find(token.Scenario)
            ?? throw new InputException($"the schedule is for scenario '{token.Scenario}', which this harness does not have");
        using var explorer = new Explorer();
        IterationResult r = explorer.Replay(scenario, token);
        trace.WriteLine($"replay: scenario={token.Scenario} {token.Config} spin={token.Options.SpinMode} decisions={token.Decisions.Length} recorded-steps={token.Trace.Steps}");
        foreach (string line in TraceFormatter.Format(explorer.Engine.Trace, explorer.Engine.NameOf)) trace.WriteLine(line);
        if (r.Failure is not null) trace.WriteLine($"outcome: {r.Failure}");
        else trace.WriteLine($"outcome: completed after {r.Steps} steps");
        return r;
    }
}
