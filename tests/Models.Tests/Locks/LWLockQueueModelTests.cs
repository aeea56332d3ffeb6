// LWLockQueueModel: hand-worked cases of lwlock.c's queue rules (Q1-Q8): where LWLockQueueSelf puts
// each mode, whom LWLockWakeup wakes for the queue shapes that matter (wait-until-free prefix,
// shared batch skipping exclusive waiters, exclusive head), the flags after each critical section
// (HAS_WAITERS left set by a wakeup that woke somebody, cleared by a dequeue that empties the
// queue; RELEASE_OK cleared by waking a locker), LWLockUpdateVar's prefix, LWLockRelease's test.
using Models.Locks;
using Xunit;

namespace Models.Tests.Locks;

public class LWLockQueueModelTests
{
    private const QueueMode X = QueueMode.Exclusive, S = QueueMode.Shared, W = QueueMode.WaitUntilFree;

    private static string Q(IEnumerable<QueuedWaiter> q) => string.Join(" ", q);

    private static LWLockQueueModel Held(params (int Proc, QueueMode Mode)[] queue)
    {
        var m = new LWLockQueueModel();
        Assert.True(m.TryAcquire(X));
        foreach (var (p, mode) in queue) m.QueueSelf(p, mode);
        return m;
    }

    [Fact]
    public void A_fresh_lock_is_free_with_RELEASE_OK_and_no_waiters()
    {
        var m = new LWLockQueueModel();
        Assert.Equal((true, false, false, 0, 0), (m.ReleaseOk, m.HasWaiters, m.ExclusiveHeld, m.SharedHolders, m.Queue.Count));
    }

    [Fact]
    public void Wait_until_free_waiters_go_to_the_head_lockers_to_the_tail()
    {
        LWLockQueueModel m = Held((1, X), (2, W), (3, S), (4, W));
        Assert.Equal("4w 2w 1x 3s", Q(m.Queue));
        Assert.True(m.HasWaiters);
    }

    [Fact]
    public void Wakeup_wakes_the_wait_until_free_prefix_and_the_first_exclusive_then_stops()
    {
        LWLockQueueModel m = Held((1, X), (2, S), (3, W));
        Assert.Equal("3w 1x", Q(m.Wakeup()));
        Assert.Equal("2s", Q(m.Queue));
        Assert.False(m.ReleaseOk);      // an exclusive waiter was woken: no more wakeups until it ran
        Assert.True(m.HasWaiters);
    }

    [Fact]
    public void Wakeup_after_a_shared_waiter_wakes_every_shared_and_wait_until_free_one_and_skips_exclusive_ones()
    {
        LWLockQueueModel m = Held((1, S), (2, X), (3, S), (4, X));
        m.QueueSelf(5, W);
        Assert.Equal("5w 1s 3s", Q(m.Wakeup()));
        Assert.Equal("2x 4x", Q(m.Queue));
        Assert.False(m.ReleaseOk);
    }

    [Fact]
    public void Wakeup_of_only_wait_until_free_waiters_keeps_RELEASE_OK_and_leaves_HAS_WAITERS_set_on_the_empty_queue()
    {
        LWLockQueueModel m = Held((1, W), (2, W));
        Assert.Equal("2w 1w", Q(m.Wakeup()));
        Assert.Empty(m.Queue);
        Assert.True(m.ReleaseOk);
        Assert.True(m.HasWaiters);      // PG17 clears it only when it woke nobody
        Assert.Empty(m.Wakeup());
        Assert.False(m.HasWaiters);
    }

    [Fact]
    public void Dequeue_that_empties_the_queue_clears_HAS_WAITERS_and_one_that_does_not_keeps_it()
    {
        LWLockQueueModel m = Held((1, X), (2, S));
        Assert.True(m.DequeueSelf(1));
        Assert.True(m.HasWaiters);
        Assert.True(m.DequeueSelf(2));
        Assert.False(m.HasWaiters);
        Assert.True(m.ReleaseOk);
    }

    [Fact]
    public void Dequeue_of_an_already_woken_waiter_sets_RELEASE_OK_again()
    {
        LWLockQueueModel m = Held((1, X), (2, X));
        Assert.Equal("1x", Q(m.Wakeup()));
        Assert.False(m.ReleaseOk);
        Assert.False(m.DequeueSelf(1));
        Assert.True(m.ReleaseOk);
        Assert.Equal("2x", Q(m.Queue));
        Assert.True(m.HasWaiters);
    }

    [Fact]
    public void Release_wakes_only_when_the_lock_becomes_free_with_HAS_WAITERS_and_RELEASE_OK()
    {
        var m = new LWLockQueueModel();
        Assert.True(m.TryAcquire(S));
        Assert.True(m.TryAcquire(S));
        Assert.False(m.TryAcquire(X));
        m.QueueSelf(1, X);
        Assert.Empty(m.Release(S, out bool ran));
        Assert.False(ran);              // one shared holder left
        Assert.Equal("1x", Q(m.Release(S, out ran)));
        Assert.True(ran);
        m.QueueSelf(2, X);
        Assert.True(m.TryAcquire(X));
        Assert.Empty(m.Release(X, out ran));
        Assert.False(ran);              // RELEASE_OK is clear until proc 1 returns
        m.WokenReturns(X);
        Assert.True(m.ReleaseOk);
        m.WokenReturns(W);              // LWLockAcquireOrWait / LWLockWaitForVar do not touch it
        Assert.True(m.TryAcquire(X));
        Assert.Equal("2x", Q(m.Release(X, out ran)));
    }

    [Fact]
    public void UpdateVar_wakes_the_wait_until_free_prefix_and_leaves_the_flags()
    {
        LWLockQueueModel m = Held((1, X), (2, W), (3, W));
        bool ok = m.ReleaseOk;
        Assert.Equal("3w 2w", Q(m.UpdateVar()));
        Assert.Equal("1x", Q(m.Queue));
        Assert.Equal((ok, true), (m.ReleaseOk, m.HasWaiters));
        LWLockQueueModel only = Held((4, W));
        Assert.Equal("4w", Q(only.UpdateVar()));
        Assert.True(only.HasWaiters);   // an emptied queue keeps HAS_WAITERS: LWLockUpdateVar never touches it
    }
}
