// CanaryRun: the fuzzer's self-test: with a planted bug switched on, a fixed-seed, fixed-count run
// must find a failure that the correct port does not produce, and with the same budget the correct
// port must produce no finding at all. Shared by the tests and the gate suite so both check the
// same thing.
namespace Harness.Fuzz.Engine;

public sealed record CanaryReport(FuzzRunResult Planted, FuzzRunResult Correct, IReadOnlyList<Finding> CanaryOnly);

public static class CanaryRun
{
    public static FuzzRunResult Fuzz(FuzzTargetDef target, string canary, ulong seed, long execs, string? outDir, TextWriter log, bool stopAtFirstFinding = false)
    {
        var config = FuzzTargetConfig.Default with { Canary = canary };
        IFuzzTarget t = target.Create(config);
        var options = new FuzzEngineOptions
        {
            Seed = seed,
            Execs = execs,
            OutDir = outDir,
            StatusEvery = long.MaxValue,
            TargetConfig = config.ToDictionary(),
            StopAtFirstFinding = stopAtFirstFinding,
        };
        return new FuzzEngine(t, FuzzEngine.SourcesFor(t, includeIlMap: false), options, log).Run();
    }

    public static CanaryReport Run(FuzzTargetDef target, string canary, ulong seed, long execs, string? outDir, TextWriter log)
    {
        FuzzRunResult planted = Fuzz(target, canary, seed, execs, outDir is null ? null : Path.Combine(outDir, "canary"), log);
        FuzzRunResult correct = Fuzz(target, "None", seed, execs, outDir is null ? null : Path.Combine(outDir, "correct"), log);
        var correctSignatures = correct.Findings.Select(f => f.Signature).ToHashSet(StringComparer.Ordinal);
        return new CanaryReport(planted, correct, planted.Findings.Where(f => !correctSignatures.Contains(f.Signature)).ToList());
    }
}
