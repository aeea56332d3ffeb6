// The wait-queue oracle (LWLockQueueRunner, LWLockQueueProperties): the faithful port passes the
// FsCheck property and hand-made op lists that pin the three queue rules the explorer cannot see
// (each list's trace shows the model's prediction the port had to equal: an LW_WAIT_UNTIL_FREE
// waiter ahead of an exclusive one, HAS_WAITERS cleared by the dequeue that empties the queue, a
// shared wakeup that skips the exclusive waiter between two shared ones); the op text round-trips;
// the gate runs the property and reaches every queue goal.
using FsCheck;
using FsCheck.Xunit;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Locks;
using Harness.Systems.Locks.Oracle;
using Harness.Systems.Locks.Properties;
using Harness.Tests.Properties;
using Xunit;
using Outcome = Harness.Core.Outcome;

namespace Harness.Tests.Systems.Locks;

public sealed class LWLockQueueOracleTests
{
    private const string Replay = "20261203,11400714819323198485";

    public static class Ops40
    {
        public static Arbitrary<LWLockQueueOp[]> Ops() => LWLockQueueGen.Arbitrary(40);
    }

    [Property(Replay = Replay, MaxTest = 200, EndSize = 50, Arbitrary = [typeof(Ops40)])]
    public FsCheck.Property Lwlock_queue(LWLockQueueOp[] ops) =>
        XunitProperty.Check(LWLockQueueProperties.Create(true), ops, Replay, 40);

    private static string RunPassing(string ops, LWLockQueueRunner? runner = null)
    {
        var trace = new StringWriter();
        Outcome o = (runner ?? new LWLockQueueRunner()).Run(LWLockQueueOpText.Instance.ParseLines(ops), trace);
        Assert.False(o.IsFailure, o + "\n" + trace);
        return trace.ToString();
    }

    [Fact]
    public void Wait_until_free_waiter_is_queued_ahead_of_an_exclusive_one()
    {
        // Backend 0 holds; 1 queues exclusive, 2 wait-until-free: 2 goes to the head (Q1).
        string t = RunPassing("""
            take 0 x
            queue 0 x
            queue 0 w
            release 0
            """);
        Assert.Contains("2: queue 0 w: backend 2 LWLockQueueSelf w; model [2w 1x] HAS_WAITERS RELEASE_OK held x", t);
        Assert.Contains("3: release 0: backend 0 LWLockRelease: model wakes [2w 1x]", t);
    }

    [Fact]
    public void Dequeue_that_empties_the_queue_clears_HAS_WAITERS()
    {
        string t = RunPassing("""
            queue 0 s
            queue 0 w
            dequeue 0
            dequeue 0
            """);
        Assert.Contains("2: dequeue 0: backend 0 LWLockDequeueSelf (still queued); model [1w] HAS_WAITERS RELEASE_OK free", t);
        Assert.Contains("3: dequeue 0: backend 1 LWLockDequeueSelf (still queued); model [] RELEASE_OK free", t);
    }

    [Fact]
    public void Shared_wakeup_skips_the_exclusive_waiter_between_two_shared_ones()
    {
        string t = RunPassing("""
            take 0 x
            queue 0 s
            queue 0 x
            queue 0 s
            release 0
            """);
        Assert.Contains("4: release 0: backend 0 LWLockRelease: model wakes [1s 3s]; model [2x] HAS_WAITERS free", t);
    }

    [Fact]
    public void Woken_waiters_dequeue_and_return_and_the_holder_updates_the_variable()
    {
        var runner = new LWLockQueueRunner();
        string t = RunPassing("""
            take 0 x
            queue 0 s
            queue 0 w
            update 0
            release 0
            dequeue 0
            return 0
            take 0 x
            queue 0 s
            queue 0 x
            queue 0 s
            release 0
            dequeue 1
            """, runner);
        Assert.Contains("3: update 0: backend 0 LWLockUpdateVar 1: model wakes [2w]", t);
        Assert.Contains("5: dequeue 0: backend 1 LWLockDequeueSelf (already woken: absorbs the wakeup)", t);
        Assert.Contains("12: dequeue 1: backend 2 LWLockDequeueSelf (still queued); model [] free", t);
        Assert.Equal((1UL << LocksReach.QueueGoals.Count) - 1, runner.Reach.Bits);
    }

    [Theory]
    [InlineData("take 0 x")]
    [InlineData("take 3 s")]
    [InlineData("queue 1 w")]
    [InlineData("release 2")]
    [InlineData("dequeue 0")]
    [InlineData("return 1")]
    [InlineData("update 0")]
    public void Op_text_round_trips(string line) =>
        Assert.Equal(line, LWLockQueueOpText.Instance.Format(LWLockQueueOpText.ParseLine(line)));

    [Theory]
    [InlineData("take 0 w")]
    [InlineData("take 0")]
    [InlineData("release 0 x")]
    [InlineData("queue x 1")]
    [InlineData("wake 0")]
    public void Bad_op_lines_are_refused(string line) =>
        Assert.Throws<FormatException>(() => LWLockQueueOpText.ParseLine(line));

    [Fact]
    public void The_gate_runs_the_property_and_reaches_every_queue_goal()
    {
        PropertySuite suite = SystemRegistry.Default.Get(LocksSystem.SystemName).Parts.OfType<PropertySuite>().Single();
        PropertyGateCase g = Assert.Single(suite.Gate, c => c.Property == LWLockQueueProperties.Queue);
        PropertyReport r = suite.Get(g.Property).Create(g.Checking, PropertySuite.NoCanary)
            .Check(new PropertyRunSpec(7, PropertyRunSpec.DefaultGamma, g.Cases, g.Ops));
        Assert.True(r.Passed, r.Summary);
        Assert.All(LocksReach.QueueGoals, goal => Assert.True(r.Reach!.HitsOf(goal) > 0, $"{goal.Key} not reached in {g.Cases} cases"));
    }
}
