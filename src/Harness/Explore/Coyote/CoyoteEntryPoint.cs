// CoyoteEntryPoint: the test method Coyote's own command-line tool loads, so that a trace found by
// the harness also replays under `coyote replay` (the exact command: CoyoteArtifacts.CoyoteReplayCommand).
// Coyote's CLI can only call a parameterless static method, so the scenario and its configuration
// come from the repro artifact named by the HARNESS_COYOTE_ARTIFACT environment variable; the
// method then runs one iteration through the same CoyoteScenarioHost as the in-process engine.
// The host is built once per process (Coyote calls the method once per iteration).
using Harness.Artifacts;
using Harness.Core;
using Harness.Explore.Scenarios;
using Microsoft.Coyote.SystematicTesting;

namespace Harness.Explore.Coyote;

public static class CoyoteEntryPoint
{
    private static CoyoteScenarioHost? s_host;

    [Test]
    public static void Replay()
    {
        if (s_host is null)
        {
            string path = Environment.GetEnvironmentVariable(CoyoteArtifacts.ArtifactVariable)
                ?? throw new InvalidOperationException($"set {CoyoteArtifacts.ArtifactVariable} to the harness repro artifact whose trace is being replayed");
            ReproArtifact artifact = ReproArtifact.Load(path);
            (_, IScenario scenario) = ScenarioSet.Resolve(SystemRegistry.Default, artifact.Target);
            (ScenarioConfig config, ExploreOptions options) = CoyoteArtifacts.ReadConfig(artifact);
            s_host = new CoyoteScenarioHost(scenario, config, options);
            Console.WriteLine($"harness: replaying {artifact.Target} {config} spin={options.SpinMode} liveness={options.Liveness}; recorded outcome {artifact.Outcome.Signature} at step {artifact.Outcome.Step}");
        }
        try
        {
            s_host.Test();
        }
        finally
        {
            ExplorationFailure? f = s_host.Set.Failure;
            Console.WriteLine(f is not null ? $"harness: {f.Signature} at step {f.Step}" : $"harness: {s_host.Set.Trace.Steps} steps");
        }
    }
}
