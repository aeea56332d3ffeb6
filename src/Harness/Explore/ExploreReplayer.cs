// ExploreReplayer: `harness repro ARTIFACT` for explorer artifacts. Decodes the schedule token,
// finds the scenario in the system registry (by the artifact's target, qualified since format
// version 2, else by the token's bare name), replays it strictly (every decision as recorded,
// every step validated against the recorded kind and object, stopping at the first divergent step
// and naming it), prints the schedule as per-backend lanes (steps, holdings, notes) and compares the outcome with the recorded one.
using Harness.Artifacts;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Explore;

public sealed class ExploreReplayer : IArtifactReplayer
{
    public string Engine => ExploreArtifacts.Engine;

    public ReplayResult Replay(ReproArtifact artifact, SystemRegistry systems, TextWriter trace)
    {
        if (artifact.Payload.Kind != ExploreArtifacts.PayloadKind)
            throw new ArtifactFormatException($"explore artifact payload kind is '{artifact.Payload.Kind}', expected '{ExploreArtifacts.PayloadKind}'");
        ScheduleToken token = ScheduleToken.Decode(artifact.Payload.Data);
        (_, IScenario scenario) = ScenarioSet.Resolve(systems, artifact.Target);
        IterationResult r = ReplayToken(scenario, token, trace);
        Outcome o = r.Failure?.ToOutcome() ?? Outcome.Ok with { Step = r.Steps };
        return ReplayResult.Compare(artifact.Outcome, o, r.Failure is null ? $"completed after {r.Steps} steps" : $"{r.Failure.Signature}: {ExplorationFailure.FirstLine(r.Failure.Message)}");
    }

    /// <summary>Replays a token of <paramref name="scenario"/> and writes its trace; shared with `harness explore --replay`.</summary>
    public static IterationResult ReplayToken(IScenario scenario, ScheduleToken token, TextWriter trace)
    {
        if (token.Scenario != scenario.Name)
            throw new MalformedInputException($"the schedule is a schedule of '{token.Scenario}', not of '{scenario.Name}'");
        using var explorer = new Explorer();
        (IterationResult r, Lanes.LaneLog log) = explorer.ReplayWithLanes(scenario, token);
        trace.WriteLine($"replay: scenario={token.Scenario} {token.Config} spin={token.Options.SpinMode} decisions={token.Decisions.Length} recorded-steps={token.Trace.Steps}");
        foreach (string line in Lanes.LaneFormatter.Format(log)) trace.WriteLine(line);
        if (r.Failure is not null) trace.WriteLine($"outcome: {r.Failure}");
        else trace.WriteLine($"outcome: completed after {r.Steps} steps");
        return r;
    }
}
