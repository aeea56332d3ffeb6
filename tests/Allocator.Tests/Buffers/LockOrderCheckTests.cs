// The §18 lock-order checker (Sync/LockOrderCheck) over a real buffer pool: each rule it checks is
// broken once on purpose and reported at the acquire (or sleep, or I/O) that breaks it, with the
// rule as the site and the locks held in the message; the patterns §18 allows pass. (Every other
// test in this project runs with the checker on, so the port's own paths are its negative test.)
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class LockOrderCheckTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    private static LWLock Partition(BufMgrBackends g, int i) => g.Pool.Sync.GetLWLock(i);

    private static AssertionFailureException Violates(string rule, Action a)
    {
        var e = Assert.Throws<AssertionFailureException>(a);
        Assert.Equal(LockOrderCheck.RuleSite(rule), e.Condition);
        return e;
    }

    [Fact]
    public void Partitions_in_increasing_order_pass_and_in_decreasing_order_are_R2()
    {
        var g = new BufMgrBackends(1);
        LWLockBackend l = g[0].Backend.LWLocks;
        l.LWLockAcquire(Partition(g, 3), LWLockMode.LW_EXCLUSIVE);
        l.LWLockAcquire(Partition(g, 7), LWLockMode.LW_EXCLUSIVE);
        l.LWLockRelease(Partition(g, 7));
        var e = Violates("R2", () => l.LWLockAcquire(Partition(g, 2), LWLockMode.LW_SHARED));
        Assert.Contains("backend 0 requests BufferMapping partition 2 while holding BufferMapping partition 3", e.Message, StringComparison.Ordinal);
        // conditional acquires are ordered too: out of order, they still deadlock-proof nothing
        Violates("R2", () => l.LWLockConditionalAcquire(Partition(g, 1), LWLockMode.LW_SHARED));
    }

    [Fact]
    public void A_blocking_content_lock_under_a_partition_lock_is_R3_and_a_conditional_one_passes()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr b = g[0];
        int buf = b.ReadBuffer(Rel(RelA), Main, 0);
        b.Backend.LWLocks.LWLockAcquire(Partition(g, 5), LWLockMode.LW_SHARED);
        Assert.True(b.ConditionalLockBuffer(buf));
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        var e = Violates("R3", () => b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE));
        Assert.Contains($"waits for content lock of buffer {buf} while holding BufferMapping partition 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_lock_then_partition_passes_but_IO_under_the_partition_is_R3()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr b = g[0];
        int buf = b.ReadBuffer(Rel(RelA), Main, 0);
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        b.MarkBufferDirty(buf);
        b.Backend.LWLocks.LWLockAcquire(Partition(g, 0), LWLockMode.LW_SHARED); // CL -> MP: rule 4 allows it
        var e = Violates("R3", () => b.FlushOneBuffer(buf));
        Assert.Contains("does I/O (smgrwrite) while holding BufferMapping partition 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sleeping_under_a_partition_lock_is_R3_and_under_a_spinlock_is_R1()
    {
        var g = new BufMgrBackends(1);
        SyncBackend s = g[0].Backend;
        s.LWLocks.LWLockAcquire(Partition(g, 9), LWLockMode.LW_EXCLUSIVE);
        Violates("R3", () => Latch.WaitLatch(s));
        s.LWLocks.LWLockRelease(Partition(g, 9));

        BufferDesc d = g.Desc(1);
        uint st = BufHdrLock.LockBufHdr(s, d);
        var e = Violates("R1", () => Latch.WaitLatch(s));
        Assert.Contains("sleeps (WaitLatch) while holding spinlock header lock of buffer 1", e.Message, StringComparison.Ordinal);
        BufHdrLock.UnlockBufHdr(s, d, st);
        Assert.Equal(0, s.LockOrder.NumHeldSpinLocks);
    }

    [Fact]
    public void Spinlocks_are_leaves_R1()
    {
        var g = new BufMgrBackends(1);
        SyncBackend s = g[0].Backend;
        BufferDesc d = g.Desc(2);
        uint st = BufHdrLock.LockBufHdr(s, d);
        var e = Violates("R1", () => SLock.S_LOCK(s, g.Pool.Strategy.LockAddr));
        Assert.Contains("acquires spinlock buffer_strategy_lock while holding spinlock header lock of buffer 2", e.Message, StringComparison.Ordinal);
        Violates("R1", () => s.LWLocks.LWLockConditionalAcquire(d.ContentLock, LWLockMode.LW_SHARED));
        BufHdrLock.UnlockBufHdr(s, d, st);

        // the strategy lock alone, then a header lock after releasing it: the free-list pop's order
        SLock.S_LOCK(s, g.Pool.Strategy.LockAddr);
        SLock.S_UNLOCK(s, g.Pool.Strategy.LockAddr);
        BufHdrLock.UnlockBufHdr(s, d, BufHdrLock.LockBufHdr(s, d));
    }

    [Fact]
    public void Requesting_a_held_lock_again_is_R12()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr b = g[0];
        int buf = b.ReadBuffer(Rel(RelA), Main, 0);
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        var e = Violates("R12", () => b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE));
        Assert.Contains($"requests content lock of buffer {buf} shared, which it already holds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidateBuffer_under_a_partition_lock_is_R11()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr b = g[0];
        b.ReleaseBuffer(b.ReadBuffer(Rel(RelA), Main, 0));
        b.Backend.LWLocks.LWLockAcquire(Partition(g, 0), LWLockMode.LW_SHARED);
        Violates("R11", () => b.DropRelationBuffers(Rel(RelA), [Main], [0]));
    }

    [Fact]
    public void Releasing_a_spinlock_someone_else_holds_is_reported()
    {
        var g = new BufMgrBackends(2);
        BufferDesc d = g.Desc(1);
        uint st = BufHdrLock.LockBufHdr(g[0].Backend, d);
        Violates("spinlock-owner", () => BufHdrLock.UnlockBufHdr(g[1].Backend, d, st));
    }

    [Fact]
    public void An_ERROR_with_a_spinlock_held_is_R1_at_abort()
    {
        var g = new BufMgrBackends(1);
        BufferDesc d = g.Desc(1);
        _ = BufHdrLock.LockBufHdr(g[0].Backend, d);
        Violates("R1", () => g[0].AbortCurrentTransaction());
    }

    [Fact]
    public void The_checker_can_be_switched_off_for_backends_attached_afterwards()
    {
        var g = new BufMgrBackends(0);
        g.Pool.Sync.CheckLockOrder = false;
        BufMgr b = g.Pool.Attach(0);
        b.Backend.LWLocks.LWLockAcquire(Partition(g, 4), LWLockMode.LW_SHARED);
        b.Backend.LWLocks.LWLockAcquire(Partition(g, 1), LWLockMode.LW_SHARED);
        Assert.Equal(2, b.Backend.LWLocks.NumHeld);
    }
}
