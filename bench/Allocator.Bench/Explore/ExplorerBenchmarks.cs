// ExplorerBenchmarks: throughput of the controlled scheduler. One benchmark operation is one
// explored iteration (OperationsPerInvoke = Iterations), so BenchmarkDotNet's "Op/s" is
// iterations/s; GlobalSetup prints the (deterministic) steps per iteration, and decisions/s is
// steps per iteration x iterations/s. The target is >= 200,000 decisions/s and >= 2,000
// iterations/s on lwlock-shared-exclusive with 3 backends.
//   dotnet run -c Release --project bench/Allocator.Bench -- --filter '*ExplorerBenchmarks*'
// The same figures, without BenchmarkDotNet: harness explore lwlock-shared-exclusive --iterations 20000
using BenchmarkDotNet.Attributes;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;

namespace Allocator.Bench.Explore;

[MemoryDiagnoser]
public class ExplorerBenchmarks
{
    private const int Iterations = 500;
    private Explorer _explorer = null!;
    private IScenario _scenario = null!;

    [Params("lwlock-shared-exclusive", "spinlock-mutex", "lwlock-partition-order", "lwlock-wait-for-var")]
    public string Scenario { get; set; } = "lwlock-shared-exclusive";

    [Params("pct", "random", "probabilistic")]
    public string Strategy { get; set; } = "pct";

    [GlobalSetup]
    public void Setup()
    {
        _explorer = new Explorer();
        _scenario = Harness.Explore.ScenarioSet.Resolve(Harness.Core.SystemRegistry.Default, Scenario).Scenario;
        ExplorationReport r = _explorer.Run(_scenario, Run());
        Console.WriteLine($"// {Scenario}/{Strategy}: {(double)r.TotalSteps / r.Iterations:0.0} steps (decisions) per iteration, {(double)r.TotalDecisions / r.Iterations:0.0} choices per iteration");
    }

    private ExploreRun Run() => new() { Strategy = Strategy, Seed = 1, Iterations = Iterations, Minimize = false, SelfCheck = false, StopOnFirstFailure = false };

    [Benchmark(OperationsPerInvoke = Iterations)]
    public long Explore() => _explorer.Run(_scenario, Run()).TotalSteps;

    [GlobalCleanup]
    public void Cleanup() => _explorer.Dispose();
}
