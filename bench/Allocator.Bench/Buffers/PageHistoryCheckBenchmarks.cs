// PageHistoryCheckBenchmarks: what the page-history linearizability check (BufferScenarioInstance,
// PageRegisterModel) adds to an explored iteration of the buffer scenarios: the same exploration
// (pct, seed 1, 200 iterations, default configuration) with the check on and off
// (BufferScenarioInstance.CheckPageHistory), in one process, so the Ratio column is the cost of the
// check independent of the machine's load. One benchmark operation is one explored iteration.
// GlobalSetup prints the page operations recorded in the last iteration and the checker's states.
// Measured (pct, 200 iterations): the check adds 7 KB per iteration on content-lock-rw (63 -> 70 KB;
// 9 page operations, 9 states) and 11 KB on victim-race (71 -> 82 KB; 12 operations, 12 states);
// the time difference was inside the noise of a loaded 2-core machine (about +-30%).
//   dotnet run -c Release --project bench/Allocator.Bench -- --filter '*PageHistoryCheckBenchmarks*' --inProcess
using BenchmarkDotNet.Attributes;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Scenarios;

namespace Allocator.Bench.Buffers;

[MemoryDiagnoser]
public class PageHistoryCheckBenchmarks
{
    private const int Iterations = 200;
    private Explorer _explorer = null!;
    private IScenario _scenario = null!;

    [Params("victim-race", "content-lock-rw")]
    public string Scenario { get; set; } = "victim-race";

    [Params(false, true)]
    public bool Check { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _explorer = new Explorer();
        _scenario = ScenarioSet.Resolve(SystemRegistry.Default, Scenario).Scenario;
        var inst = (BufferScenarioInstance)_explorer.Instance(_scenario, ScenarioConfig.Default(_scenario));
        inst.CheckPageHistory = Check;
        ExplorationReport r = _explorer.Run(_scenario, Run());
        Console.WriteLine($"// {Scenario} check={Check}: {r.Completed}/{r.Iterations} completed, {(double)r.TotalSteps / r.Iterations:0.0} steps per iteration, " +
                          $"{inst.PageHistory.Count} page operations in the last, {inst.PageCheckStates} checker states in all");
    }

    private ExploreRun Run() => new() { Strategy = "pct", Seed = 1, Iterations = Iterations, Minimize = false, SelfCheck = false, StopOnFirstFailure = false };

    [Benchmark(OperationsPerInvoke = Iterations)]
    public long Explore() => _explorer.Run(_scenario, Run()).TotalSteps;

    [GlobalCleanup]
    public void Cleanup() => _explorer.Dispose();
}
