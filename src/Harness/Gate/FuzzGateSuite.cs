// FuzzGateSuite: the fuzzer's part of `harness gate`: for every registered fuzz target, a
// fixed-seed burst of the count the target states on the correct port (any finding fails the gate) and, when the
// target names one, its gate canary (the planted bug must be found within its budget). The replay
// of the committed corpus and regression artifacts is the replay suite's (ReplayGateSuite), first.
using System.Diagnostics;
using Allocator.Common;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Gate;

public sealed class FuzzGateSuite : IGateSuite
{
    /// <summary>Workers of the burst: both CI cores. The burst runs on the targets' own features,
    /// which do not depend on execution history, so it finds exactly what one worker finds with the
    /// same seed and count (ParallelEngineTests pins that), in about two thirds of the time.</summary>
    public const int BurstWorkers = 2;

    public string Name => "fuzz";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        foreach (FuzzTargetDef def in FuzzTargets.All(options.Gated))
        {
            if (options.Owns(Name, BurstName(def))) results.Add(Burst(def, options, log));
            if (def.GateCanary is { } canary && options.Owns(Name, CanaryName(def, canary))) results.Add(Canary(def, canary, options));
        }
        return results;
    }

    private static string BurstName(FuzzTargetDef def) => $"burst-{def.Name}";

    private static string CanaryName(FuzzTargetDef def, FuzzGateCanary canary) => $"canary-{def.Name}-{canary.Canary}";

    private GateResult Burst(FuzzTargetDef def, GateOptions options, TextWriter log)
    {
        // Seeds are derived per target name, so adding a target changes no other target's seed.
        ulong seed = Prng.Derive(options.Seed, StableName.Hash(def.Name));
        long execs = def.GateBurstExecs * options.Scale;
        var sw = WallClock.StartNew();
        string corpus = def.CorpusPath(options.RepoRoot);
        var engineOptions = new FuzzEngineOptions
        {
            Seed = seed,
            Execs = execs,
            StatusEvery = execs,
            CorpusDirs = Directory.Exists(corpus) ? [corpus] : [],
            OutDir = Path.Combine(options.ArtifactDir, "fuzz", def.Name),
            TargetConfig = FuzzTargetConfig.Default.ToDictionary(),
            Workers = BurstWorkers,
        };
        var workers = FuzzWorkerSetup.Factory(() => def.Create(FuzzTargetConfig.Default), includeIlMap: false);
        FuzzRunResult r = new FuzzEngine(workers, engineOptions, log).Run();
        string summary = $"{r.Execs} execs, corpus {r.Corpus.Count}, features {r.Features}, findings {r.Findings.Count}"
            + string.Concat(r.Findings.Select(f => $"; {f.Signature} at op {f.Outcome.Step}: {f.Outcome.Reason}"));
        string? repro = r.Findings.FirstOrDefault()?.ArtifactPath is string p ? $"harness repro {p}" : null;
        return new GateResult(Name, BurstName(def), r.Findings.Count == 0, summary,
            repro ?? $"harness fuzz {def.Name} --seed {seed} --execs {execs} --workers {BurstWorkers} --no-instrument", sw.Elapsed.TotalSeconds).WithReach(r.Reach);
    }

    private GateResult Canary(FuzzTargetDef def, FuzzGateCanary canary, GateOptions options)
    {
        var sw = WallClock.StartNew();
        FuzzRunResult planted = CanaryRun.Fuzz(def, canary.Canary, canary.Seed, canary.Execs,
            Path.Combine(options.ArtifactDir, "fuzz", "canary", def.Name), TextWriter.Null);
        return new GateResult(Name, CanaryName(def, canary), planted.Findings.Count > 0,
            planted.Findings.Count > 0
                ? $"planted bug found in {canary.Execs} execs: {string.Join("; ", planted.Findings.Select(f => f.Signature))}"
                : $"planted bug NOT found in {canary.Execs} execs: the fuzzer lost its teeth",
            $"harness fuzz {def.Name} --canary {canary.Canary} --seed {canary.Seed} --execs {canary.Execs} --no-instrument",
            sw.Elapsed.TotalSeconds);
    }
}
