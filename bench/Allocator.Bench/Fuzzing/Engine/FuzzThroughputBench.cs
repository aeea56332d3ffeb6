// FuzzThroughputBench: executions per second of the in-process fuzzer on the allocator target,
// for 64-operation inputs with the model compared after every operation (RunnerOptions default
// VerifyEvery = 1). Execute measures one target execution on a fixed set of 64-op inputs; EngineLoop
// measures the whole engine (mutation, execution, coverage novelty) for a fixed exec count.
// WalkEvery: the check walkers after every operation (1) or the target's default (every 8th, and at
// the end).
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*FuzzThroughput*'
using BenchmarkDotNet.Attributes;
using Harness.Determinism;
using Harness.Fuzzing;
using Harness.Fuzzing.AllocatorTarget;
using Harness.Fuzzing.Engine;

namespace Allocator.Bench.Fuzzing.Engine;

[MemoryDiagnoser]
public class FuzzThroughputBench
{
    private const int Inputs = 64;
    private readonly List<byte[]> _inputs = new();
    private AllocatorFuzzTarget _target = null!;

    [Params(1, AllocatorFuzzTarget.DefaultWalkEvery)]
    public int WalkEvery { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _target = new AllocatorFuzzTarget(FuzzTargetConfig.Default, WalkEvery);
        var rng = new Prng(2026);
        // Random bytes decode to at most 64 ops; keep only inputs that decode to exactly 64 and run ok.
        while (_inputs.Count < Inputs)
        {
            var bytes = new byte[600];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.NextU32();
            bytes[0] = 0;
            if (_target.Decode(bytes).Ops.Count == 64 && !_target.Execute(bytes).IsFailure) _inputs.Add(bytes);
        }
    }

    /// <summary>One benchmark op = 64 executions of 64-op inputs.</summary>
    [Benchmark(OperationsPerInvoke = Inputs)]
    public int Execute()
    {
        int failures = 0;
        foreach (byte[] input in _inputs)
            if (_target.Execute(input).IsFailure) failures++;
        return failures;
    }

    /// <summary>The whole engine loop, 2000 execs from an empty corpus.</summary>
    [Benchmark(OperationsPerInvoke = 2000)]
    public int EngineLoop()
    {
        var target = new AllocatorFuzzTarget(FuzzTargetConfig.Default, WalkEvery);
        var options = new FuzzEngineOptions { Seed = 1, Execs = 2000, StatusEvery = long.MaxValue };
        return new FuzzEngine(target, FuzzEngine.SourcesFor(target, includeIlMap: false), options, TextWriter.Null).Run().Corpus.Count;
    }
}
