// FuzzGateSuite: the fuzzer's part of `harness gate`: a fixed-seed, fixed-count burst per target
// on the correct port (any finding fails the gate), the canary (the planted bug must be found
// within its budget), and the replay of every committed corpus input and regression artifact.
using System.Diagnostics;
using Allocator.Common;
using Harness.Fuzz;
using Harness.Fuzz.Engine;

namespace Harness.Gate;

public sealed class FuzzGateSuite : IGateSuite
{
    /// <summary>Executions per target at scale 1: about 15 s on the 2-core CI machine with two
    /// workers (the allocator target, uninstrumented, runs ~23,000 exec/s there).</summary>
    public const long BurstExecs = 300_000;

    /// <summary>Workers of the burst: both CI cores. The burst runs on the targets' own features,
    /// which do not depend on execution history, so it finds exactly what one worker finds with the
    /// same seed and count (ParallelEngineTests pins that), in about two thirds of the time.</summary>
    public const int BurstWorkers = 2;

    public string Name => "fuzz";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        string corpusRoot = Path.Combine(options.RepoRoot, "fuzz", "corpus");
        for (int i = 0; i < FuzzTargets.Names.Count; i++)
        {
            string name = FuzzTargets.Names[i];
            ulong seed = Prng.Derive(options.Seed, (ulong)i);
            long execs = BurstExecs * options.Scale;
            var sw = Stopwatch.StartNew();
            string corpus = Path.Combine(corpusRoot, name);
            var engineOptions = new FuzzEngineOptions
            {
                Seed = seed,
                Execs = execs,
                StatusEvery = execs,
                CorpusDirs = Directory.Exists(corpus) ? [corpus] : [],
                OutDir = Path.Combine(options.ArtifactDir, "fuzz", name),
                TargetConfig = FuzzTargetConfig.Default.ToDictionary(),
                Workers = BurstWorkers,
            };
            var workers = FuzzWorkerSetup.Factory(() => FuzzTargets.Create(name, FuzzTargetConfig.Default), includeIlMap: false);
            FuzzRunResult r = new FuzzEngine(workers, engineOptions, log).Run();
            string summary = $"{r.Execs} execs, corpus {r.Corpus.Count}, features {r.Features}, findings {r.Findings.Count}"
                + string.Concat(r.Findings.Select(f => $"; {f.Signature} at op {f.Outcome.OpIndex}: {f.Outcome.Reason}"));
            string? repro = r.Findings.FirstOrDefault()?.ArtifactPath is string p ? $"harness repro {p}" : null;
            results.Add(new GateResult(Name, $"burst-{name}", r.Findings.Count == 0, summary,
                repro ?? $"harness fuzz {name} --seed {seed} --execs {execs} --workers {BurstWorkers} --no-instrument", sw.Elapsed.TotalSeconds));
        }

        var cw = Stopwatch.StartNew();
        ulong canarySeed = 1;
        FuzzRunResult planted = CanaryRun.Fuzz("allocator", CanaryRun.DefaultCanary, canarySeed, CanaryRun.DefaultExecs,
            Path.Combine(options.ArtifactDir, "fuzz", "canary"), TextWriter.Null);
        results.Add(new GateResult(Name, "canary-" + CanaryRun.DefaultCanary, planted.Findings.Count > 0,
            planted.Findings.Count > 0
                ? $"planted bug found in {CanaryRun.DefaultExecs} execs: {string.Join("; ", planted.Findings.Select(f => f.Signature))}"
                : $"planted bug NOT found in {CanaryRun.DefaultExecs} execs: the fuzzer lost its teeth",
            $"harness fuzz allocator --canary {CanaryRun.DefaultCanary} --seed {canarySeed} --execs {CanaryRun.DefaultExecs} --no-instrument",
            cw.Elapsed.TotalSeconds));

        var rw = Stopwatch.StartNew();
        var replays = RegressionReplay.Corpus(options.RepoRoot).Concat(RegressionReplay.Artifacts(options.RepoRoot)).ToList();
        var bad = replays.Where(x => !x.Passed).ToList();
        results.Add(new GateResult(Name, "replay", bad.Count == 0,
            bad.Count == 0 ? $"{replays.Count} corpus inputs and regression artifacts behave as recorded"
                : $"{bad.Count} of {replays.Count} misbehave: " + string.Join("; ", bad.Take(5).Select(b => $"{b.Path}: {b.Detail}")),
            bad.Count == 0 ? null : $"harness show {bad[0].Path} --run", rw.Elapsed.TotalSeconds));
        return results;
    }
}
