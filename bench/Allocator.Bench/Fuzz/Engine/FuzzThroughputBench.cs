// FuzzThroughputBench: executions per second of the in-process fuzzer on the allocator target,
// for 64-operation inputs with the model compared after every operation (RunnerOptions default
// VerifyEvery = 1). Execute measures one target execution on a fixed set of 64-op inputs;
// ExecuteTwoWorkers runs the same 64 inputs on both cores through the engine's own WorkerGang (a
// target per worker, input j on worker j mod 2, one barrier phase per batch of 64); EngineLoop
// measures the whole engine (mutation, execution, coverage novelty) for a fixed exec count, with
// one worker and with two (EngineLoopTwoWorkers: both cores, same seed and count; the allocator's
// own features do not depend on history, so both variants do exactly the same executions).
// WalkEvery: the check walkers after every operation (1) or the target's default (every 8th, and at
// the end).
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*FuzzThroughput*'
using Allocator.Common;
using BenchmarkDotNet.Attributes;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Fuzz;

namespace Allocator.Bench.Fuzz.Engine;

[MemoryDiagnoser]
public class FuzzThroughputBench
{
    private const int Inputs = 64;
    private readonly List<byte[]> _inputs = new();
    private AllocatorFuzzTarget _target = null!;
    private readonly AllocatorFuzzTarget[] _pair = new AllocatorFuzzTarget[2];
    private readonly int[] _pairFailures = new int[2];
    private WorkerGang? _gang;

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
        _pair[0] = _target;
        _pair[1] = new AllocatorFuzzTarget(FuzzTargetConfig.Default, WalkEvery);
        _gang = new WorkerGang(2);
    }

    [GlobalCleanup]
    public void Cleanup() => _gang?.Dispose();

    /// <summary>One benchmark op = 64 executions of 64-op inputs.</summary>
    [Benchmark(OperationsPerInvoke = Inputs)]
    public int Execute()
    {
        int failures = 0;
        foreach (byte[] input in _inputs)
            if (_target.Execute(input).IsFailure) failures++;
        return failures;
    }

    /// <summary>The same 64 executions on two threads, a target each (what `--workers 2` does per batch).</summary>
    [Benchmark(OperationsPerInvoke = Inputs)]
    public int ExecuteTwoWorkers()
    {
        _gang!.RunOnAll(w =>
        {
            int failures = 0;
            for (int j = w; j < _inputs.Count; j += 2)
                if (_pair[w].Execute(_inputs[j]).IsFailure) failures++;
            _pairFailures[w] = failures;
        });
        return _pairFailures[0] + _pairFailures[1];
    }

    /// <summary>The whole engine loop, 2000 execs from an empty corpus, one worker.</summary>
    [Benchmark(OperationsPerInvoke = 2000)]
    public int EngineLoop() => RunEngine(workers: 1);

    /// <summary>The same run on two workers (two threads, a target each).</summary>
    [Benchmark(OperationsPerInvoke = 2000)]
    public int EngineLoopTwoWorkers() => RunEngine(workers: 2);

    private int RunEngine(int workers)
    {
        var options = new FuzzEngineOptions { Seed = 1, Execs = 2000, StatusEvery = long.MaxValue, Workers = workers };
        int walkEvery = WalkEvery;
        var factory = FuzzWorkerSetup.Factory(() => new AllocatorFuzzTarget(FuzzTargetConfig.Default, walkEvery), includeIlMap: false);
        return new FuzzEngine(factory, options, TextWriter.Null).Run().Corpus.Count;
    }
}
