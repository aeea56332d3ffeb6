// buffers/clock-sweep (issue 13, scenario 9); its correct runs under random, pct and dfs are
// BufferScenarioTests.Correct_scenario_passes, like every other scenario's. Here: the workload
// reaches what its oracles are about (ERRORs, ERRORs while some buffer is unpinned, which
// PostgreSQL allows); both oracles can fail (fed a wrong count or a look at an
// unpinned buffer, directly and through a whole exploration); the canary is caught by the
// "no unpinned buffers available" oracle.
using Allocator.Buffers;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers;
using Harness.Systems.Buffers.Scenarios;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Tests.Systems.Buffers;

public sealed class ClockSweepScenarioTests
{
    private static ScenarioSet Set => SystemRegistry.Default.Find(BuffersSystem.SystemName)!.Parts.OfType<ScenarioSet>().Single();

    /// <summary>The pool size the oracle tests below feed (the arithmetic takes it as a parameter).</summary>
    private const int N = 3;

    private static uint Pinned(uint usage) => BUF_REFCOUNT_ONE | (usage * BUF_USAGECOUNT_ONE) | BM_TAG_VALID | BM_VALID;

    private static uint Unpinned(uint usage) => (usage * BUF_USAGECOUNT_ONE) | BM_TAG_VALID | BM_VALID;

    [Fact]
    public void The_workload_reaches_errors_while_unpinned_and_lost_passes()
    {
        // the pool is fully pinned in some schedules and not in others; some ERRORs come while a
        // buffer has refcount 0 (the failing backend's looks kept landing on pinned buffers while
        // others ticked past the free one): a check of "every buffer pinned" would be a false alarm,
        // and so would the spec's F5 shortcut (some buffer stays unpinned the whole failing call).
        // And some iterations lose a pass for good (a wrap fold delayed until the hand reached 2N),
        // so "position == ticks" would be one too.
        using var explorer = new Explorer();
        IScenario s = Set.Find("clock-sweep")!;
        ExplorationReport r = explorer.Run(s, new ExploreRun { Strategy = "random", Seed = 2, Iterations = 300, Minimize = false });
        Assert.Null(r.FirstFailure);
        var inst = (ClockSweepScenario)explorer.Instance(s, ScenarioConfig.Default(s));
        Assert.InRange(inst.IterationsWithError, 1, 299);
        Assert.True(inst.IterationsWithErrorWhileUnpinned >= 1, "no ERROR while a buffer was unpinned");
        Assert.True(inst.IterationsWithErrorBufferNeverPinned >= 1, "no ERROR while a buffer stayed unpinned for the whole call");
        Assert.True(inst.IterationsWithLostPass >= 1, "no pass lost to a late fold");
        Assert.True(inst.Observer.Ticks > ClockSweepScenario.NBuffers, "the last iteration never wrapped the hand");
    }

    [Fact]
    public void The_no_unpinned_oracle_is_exactly_the_last_n_looks()
    {
        var looks = new List<(int, uint?)> { (0, Unpinned(2)), (1, Pinned(1)), (2, Pinned(3)), (0, Pinned(0)) };
        Assert.Null(ClockSweepScenario.SweepObserver.CheckLooks(looks, N));
        // an unpinned look among the last N: PostgreSQL would have reset trycounter there
        looks[2] = (2, Unpinned(3));
        Assert.Contains("found it unpinned", ClockSweepScenario.SweepObserver.CheckLooks(looks, N));
        // fewer than N looks in the call
        Assert.Contains("only 2", ClockSweepScenario.SweepObserver.CheckLooks([(0, Pinned(1)), (1, Pinned(1))], N));
        // a look whose header lock was never taken
        Assert.Contains("never took", ClockSweepScenario.SweepObserver.CheckLooks([(0, Pinned(1)), (1, null), (2, Pinned(1))], N));
    }

    [Fact]
    public void The_position_oracle_fails_on_a_wrong_count()
    {
        // 7 ticks, no pass lost: position 7 (passes 2, result 1)
        Assert.Null(ClockSweepScenario.SweepObserver.CheckPosition(2 * N + 1, 1, 7, 0, N));
        Assert.NotNull(ClockSweepScenario.SweepObserver.CheckPosition(2 * N + 1, 1, 8, 0, N));
        // one pass lost to a fold that found the hand at 2N: 9 ticks, position 6
        Assert.Null(ClockSweepScenario.SweepObserver.CheckPosition(2 * N, 0, 9, 1, N));
        Assert.NotNull(ClockSweepScenario.SweepObserver.CheckPosition(2 * N, 0, 9, 0, N));
        Assert.NotNull(ClockSweepScenario.SweepObserver.CheckPosition(N + 1, N, N + 1, 0, N));
    }

    [Fact]
    public void A_skewed_tick_count_fails_the_exploration()
    {
        // the same oracle end to end: one tick too many and the first StrategySyncStart disagrees
        using var explorer = new Explorer();
        IScenario s = Set.Find("clock-sweep")!;
        var inst = (ClockSweepScenario)explorer.Instance(s, ScenarioConfig.Default(s));
        inst.Observer.TickSkew = 1;
        try
        {
            ExplorationReport r = explorer.Run(s, new ExploreRun { Strategy = "random", Seed = 1, Iterations = 5, Minimize = false, SelfCheck = false });
            Assert.NotNull(r.FirstFailure);
            Assert.Equal(OutcomeKind.InvariantFailed, r.FirstFailure!.Failure.Kind);
            Assert.Equal("clock-position", r.FirstFailure.Failure.Site);
        }
        finally
        {
            inst.Observer.TickSkew = 0;
        }
    }

    [Fact]
    public void The_canary_is_caught_as_a_false_no_unpinned_error()
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find("canary-sweep-trycounter-not-reset")!, new ExploreRun { Strategy = "pct", Seed = 3, Iterations = 200, Minimize = false });
        Assert.NotNull(r.FirstFailure);
        Assert.Equal("no-unpinned-false", r.FirstFailure!.Failure.Site);
        Assert.Contains("found it unpinned", r.FirstFailure.Failure.Message);
    }
}
