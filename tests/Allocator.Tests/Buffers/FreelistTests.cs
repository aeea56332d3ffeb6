// Freelist (freelist.c) on one or two production-runtime backends, single-threaded: the initial
// free list, free list before clock, usage-count decay, pinned buffers skipped, the
// "no unpinned buffers available" ERROR, the clock wrap and StrategySyncStart, StrategyFreeBuffer
// and the bgwriter notification.
using Allocator.Buffers;
using Allocator.Common;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class FreelistTests
{
    private const int N = 16;

    /// <summary>StrategyGetBuffer, then the header lock straight back (no pin); the buffer id.</summary>
    private static int GetAndRelease(BufferBackends g, BufferPins p, BufferAccessStrategy? ring = null) =>
        GetAndRelease(g, p, ring, out _);

    private static int GetAndRelease(BufferBackends g, BufferPins p, BufferAccessStrategy? ring, out bool fromRing, uint addUsage = 0)
    {
        BufferDesc d = Freelist.StrategyGetBuffer(p.Backend, g.Strategy, ring, out uint s, out fromRing);
        Assert.NotEqual(0u, s & BM_LOCKED);
        Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(s)); // F3
        Assert.True(BUF_STATE_GET_USAGECOUNT(s) <= (fromRing ? 1u : 0u)); // F3
        BufHdrLock.UnlockBufHdr(p.Backend, d, s + addUsage * BUF_USAGECOUNT_ONE);
        return g.Descs.BufIdOf(d);
    }

    private static void Drain(BufferBackends g, BufferPins p)
    {
        for (int i = 0; i < N; i++) Assert.Equal(i, GetAndRelease(g, p));
        Assert.Equal(FREENEXT_END_OF_LIST, g.Strategy.FirstFreeBuffer(g.Descs.InitMemory));
    }

    private static void SetUsage(BufferBackends g, BufferPins p, int id, uint uc)
    {
        BufferDesc d = g.Descs.GetBufferDescriptor(id);
        uint s = BufHdrLock.LockBufHdr(p.Backend, d);
        BufHdrLock.UnlockBufHdr(p.Backend, d, (s & ~BUF_USAGECOUNT_MASK) | (uc << BUF_USAGECOUNT_SHIFT));
    }

    [Fact]
    public void StrategyInitialize_PutsEveryBufferOnTheFreeListInOrder()
    {
        var g = new BufferBackends(1, N);
        var m = g.Descs.InitMemory;
        StrategyControl sc = g.Strategy;
        Assert.Equal(0, sc.FirstFreeBuffer(m));
        Assert.Equal(N - 1, sc.LastFreeBuffer(m));
        for (int i = 0; i < N; i++) Assert.Equal(i == N - 1 ? FREENEXT_END_OF_LIST : i + 1, sc.FreeNextOf(m, i));
        Assert.Equal(0u, sc.NextVictimBuffer(m));
        Assert.Equal(0u, sc.CompletePasses(m));
        Assert.Equal(0u, sc.NumBufferAllocs(m));
        Assert.Equal(-1, sc.Bgwprocno(m));
        Assert.False(sc.LockHeld(m));
        Assert.Contains(g.Shmem.Allocations(), a => a.Name == StrategyControl.ShmemName && a.Size == StrategyControl.SIZE);
        // a second attach finds the same block and leaves it alone
        StrategyControl again = StrategyControl.StrategyInitialize(g.Shmem, g.Descs, init: false);
        Assert.Equal(sc.Address, again.Address);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void GetBuffer_TakesTheFreeListFirst_ThenSweeps()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        Drain(g, p);
        Assert.Equal(0u, g.Strategy.NextVictimBuffer(g.Descs.InitMemory)); // the clock has not moved
        for (int i = 0; i < N; i++) Assert.Equal(FREENEXT_NOT_IN_LIST, g.Strategy.FreeNextOf(g.Descs.InitMemory, i));
        Assert.Equal(0, GetAndRelease(g, p));
        Assert.Equal(1, GetAndRelease(g, p));
        Assert.Equal(2u, g.Strategy.NextVictimBuffer(g.Descs.InitMemory));
        Assert.Equal((uint)N + 2, g.Strategy.NumBufferAllocs(g.Descs.InitMemory));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void FreeListBuffer_InUse_IsDroppedFromTheListAndSkipped()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        SetUsage(g, p, 0, 1); // buffer 0 was used since it was freed
        Assert.Equal(1, GetAndRelease(g, p));
        Assert.Equal(FREENEXT_NOT_IN_LIST, g.Strategy.FreeNextOf(g.Descs.InitMemory, 0));
        Assert.Equal(2, g.Strategy.FirstFreeBuffer(g.Descs.InitMemory));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void Sweep_DecrementsUsageCountsByOnePerPass_AndWrapCountsPasses()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        Drain(g, p);
        for (int i = 0; i < N; i++) SetUsage(g, p, i, 2);
        SetUsage(g, p, 5, 3);
        // pass 1 brings all to 1 (5 to 2), pass 2 all to 0 (5 to 1); the third pass takes buffer 0
        Assert.Equal(0, GetAndRelease(g, p));
        var m = g.Descs.InitMemory;
        for (int i = 0; i < N; i++)
            Assert.Equal(i == 5 ? 1u : 0u, BUF_STATE_GET_USAGECOUNT(m.ReadU32(g.Descs.GetBufferDescriptor(i).StateAddr)));
        Assert.Equal(2u, g.Strategy.CompletePasses(m));
        Assert.Equal(1u, g.Strategy.NextVictimBuffer(m));

        int start = Freelist.StrategySyncStart(p.Backend, g.Strategy, out uint passes, out uint allocs);
        Assert.Equal(1, start);
        Assert.Equal(2u, passes);
        Assert.Equal((uint)N + 1, allocs);
        Freelist.StrategySyncStart(p.Backend, g.Strategy, out _, out allocs);
        Assert.Equal(0u, allocs); // reset by the previous call
        // buffer 5 still has usage 1: the next victim skips it after one decrement
        for (int want = 1; want < 5; want++) Assert.Equal(want, GetAndRelease(g, p));
        Assert.Equal(6, GetAndRelease(g, p));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ClockSweepTick_WrapFoldsTheHand_AndSyncStartCountsAPendingFold()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        var m = g.Descs.InitMemory;
        for (int i = 0; i < N; i++) Assert.Equal(i, Freelist.ClockSweepTick(p.Backend, g.Strategy));
        Assert.Equal((uint)N, g.Strategy.NextVictimBuffer(m)); // not folded yet: nobody drew ticket N
        Assert.Equal(0u, g.Strategy.CompletePasses(m));
        Assert.Empty(g.CheckAll(final: true)); // a hand at exactly N is not a missing fold
        Assert.Equal(0, Freelist.StrategySyncStart(p.Backend, g.Strategy, out uint passes, out _));
        Assert.Equal(1u, passes); // the pending pass is already counted
        Assert.Equal(0, Freelist.ClockSweepTick(p.Backend, g.Strategy));
        Assert.Equal(1u, g.Strategy.NextVictimBuffer(m));
        Assert.Equal(1u, g.Strategy.CompletePasses(m));
        Assert.Equal(1, Freelist.StrategySyncStart(p.Backend, g.Strategy, out passes, out _));
        Assert.Equal(1u, passes);

        // a wrapper delayed while others drew further tickets folds to its own view modulo N
        m.WriteU32(g.Strategy.NextVictimBufferAddr, 2 * N + 3); // as if tickets up to 2N+2 were drawn
        Assert.Equal(3, Freelist.StrategySyncStart(p.Backend, g.Strategy, out passes, out _));
        Assert.Equal(1u + 2, passes);
        Assert.Equal(3, Freelist.ClockSweepTick(p.Backend, g.Strategy)); // ticket 2N+3: no fold of its own
        Assert.Equal(2u * N + 4, g.Strategy.NextVictimBuffer(m));
        Assert.Contains(g.CheckAll(), e => e.StartsWith("F4:", StringComparison.Ordinal));
    }

    [Fact]
    public void PinnedBuffers_AreSkipped()
    {
        var g = new BufferBackends(2, N);
        BufferPins p = g.Pins[0], other = g.Pins[1];
        Drain(g, p);
        for (int i = 0; i < 4; i++) BufferBackends.Pin(other, g.Descs.GetBufferDescriptor(i));
        Assert.Equal(4, GetAndRelease(g, p));
        for (int i = 0; i < 4; i++)
            Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(g.Descs.InitMemory.ReadU32(g.Descs.GetBufferDescriptor(i).StateAddr)));
        for (int i = 0; i < 4; i++) other.UnpinBuffer(g.Descs.GetBufferDescriptor(i));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void NoUnpinnedBuffers_ExactlyWhenEveryBufferIsPinned()
    {
        var g = new BufferBackends(2, N);
        BufferPins p = g.Pins[0], other = g.Pins[1];
        Drain(g, p);
        for (int i = 1; i < N; i++) BufferBackends.Pin(other, g.Descs.GetBufferDescriptor(i));
        SetUsage(g, p, 0, BM_MAX_USAGE_COUNT);
        // one unpinned buffer, even at the maximum usage count, is found
        Assert.Equal(0, GetAndRelease(g, p));
        BufferBackends.Pin(other, g.Descs.GetBufferDescriptor(0));
        var e = Assert.Throws<PgErrorException>(() => Freelist.StrategyGetBuffer(p.Backend, g.Strategy, null, out _, out _));
        Assert.Equal("no unpinned buffers available", e.Message);
        // no header lock or spinlock is left behind by the ERROR
        Assert.Empty(g.CheckAll());
        other.UnpinBuffer(g.Descs.GetBufferDescriptor(7));
        Assert.Equal(7, GetAndRelease(g, p));
        for (int i = 0; i < N; i++)
            if (i != 7) other.UnpinBuffer(g.Descs.GetBufferDescriptor(i));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void StrategyFreeBuffer_PushesOnTheFront_Once()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        var m = g.Descs.InitMemory;
        Drain(g, p);
        Freelist.StrategyFreeBuffer(p.Backend, g.Strategy, g.Descs.GetBufferDescriptor(7));
        Assert.Equal(7, g.Strategy.FirstFreeBuffer(m));
        Assert.Equal(7, g.Strategy.LastFreeBuffer(m));
        Assert.Equal(FREENEXT_END_OF_LIST, g.Strategy.FreeNextOf(m, 7));
        Freelist.StrategyFreeBuffer(p.Backend, g.Strategy, g.Descs.GetBufferDescriptor(3));
        Freelist.StrategyFreeBuffer(p.Backend, g.Strategy, g.Descs.GetBufferDescriptor(7)); // already listed: no-op
        Assert.Equal(3, g.Strategy.FirstFreeBuffer(m));
        Assert.Equal(7, g.Strategy.FreeNextOf(m, 3));
        Assert.Equal(7, g.Strategy.LastFreeBuffer(m));
        Assert.Empty(g.CheckAll(final: true));
        Assert.Equal(3, GetAndRelease(g, p));
        Assert.Equal(7, GetAndRelease(g, p));
        Assert.Equal(0, GetAndRelease(g, p)); // then the clock
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void NotifyBgWriter_WakesItOnceOnTheNextAllocation()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        var woken = new List<int>();
        g.Strategy.SetLatch = woken.Add;
        GetAndRelease(g, p);
        Assert.Empty(woken);
        Freelist.StrategyNotifyBgWriter(p.Backend, g.Strategy, 5);
        Assert.Equal(5, g.Strategy.Bgwprocno(g.Descs.InitMemory));
        GetAndRelease(g, p);
        GetAndRelease(g, p);
        Assert.Equal(new[] { 5 }, woken);
        Assert.Equal(-1, g.Strategy.Bgwprocno(g.Descs.InitMemory));
        Freelist.StrategyNotifyBgWriter(p.Backend, g.Strategy, 5);
        Freelist.StrategyNotifyBgWriter(p.Backend, g.Strategy, -1); // cancelled
        GetAndRelease(g, p);
        Assert.Equal(new[] { 5 }, woken);
    }
}
