// Exact interleaving counts of tiny programs under exhaustive and preemption-bounded DFS. Each
// backend performs k atomic writes to its own word, so every interleaving of the steps is a
// distinct schedule; the expected counts come from an independent brute-force enumeration
// (multinomial coefficients when unbounded), e.g. for two backends with two writes each the six
// interleavings are AABB, ABAB, ABBA, BAAB, BABA, BBAA.
using Allocator.Sync;
using Harness.Explore.Strategies;
using Harness.Explore;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class DfsCountTests
{
    private static (int Iterations, int Distinct) Explore(int backends, int ops, DfsStrategy dfs)
    {
        using var engine = new ControlledEngine(backends);
        engine.FreshMemories(backends);
        var segment = new SyncSegment(backends, 0, 0, 0, scratchBytes: backends * 8);
        for (int i = 0; i < backends; i++) segment.MapInto(engine.Runtime(i).Memory);
        var bodies = new Action[backends];
        for (int i = 0; i < backends; i++)
        {
            int me = i;
            bodies[i] = () =>
            {
                for (int k = 0; k < ops; k++) engine.Runtime(me).AtomicWrite32(segment.ScratchAddr(me * 8), (uint)k);
            };
        }
        var hashes = new HashSet<ulong>();
        int iterations = 0;
        for (int it = 0; dfs.BeginIteration(it, backends); it++)
        {
            IterationResult r = engine.RunIteration(bodies, dfs, new ExploreOptions());
            Assert.Equal(IterationOutcome.Completed, r.Outcome);
            dfs.EndIteration(r.Decisions);
            hashes.Add(r.TraceHash);
            iterations++;
            Assert.True(iterations < 100_000, "DFS did not terminate");
        }
        return (iterations, hashes.Count);
    }

    /// <summary>Brute force: interleavings of <paramref name="backends"/> sequences of <paramref name="ops"/>
    /// steps with at most <paramref name="bound"/> preemptions (a switch away from a backend that still
    /// has steps left; the first step and switches after a backend's last step are free).</summary>
    private static int BruteForce(int backends, int ops, int bound)
    {
        int count = 0;
        var left = Enumerable.Repeat(ops, backends).ToArray();
        void Walk(int prev, int preemptions, int remaining)
        {
            if (remaining == 0) { count++; return; }
            for (int b = 0; b < backends; b++)
            {
                if (left[b] == 0) continue;
                int p = preemptions + (prev >= 0 && prev != b && left[prev] > 0 ? 1 : 0);
                if (p > bound) continue;
                left[b]--;
                Walk(b, p, remaining - 1);
                left[b]++;
            }
        }
        Walk(-1, 0, backends * ops);
        return count;
    }

    [Theory]
    [InlineData(2, 1, 2)]   // AB, BA
    [InlineData(2, 2, 6)]   // C(4,2)
    [InlineData(2, 3, 20)]  // C(6,3)
    [InlineData(3, 1, 6)]   // 3!
    [InlineData(3, 2, 90)]  // 6!/(2!2!2!)
    public void Unbounded_dfs_visits_every_interleaving_exactly_once(int backends, int ops, int expected)
    {
        Assert.Equal(expected, BruteForce(backends, ops, int.MaxValue));
        var (iterations, distinct) = Explore(backends, ops, new DfsStrategy(-1));
        Assert.Equal(expected, iterations);
        Assert.Equal(expected, distinct);
    }

    [Theory]
    [InlineData(2, 2, 0)]
    [InlineData(2, 2, 1)]
    [InlineData(2, 3, 1)]
    [InlineData(2, 3, 2)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 2, 2)]
    public void Preemption_bounded_dfs_visits_exactly_the_schedules_within_the_bound(int backends, int ops, int bound)
    {
        int expected = BruteForce(backends, ops, bound);
        var (iterations, distinct) = Explore(backends, ops, new DfsStrategy(bound, iterative: false));
        Assert.Equal(expected, iterations);
        Assert.Equal(expected, distinct);
    }

    [Fact]
    public void Bound_zero_runs_each_backend_to_completion_in_turn()
    {
        Assert.Equal(2, Explore(2, 2, new DfsStrategy(0, iterative: false)).Iterations);
        Assert.Equal(6, Explore(3, 3, new DfsStrategy(0, iterative: false)).Iterations);
    }

    [Fact]
    public void Iterative_bounds_revisit_lower_bounds_and_reach_every_schedule()
    {
        var dfs = new DfsStrategy(3);
        var (iterations, distinct) = Explore(2, 3, dfs);
        Assert.Equal(BruteForce(2, 3, 3), distinct);
        Assert.Equal(BruteForce(2, 3, 0) + BruteForce(2, 3, 1) + BruteForce(2, 3, 2) + BruteForce(2, 3, 3), iterations);
        Assert.Equal(4, dfs.BoundIterations.Count);
    }
}
