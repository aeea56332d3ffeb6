// LinearizabilityBenchmarks: the linearizability checker (src/Harness/Explore/Linearizability) on
// single-key read/write register histories from RegisterHistories.Generate: 4 backends, about half
// writes, every operation three events (invoke, effect, respond) interleaved by a seeded Prng, so
// operations overlap as in a real run. Issue 13's target: a 10,000-operation history over one key
// decided in under 1 s. Each history is checked whole (one benchmark operation = one Check):
//   Linearizable       the generated history as it is (linearizable by construction);
//   StaleRead          the same with one read near the end returning a value two completed writes
//                      before it had replaced (RegisterHistories.WithStaleRead): not linearizable,
//                      found only after the search has placed nearly everything.
// The baseline is Linearizable1k (1,000 operations), so the Ratio column says how the cost grows
// with the history (linear would be 10). GlobalSetup prints each case's verdict and the states the
// search entered (the checker's own counter, the unit of its budget): deterministic, so the same
// on every machine, unlike the times.
// Measured (2 shared cores, in-process, 20 iterations; states are exact, times vary with load):
//   Linearizable1k     0.78 ms   1,557 states   (baseline)
//   StaleRead1k        1.57 ms   4,664 states   ratio  2.1
//   Linearizable10k    6.55 ms  16,020 states   ratio  8.7
//   StaleRead10k      28.3 ms   47,458 states   ratio 37.6 (memo and GC grow faster than the states)
// Under a load average of 30 the same cases took 2.9 / 2.9 / 14.1 / 51.0 ms: well under the 1 s target.
//   dotnet run -c Release --project bench/Allocator.Bench -- --filter '*LinearizabilityBenchmarks*' --inProcess
using BenchmarkDotNet.Attributes;
using Harness.Explore.Linearizability;

namespace Allocator.Bench.Explore;

[MemoryDiagnoser]
public class LinearizabilityBenchmarks
{
    private const ulong Seed = 42;
    private readonly RegisterModel _model = new();
    private List<HistoryOp> _good1k = null!, _good10k = null!, _stale1k = null!, _stale10k = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_good1k, _stale1k) = Make(1_000);
        (_good10k, _stale10k) = Make(10_000);
    }

    private (List<HistoryOp> Good, List<HistoryOp> Stale) Make(int ops)
    {
        List<HistoryOp> good = RegisterHistories.Generate(ops, backends: 4, Seed);
        (List<HistoryOp> stale, int changed) = RegisterHistories.WithStaleRead(good);
        LinearizabilityResult g = LinearizabilityChecker.Check(good, _model);
        LinearizabilityResult s = LinearizabilityChecker.Check(stale, _model);
        Console.WriteLine($"// {ops} ops: linearizable -> {g.Verdict}, {g.StatesExplored} states; " +
                          $"stale read at op {changed} -> {s.Verdict}, {s.StatesExplored} states, longest prefix {s.LongestPrefix}");
        return (good, stale);
    }

    [Benchmark(Baseline = true)]
    public long Linearizable1k() => LinearizabilityChecker.Check(_good1k, _model).StatesExplored;

    [Benchmark]
    public long StaleRead1k() => LinearizabilityChecker.Check(_stale1k, _model).StatesExplored;

    [Benchmark]
    public long Linearizable10k() => LinearizabilityChecker.Check(_good10k, _model).StatesExplored;

    [Benchmark]
    public long StaleRead10k() => LinearizabilityChecker.Check(_stale10k, _model).StatesExplored;
}
