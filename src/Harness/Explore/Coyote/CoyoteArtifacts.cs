// CoyoteArtifacts: a failing Coyote run as the harness's one repro artifact (engine "coyote",
// payload kind "coyote-trace", data = Coyote's reproducible schedule trace, readable = our step
// trace), the options it needs to replay (scenario configuration, spin mode, step bound, liveness),
// and the companion file that Coyote's own `coyote replay` takes (the bare trace JSON, written next
// to the artifact as NAME.trace: the CLI insists on that extension).
using System.Globalization;
using Harness.Artifacts;
using Harness.Explore.Scenarios;

namespace Harness.Explore.Coyote;

public static class CoyoteArtifacts
{
    public const string Engine = CoyoteEngine.Name;
    public const string PayloadKind = "coyote-trace";

    /// <summary>The environment variable through which CoyoteEntryPoint learns which artifact `coyote replay` replays.</summary>
    public const string ArtifactVariable = "HARNESS_COYOTE_ARTIFACT";

    /// <param name="scenario">The scenario's qualified name, the artifact's target.</param>
    public static ReproArtifact Build(string scenario, ExploreRun run, ExploreOptions options, FailureReport f)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["strategy"] = CoyoteStrategies.Canonical(run.Strategy),
            ["strategy-value"] = CoyoteEngine.StrategyValue(run).ToString(CultureInfo.InvariantCulture),
            ["coyote-seed"] = CoyoteStrategies.SeedOf(run.Seed).ToString(CultureInfo.InvariantCulture),
            ["iteration"] = f.Iteration.ToString(CultureInfo.InvariantCulture),
            ["backends"] = f.Config.Backends.ToString(CultureInfo.InvariantCulture),
            ["ops"] = f.Config.Ops.ToString(CultureInfo.InvariantCulture),
            ["mix"] = f.Config.MixSeed.ToString(CultureInfo.InvariantCulture),
            ["spin"] = options.SpinMode.ToString(),
            ["max-steps"] = options.MaxSteps.ToString(CultureInfo.InvariantCulture),
            ["on-max-steps"] = options.StepBoundPolicy.ToString(),
            ["liveness"] = options.Liveness ? "true" : "false",
            ["liveness-threshold"] = options.LivenessThreshold.ToString(CultureInfo.InvariantCulture),
        };
        var outcome = ArtifactOutcome.Of(f.Failure.ToOutcome());
        return new ReproArtifact(Engine, scenario, run.Seed, config, outcome, new ArtifactPayload(PayloadKind, f.Token, f.Trace));
    }

    /// <summary>Saves the artifact and the bare trace for `coyote replay`; returns the trace file's path.</summary>
    public static string Save(ReproArtifact artifact, string path)
    {
        artifact.Save(path);
        string trace = TracePath(path);
        File.WriteAllText(trace, artifact.Payload.Data);
        return trace;
    }

    public static string TracePath(string artifactPath) =>
        Path.Combine(Path.GetDirectoryName(artifactPath) ?? "", Path.GetFileNameWithoutExtension(artifactPath) + ".trace");

    /// <summary>The exact command that replays the artifact under Coyote's own CLI.</summary>
    public static string CoyoteReplayCommand(string artifactPath, string harnessDll) =>
        $"COYOTE_CLI_TELEMETRY_OPTOUT=1 {ArtifactVariable}={artifactPath} dotnet tool run coyote replay {harnessDll} {TracePath(artifactPath)} -m {typeof(CoyoteEntryPoint).FullName}.{nameof(CoyoteEntryPoint.Replay)}";

    public static (ScenarioConfig Config, ExploreOptions Options) ReadConfig(ReproArtifact a)
    {
        int I(string k) => int.Parse(Get(a, k), CultureInfo.InvariantCulture);
        var config = new ScenarioConfig(I("backends"), I("ops"), ulong.Parse(Get(a, "mix"), CultureInfo.InvariantCulture));
        var options = new ExploreOptions
        {
            SpinMode = Enum.Parse<SpinMode>(Get(a, "spin")),
            MaxSteps = I("max-steps"),
            StepBoundPolicy = Enum.Parse<StepBoundPolicy>(Get(a, "on-max-steps")),
            Liveness = Get(a, "liveness") == "true",
            LivenessThreshold = I("liveness-threshold"),
        };
        return (config, options);
    }

    private static string Get(ReproArtifact a, string key) =>
        a.Config.TryGetValue(key, out string? v) ? v : throw new ArtifactFormatException($"coyote artifact has no config '{key}'");
}
