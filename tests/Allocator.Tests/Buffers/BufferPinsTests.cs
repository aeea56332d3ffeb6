// Single-backend and small multi-backend tests of the header lock, the private refcounts and
// pinning, each step followed by BufferCheck against a simple model (a pin count per buffer).
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufferPinsTests
{
    private static readonly BufferTag Tag7 = new(DEFAULTTABLESPACE_OID, 5, 16384, ForkNumber.MAIN_FORKNUM, 7);

    [Fact]
    public void PinUnpin_RandomSequence_MatchesAModel_AndCheckStaysClean()
    {
        const int N = 16;
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        BufferBackends.SetTagAndFlags(p, g.Desc(3), Tag7, BM_TAG_VALID | BM_VALID);
        var model = new int[N + 1];
        var uc = new uint[N + 1];
        var rng = new Prng(42);
        for (int step = 0; step < 2000; step++)
        {
            int buffer = 1 + rng.Index(N);
            BufferDesc d = g.Desc(buffer);
            if (model[buffer] > 0 && rng.Index(2) == 0)
            {
                p.UnpinBuffer(d);
                model[buffer]--;
            }
            else
            {
                bool valid = BufferBackends.Pin(p, d);
                Assert.Equal(buffer == 3, valid);
                if (model[buffer] == 0 && uc[buffer] < BM_MAX_USAGE_COUNT) uc[buffer]++;
                model[buffer]++;
            }
            for (int b = 1; b <= N; b++)
            {
                Assert.Equal(model[b], p.Refs.GetPrivateRefCount(b));
                Assert.Equal(model[b] > 0 ? 1u : 0u, BUF_STATE_GET_REFCOUNT(g.State(b)));
                Assert.Equal(uc[b], BUF_STATE_GET_USAGECOUNT(g.State(b)));
            }
            Assert.Empty(g.Check());
        }
        for (int b = 1; b <= N; b++)
            while (model[b]-- > 0) p.UnpinBuffer(g.Desc(b));
        Assert.Empty(g.Check(final: true));
        p.AtEOXact_Buffers(isCommit: true);
        Assert.Equal(0, g.Elog.WarningCount);
    }

    [Fact]
    public void UsageCount_DefaultStrategyCapsAtFive_RingStrategyOnlyRaisesFromZero()
    {
        var g = new BufferBackends(1, 4);
        BufferPins p = g.Pins[0];
        var ring = new BufferAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD);
        for (int i = 0; i < 3; i++) { BufferBackends.Pin(p, g.Desc(1), ring); p.UnpinBuffer(g.Desc(1)); }
        Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(g.State(1)));
        for (int i = 0; i < 8; i++) { BufferBackends.Pin(p, g.Desc(1)); p.UnpinBuffer(g.Desc(1)); }
        Assert.Equal(BM_MAX_USAGE_COUNT, BUF_STATE_GET_USAGECOUNT(g.State(1)));
        // a second pin by the same backend touches neither refcount nor usage count
        BufferBackends.Pin(p, g.Desc(2));
        uint before = g.State(2);
        BufferBackends.Pin(p, g.Desc(2));
        Assert.Equal(before, g.State(2));
        Assert.Equal(2, p.Refs.GetPrivateRefCount(2));
        p.UnpinBuffer(g.Desc(2));
        p.UnpinBuffer(g.Desc(2));
        Assert.Empty(g.Check(final: true));
    }

    [Fact]
    public void HeaderLock_SetsAndClearsBmLocked_AndPinBufferLockedPinsAndUnlocksInOneStore()
    {
        var g = new BufferBackends(1, 4);
        BufferPins p = g.Pins[0];
        BufferDesc d = g.Desc(2);
        uint s = BufHdrLock.LockBufHdr(p.Backend, d);
        Assert.Equal(BM_LOCKED, s);
        Assert.Equal(BM_LOCKED, g.State(2));
        Assert.Contains(g.Check(), e => e.StartsWith("B5:", StringComparison.Ordinal));
        p.ReservePrivateRefCountEntry();
        p.PinBuffer_Locked(d);
        Assert.Equal(BUF_REFCOUNT_ONE, g.State(2)); // unlocked, pinned, usage count untouched
        Assert.Equal(1, p.Refs.GetPrivateRefCount(2));
        Assert.Empty(g.Check());
        Assert.Equal(BUF_REFCOUNT_ONE, BufHdrLock.WaitBufHdrUnlocked(p.Backend, d));
        p.UnpinBuffer(d);
        Assert.Empty(g.Check(final: true));
    }

    [Fact]
    public void HeaderLock_HeldByOneBackend_MakesAnotherBackendsPinWaitForTheUnlock()
    {
        var g = new BufferBackends(2, 4);
        BufferDesc d = g.Desc(1);
        uint s = BufHdrLock.LockBufHdr(g.Pins[0].Backend, d);
        bool? valid = null;
        var t = new Thread(() => valid = BufferBackends.Pin(g.Pins[1], d));
        t.Start();
        // the pinner spins while BM_LOCKED is set: the word stays as the holder left it
        Assert.False(t.Join(50));
        Assert.Equal(BM_LOCKED, g.State(1));
        // publish a tag and BM_VALID in the unlocking store: the pin that waited must see them
        BufferDescriptors.WriteTag(g.Pins[0].Backend.Memory, d, Tag7);
        BufHdrLock.UnlockBufHdr(g.Pins[0].Backend, d, s | BM_TAG_VALID | BM_VALID);
        Assert.True(t.Join(10_000));
        Assert.True(valid);
        Assert.Equal(BM_TAG_VALID | BM_VALID | BUF_USAGECOUNT_ONE | BUF_REFCOUNT_ONE, g.State(1));
        g.Pins[1].UnpinBuffer(d);
        Assert.Empty(g.Check(final: true));
    }

    [Fact]
    public void HeaderLock_ExcludesOtherHolders_OnRealThreads()
    {
        const int Threads = 3, Iters = 2000;
        var g = new BufferBackends(Threads, 1);
        BufferDesc d = g.Desc(1);
        int inside = 0, violations = 0;
        ulong counter = d.TagAddr + BufferDescLayout.OFF_tag_blockNum; // a field the header lock protects
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            SyncBackend b = g.Pins[t].Backend;
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < Iters; i++)
                {
                    uint s = BufHdrLock.LockBufHdr(b, d);
                    if (Interlocked.Increment(ref inside) != 1) Interlocked.Increment(ref violations);
                    b.Memory.WriteU32(counter, b.Memory.ReadU32(counter) + 1);
                    Interlocked.Decrement(ref inside);
                    BufHdrLock.UnlockBufHdr(b, d, s);
                }
            });
            threads[t].Start();
        }
        foreach (Thread th in threads) Assert.True(th.Join(30_000));
        Assert.Equal(0, violations);
        Assert.Equal(unchecked(BufferTag.Cleared.BlockNum + (uint)(Threads * Iters)), g.Descs.InitMemory.ReadU32(counter));
        Assert.Equal(0u, g.State(1));
    }

    [Fact]
    public void PrivateRefCounts_OverflowIntoTheHash_AndMoveBackIntoTheArray()
    {
        var g = new BufferBackends(1, 16);
        BufferPins p = g.Pins[0];
        for (int b = 1; b <= 12; b++)
        {
            BufferBackends.Pin(p, g.Desc(b));
            Assert.Empty(g.Check());
        }
        Assert.Equal(4, p.Refs.Overflowed);
        Assert.Equal(4, p.Refs.HashCount);
        // the clock pushed out the first four array slots, which held buffers 1..4
        for (int b = 1; b <= 4; b++) Assert.True(p.Refs.InHash(b));
        for (int b = 5; b <= 12; b++) Assert.True(p.Refs.ArraySlotOf(b) >= 0);
        for (int b = 1; b <= 12; b++) Assert.Equal(1, p.Refs.GetPrivateRefCount(b)); // no move
        Assert.Equal(4, p.Refs.Overflowed);

        // a second pin of buffer 2 moves it back into the array, pushing another entry out
        BufferBackends.Pin(p, g.Desc(2));
        Assert.False(p.Refs.InHash(2));
        Assert.True(p.Refs.ArraySlotOf(2) >= 0);
        Assert.Equal(2, p.Refs.GetPrivateRefCount(2));
        Assert.Equal(4, p.Refs.Overflowed);
        Assert.Equal(1u, BUF_STATE_GET_REFCOUNT(g.State(2)));
        Assert.Empty(g.Check());

        // unpinning everything empties the hash (entries there are forgotten by deletion)
        for (int b = 1; b <= 12; b++) p.UnpinBuffer(g.Desc(b));
        Assert.Empty(g.Check());
        p.UnpinBuffer(g.Desc(2));
        Assert.Equal(0, p.Refs.Overflowed);
        Assert.Empty(p.Refs.Entries());
        Assert.Empty(g.Check(final: true));
    }

    [Fact]
    public void ForgottenArraySlot_BecomesTheReservation()
    {
        var r = new PrivateRefCount();
        r.ReservePrivateRefCountEntry();
        PrivateRefCountEntry e = r.NewPrivateRefCountEntry(9);
        Assert.False(r.HasReservation);
        e.refcount = 0;
        r.ForgetPrivateRefCountEntry(e);
        Assert.True(r.HasReservation);
        Assert.Equal(-1, r.ArraySlotOf(9));
        Assert.Empty(r.CheckP1("r"));
    }

    [Fact]
    public void LeakCheck_WarnsPerLeakedBuffer_AndAsserts()
    {
        var g = new BufferBackends(1, 8);
        BufferPins p = g.Pins[0];
        BufferBackends.SetTagAndFlags(p, g.Desc(3), Tag7, BM_TAG_VALID | BM_VALID);
        BufferBackends.Pin(p, g.Desc(3));
        BufferBackends.Pin(p, g.Desc(3));
        var ex = Assert.Throws<AssertionFailureException>(() => p.AtEOXact_Buffers(isCommit: true));
        Assert.Equal("RefCountErrors == 0", ex.Condition);
        Assert.Equal(1, g.Elog.WarningCount);
        Assert.Equal($"buffer refcount leak: [003] (rel=base/5/16384, blockNum=7, flags=0x{BM_TAG_VALID | BM_VALID:x}, refcount=1 2)", g.Elog.Messages[0].Text);
        Assert.Contains(g.Check(final: true), e => e.StartsWith("P2:", StringComparison.Ordinal));
    }

    [Fact]
    public void LastUnpin_WakesTheCleanupWaiter_WhenOnlyItsPinRemains()
    {
        var g = new BufferBackends(3, 4);
        BufferDesc d = g.Desc(1);
        BufferPins waiter = g.Pins[2];
        BufferBackends.Pin(g.Pins[0], d);
        BufferBackends.Pin(g.Pins[1], d);
        BufferBackends.Pin(waiter, d);
        // what LockBufferForCleanup does before sleeping
        uint s = BufHdrLock.LockBufHdr(waiter.Backend, d);
        BufferDescriptors.WriteWaitBackend(waiter.Backend.Memory, d, waiter.Backend.MyProcNumber);
        waiter.PinCountWaitBuf = d;
        BufHdrLock.UnlockBufHdr(waiter.Backend, d, s | BM_PIN_COUNT_WAITER);
        Assert.Empty(g.Check());

        int procno = waiter.Backend.MyProcNumber;
        g.Pins[0].UnpinBuffer(d); // refcount 2: no wake-up yet
        Assert.NotEqual(0u, g.State(1) & BM_PIN_COUNT_WAITER);
        Assert.False(Latch.IsSet(g.Segment.InitMemory, g.Segment, procno));
        g.Pins[1].UnpinBuffer(d); // refcount 1, the waiter's own pin: wake it (set its latch) and clear the flag
        Assert.Equal(0u, g.State(1) & BM_PIN_COUNT_WAITER);
        Assert.True(Latch.IsSet(g.Segment.InitMemory, g.Segment, procno));
        Assert.Equal(0u, g.Segment.InitMemory.ReadU32(g.Segment.SemAddr(procno))); // the LWLock semaphore is untouched
        Latch.ProcWaitForSignal(waiter.Backend); // returns at once: the latch is set
        Assert.False(Latch.IsSet(g.Segment.InitMemory, g.Segment, procno));
        waiter.PinCountWaitBuf = null;
        Assert.Empty(g.Check());
        waiter.UnpinBuffer(d);
        Assert.Empty(g.Check(final: true));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Pins.Select(p => (SyncBackend?)p.Backend).ToArray(), final: true));
    }

    [Fact]
    public void Check_ReportsCorruptedStateWords_ByTheirNumbers()
    {
        var g = new BufferBackends(2, 4);
        var m = g.Descs.InitMemory;
        m.WriteU32(g.Desc(1).StateAddr, 6 * BUF_USAGECOUNT_ONE);
        m.WriteU32(g.Desc(2).StateAddr, 3 * BUF_REFCOUNT_ONE | BM_DIRTY | BM_PIN_COUNT_WAITER);
        m.WriteU32(g.Desc(3).StateAddr, BM_VALID | BM_JUST_DIRTIED | BM_CHECKPOINT_NEEDED);
        m.WriteU32(g.Desc(4).StateAddr, BM_IO_IN_PROGRESS);
        BufferDescriptors.WriteTag(m, g.Desc(4), Tag7);
        var errors = g.Check();
        foreach (string n in new[] { "B1:", "B2:", "B3:", "B6:", "B7:", "B8:", "B9:", "B10:", "B12:", "B13:" })
            Assert.Contains(errors, e => e.StartsWith(n, StringComparison.Ordinal));
    }
}
