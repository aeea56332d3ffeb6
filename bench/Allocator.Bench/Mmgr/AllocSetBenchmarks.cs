// AllocSetBenchmarks: W1-W4 on the port (production and checking builds) and on NativeMemory, in
// one BenchmarkDotNet run so the ratios are against a baseline measured on the same machine at the
// same time. Each invocation is one whole timed pass of a workload (OperationsPerInvoke = the
// reference's op count), after BenchmarkDotNet's warm-up, matching the reference's method (one
// untimed pass, then timed passes; medians).
//
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*AllocSetBenchmarks*'
// The PostgreSQL C figures to compare with are in ../shared/reference/allocator-benchmark.md.
using Allocator.Mmgr;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Allocator.Bench.Mmgr;

[Config(typeof(PassConfig))]
public class AllocSetBenchmarks
{
    internal sealed class PassConfig : ManualConfig
    {
        public PassConfig()
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(5)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        }
    }

    /// <summary>"production", or "checking" (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY).</summary>
    [Params("production", "checking")]
    public string Build { get; set; } = "production";

    private PortAllocator _port;
    private readonly ulong[] _scratch = new ulong[Workloads.W2Batch];

    [GlobalSetup]
    public void Setup() =>
        // PostgreSQL's figures come from builds without USE_ASSERT_CHECKING, so the extra asserts are off here too.
        _port = new PortAllocator((Build == "checking" ? MemoryContextOptions.Checking : MemoryContextOptions.Production) with { AssertChecking = false });

    [Benchmark(OperationsPerInvoke = Workloads.W1Ops)]
    public ulong W1_pairs() => Workloads.W1(_port);

    [Benchmark(OperationsPerInvoke = Workloads.W2Ops)]
    public ulong W2_batch_free() => Workloads.W2(_port, _scratch);

    [Benchmark(OperationsPerInvoke = Workloads.W3OpsPort)]
    public ulong W3_reset() => Workloads.W3(_port, _scratch);

    [Benchmark(OperationsPerInvoke = Workloads.W4Ops)]
    public ulong W4_realloc_growth() => Workloads.W4(_port);
}

/// <summary>The same W1, W2 and W4 passes on .NET NativeMemory, the in-run baseline.</summary>
[Config(typeof(AllocSetBenchmarks.PassConfig))]
public class NativeMemoryBenchmarks
{
    private readonly NativeAllocator _native = new();
    private readonly ulong[] _scratch = new ulong[Workloads.W2Batch];

    [Benchmark(OperationsPerInvoke = Workloads.W1Ops)]
    public ulong W1_pairs() => Workloads.W1(_native);

    [Benchmark(OperationsPerInvoke = Workloads.W2Ops)]
    public ulong W2_batch_free() => Workloads.W2(_native, _scratch);

    [Benchmark(OperationsPerInvoke = Workloads.W4Ops)]
    public ulong W4_realloc_growth() => Workloads.W4(_native);
}
