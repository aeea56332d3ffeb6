// CoyoteReplayer: `harness repro ARTIFACT` for Coyote artifacts. Resolves the scenario, rebuilds
// the configuration and options the run used, replays Coyote's schedule trace in-process under
// Coyote's replay strategy (one iteration), prints our readable step trace and compares the outcome
// with the recorded one (same kind and site; the step is printed so a changed step shows).
using Harness.Artifacts;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Explore.Coyote;

public sealed class CoyoteReplayer : IArtifactReplayer
{
    public string Engine => CoyoteArtifacts.Engine;

    public ReplayResult Replay(ReproArtifact artifact, SystemRegistry systems, TextWriter trace)
    {
        if (artifact.Payload.Kind != CoyoteArtifacts.PayloadKind)
            throw new ArtifactFormatException($"coyote artifact payload kind is '{artifact.Payload.Kind}', expected '{CoyoteArtifacts.PayloadKind}'");
        (_, IScenario scenario) = ScenarioSet.Resolve(systems, artifact.Target);
        (ScenarioConfig config, ExploreOptions options) = CoyoteArtifacts.ReadConfig(artifact);
        CoyoteReplay r = CoyoteEngine.Replay(scenario, config, options, artifact.Payload.Data);
        trace.WriteLine($"replay (coyote): scenario={artifact.Target} {config} spin={options.SpinMode} liveness={options.Liveness} recorded-step={artifact.Outcome.Step}");
        foreach (string line in TraceFormatter.Format(r.Trace, r.NameOf)) trace.WriteLine(line);
        trace.WriteLine(r.Failure is not null ? $"outcome: {r.Failure}" : $"outcome: completed after {r.Steps} steps");
        Outcome o = r.Failure?.ToOutcome() ?? Outcome.Ok with { Step = r.Steps };
        string reason = r.Failure is null ? $"completed after {r.Steps} steps" : $"{r.Failure.Signature} at step {r.Failure.Step}: {ExplorationFailure.FirstLine(r.Failure.Message)}";
        return ReplayResult.Compare(artifact.Outcome, o, reason);
    }
}
