// Content and cleanup locks (spec §9): LockBufferForCleanup waiting on a real thread for another
// backend's pin to go (BM_PIN_COUNT_WAITER, woken through its latch), its errors ("incorrect local
// pin count", "multiple backends attempting to wait for pincount 1"), the conditional forms,
// IsBufferCleanupOK, and UnlockBuffers withdrawing a wait on abort.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrLocksTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    private static void WaitForFlag(BufMgrBackends g, int buf, uint flag)
    {
        for (int i = 0; i < 10_000 && (g.State(buf) & flag) == 0; i++) Thread.Sleep(1);
        Assert.NotEqual(0u, g.State(buf) & flag);
    }

    [Fact]
    public void CleanupLock_WaitsForTheOtherBackendsPin_OnARealThread()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0], b = g[1];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        Assert.Equal(buf, b.ReadBuffer(Rel(RelA), Main, 0));
        Assert.False(a.ConditionalLockBufferForCleanup(buf));
        Assert.False(a.Backend.LWLocks.LWLockHeldByMe(g.Desc(buf).ContentLock));

        bool got = false;
        var t = new Thread(() =>
        {
            a.LockBufferForCleanup(buf);
            got = a.IsBufferCleanupOK(buf);
        });
        t.Start();
        WaitForFlag(g, buf, BM_PIN_COUNT_WAITER);
        Assert.Equal(a.Backend.MyProcNumber, BufferDescriptors.ReadWaitBackend(g.Pool.InitMemory, g.Desc(buf)));
        Assert.Equal(g.Desc(buf), a.PinCountWaitBuf);
        // while it waits, the content lock is free: b can still lock and read
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        Assert.True(t.IsAlive);
        b.ReleaseBuffer(buf); // the last other pin: clears the flag and sets a's latch
        Assert.True(t.Join(30_000));
        Assert.True(got);
        Assert.Null(a.PinCountWaitBuf);
        Assert.Equal(0u, g.State(buf) & BM_PIN_COUNT_WAITER);
        Assert.True(a.Backend.LWLocks.LWLockHeldByMeInMode(g.Desc(buf).ContentLock, LWLockMode.LW_EXCLUSIVE));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void CleanupLock_Errors()
    {
        var g = new BufMgrBackends(3);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0], b = g[1], c = g[2];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.IncrBufferRefCount(buf);
        var e = Assert.Throws<PgErrorException>(() => a.LockBufferForCleanup(buf));
        Assert.Equal("incorrect local pin count: 2", e.Message);
        Assert.False(a.ConditionalLockBufferForCleanup(buf));
        a.ReleaseBuffer(buf);

        // a waits; c wanting to wait too is an ERROR (one waiter per buffer)
        b.ReadBuffer(Rel(RelA), Main, 0);
        c.ReadBuffer(Rel(RelA), Main, 0);
        var t = new Thread(() => a.LockBufferForCleanup(buf));
        t.Start();
        WaitForFlag(g, buf, BM_PIN_COUNT_WAITER);
        e = Assert.Throws<PgErrorException>(() => c.LockBufferForCleanup(buf));
        Assert.Equal("multiple backends attempting to wait for pincount 1", e.Message);
        Assert.False(c.Backend.LWLocks.LWLockHeldByMe(g.Desc(buf).ContentLock)); // released before the ERROR
        c.AbortCurrentTransaction(); // c's pin goes
        Assert.NotEqual(0u, g.State(buf) & BM_PIN_COUNT_WAITER); // a's wait is untouched
        b.ReleaseBuffer(buf);
        Assert.True(t.Join(30_000));
        Assert.True(a.IsBufferCleanupOK(buf));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ConditionalForms_AndIsBufferCleanupOK()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0], b = g[1];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        Assert.True(a.ConditionalLockBufferForCleanup(buf));
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);

        b.ReadBuffer(Rel(RelA), Main, 0);
        Assert.True(b.ConditionalLockBuffer(buf));
        Assert.False(a.ConditionalLockBuffer(buf)); // b has it exclusively
        Assert.False(b.IsBufferCleanupOK(buf));     // a pins it too
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        Assert.False(a.IsBufferCleanupOK(buf));
        b.ReleaseBuffer(buf);
        Assert.True(a.IsBufferCleanupOK(buf));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>UnlockBuffers on abort clears our BM_PIN_COUNT_WAITER (as after an interrupted wait);
    /// here the state is set up as LockBufferForCleanup leaves it just before sleeping.</summary>
    [Fact]
    public void Abort_WithdrawsACleanupWait()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0], b = g[1];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        b.ReadBuffer(Rel(RelA), Main, 0);
        BufferDesc d = g.Desc(buf);
        uint s = BufHdrLock.LockBufHdr(a.Backend, d);
        BufferDescriptors.WriteWaitBackend(a.Backend.Memory, d, a.Backend.MyProcNumber);
        a.Pins.PinCountWaitBuf = d;
        BufHdrLock.UnlockBufHdr(a.Backend, d, s | BM_PIN_COUNT_WAITER);
        a.AbortCurrentTransaction();
        Assert.Null(a.PinCountWaitBuf);
        Assert.Equal(0u, g.State(buf) & BM_PIN_COUNT_WAITER);
        Assert.Equal(1u, BUF_STATE_GET_REFCOUNT(g.State(buf)));
        b.ReleaseBuffer(buf);
        Assert.False(Latch.IsSet(g.Pool.InitMemory, g.Pool.Sync, 0)); // no stale wake-up for a
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>A spurious latch wake-up (set for some other reason) makes the waiter take back its own
    /// flag and test again; it sleeps again until the real wake-up.</summary>
    [Fact]
    public void CleanupWait_SurvivesASpuriousLatchWakeup()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0], b = g[1];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        b.ReadBuffer(Rel(RelA), Main, 0);
        var t = new Thread(() => a.LockBufferForCleanup(buf));
        t.Start();
        WaitForFlag(g, buf, BM_PIN_COUNT_WAITER);
        Latch.SetLatch(b.Backend, a.Backend.MyProcNumber); // not from an unpin
        // it wakes, clears its flag, re-tests (still pinned by b), and waits again
        Thread.Sleep(20);
        WaitForFlag(g, buf, BM_PIN_COUNT_WAITER);
        Assert.True(t.IsAlive);
        b.ReleaseBuffer(buf);
        Assert.True(t.Join(30_000));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }
}
