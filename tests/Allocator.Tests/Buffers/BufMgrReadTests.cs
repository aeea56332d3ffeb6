// ReadBuffer and its paths (spec §6): hit, miss with a clean victim, miss with a dirty victim
// (WAL flushed before the write), ring strategies (reuse, bulk-read rejection of a victim that
// needs a WAL flush), every buffer pinned, zero-and-lock modes, and extension (new block, lock
// first, the collision with a leftover buffer beyond EOF, "unexpected data beyond EOF").
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrReadTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    private static BufferTag TagOf(RelFileLocator r, uint blk) => new(r.SpcOid, r.DbOid, r.RelNumber, Main, blk);

    internal static bool IsStateWord(BufMgrBackends g, ulong addr) =>
        addr >= BufferDescLayout.OFF_state && g.Pool.Descriptors.BufIdOf(new BufferDesc(addr - BufferDescLayout.OFF_state)) >= 0;

    private static int Lookup(BufMgrBackends g, BufferTag tag) => g.Pool.Table.BufTableLookup(tag, BufTable.BufTableHashCode(tag));

    /// <summary>Reads block 0 of RelA through <paramref name="ring"/> and leaves it dirty with a page
    /// LSN past the flushed WAL, so evicting it needs a WAL flush; returns the buffer and that LSN.</summary>
    private static (int Buffer, ulong Lsn) DirtyThroughRing(BufMgrBackends g, BufMgr a, BufferAccessStrategy ring)
    {
        int first = a.ReadBufferExtended(Rel(RelA), Main, 0, ReadBufferMode.RBM_NORMAL, ring);
        a.LockBuffer(first, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong lsn = g.Pool.Wal.Advance(64);
        PageHeader.PageSetLSN(a.Backend.Memory.Span(a.BufferGetPage(first), 24), lsn);
        a.MarkBufferDirty(first);
        a.UnlockReleaseBuffer(first);
        return (first, lsn);
    }

    [Fact]
    public void Miss_ThenHit_SameBuffer_NoSecondRead()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 4);
        BufMgr a = g[0], b = g[1];
        ulong ops = g.Pool.Storage.Faults.OperationCount;
        int buf = a.ReadBuffer(Rel(RelA), Main, 2);
        Assert.Equal(ops + 1, g.Pool.Storage.Faults.OperationCount);
        Assert.Equal((2, 0), ((int)g.Marker(buf).Block, (int)g.Marker(buf).Version));
        uint s = g.State(buf);
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, s & BUF_FLAG_MASK);
        Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(s));
        Assert.Equal(TagOf(RelA, 2), a.BufferGetTag(buf));
        Assert.Equal(2u, a.BufferGetBlockNumber(buf));
        Assert.Equal(buf - 1, Lookup(g, TagOf(RelA, 2)));

        int again = b.ReadBuffer(Rel(RelA), Main, 2); // another backend's hit
        Assert.Equal(buf, again);
        Assert.Equal(ops + 1, g.Pool.Storage.Faults.OperationCount);
        Assert.Equal(2u, BUF_STATE_GET_REFCOUNT(g.State(buf)));
        Assert.Equal(2u, BUF_STATE_GET_USAGECOUNT(g.State(buf)));
        Assert.Empty(g.CheckAll());
        a.ReleaseBuffer(buf);
        b.ReleaseBuffer(again);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void UnloggedRelation_IsNotPermanent_ButItsInitForkIs()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        g.Pool.Storage.Create(RelA, ForkNumber.INIT_FORKNUM);
        g.Pool.Storage.Extend(RelA, ForkNumber.INIT_FORKNUM, 0, g.MakePage(0, 0));
        int b1 = g[0].ReadBuffer(Rel(RelA, permanent: false), Main, 0);
        int b2 = g[0].ReadBuffer(Rel(RelA, permanent: false), ForkNumber.INIT_FORKNUM, 0);
        Assert.Equal(0u, g.State(b1) & BM_PERMANENT);
        Assert.NotEqual(0u, g.State(b2) & BM_PERMANENT);
        g[0].ReleaseBuffer(b1);
        g[0].ReleaseBuffer(b2);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void Miss_WithCleanVictims_EvictsWithoutWriting()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 40);
        BufMgr a = g[0];
        ulong ops0 = g.Pool.Storage.Faults.OperationCount;
        for (uint blk = 0; blk < 40; blk++)
        {
            int buf = a.ReadBuffer(Rel(RelA), Main, blk);
            Assert.Equal(((byte)blk, (byte)0), g.Marker(buf));
            a.ReleaseBuffer(buf);
        }
        Assert.Equal(ops0 + 40, g.Pool.Storage.Faults.OperationCount); // 40 reads, no writes
        int resident = 0;
        for (uint blk = 0; blk < 40; blk++)
            if (Lookup(g, TagOf(RelA, blk)) >= 0) resident++;
        Assert.Equal(16, resident);
        Assert.Equal(-1, Lookup(g, TagOf(RelA, 0))); // the oldest went first
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>Dirties block 0 with a WAL-logged change (its LSN not yet flushed), then forces its
    /// eviction: the victim's write flushes WAL up to the page LSN first and writes a checksummed page.</summary>
    [Fact]
    public void Miss_WithDirtyVictim_FlushesWalFirst_ThenWritesAChecksummedCopy()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 40);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong lsn = g.Pool.Wal.Advance(200);
        Span<byte> page = a.Backend.Memory.Span(a.BufferGetPage(buf), (ulong)g.Pool.BlckSz);
        page[PageHeader.SizeOfPageHeaderData + 1] = 7;
        PageHeader.PageSetLSN(page, lsn);
        a.MarkBufferDirty(buf);
        Assert.Equal(BM_DIRTY | BM_JUST_DIRTIED, g.State(buf) & (BM_DIRTY | BM_JUST_DIRTIED));
        a.UnlockReleaseBuffer(buf);
        Assert.True(g.Pool.Wal.XLogNeedsFlush(lsn));

        for (uint blk = 1; blk < 40; blk++) a.ReleaseBuffer(a.ReadBuffer(Rel(RelA), Main, blk));

        Assert.False(g.Pool.Wal.XLogNeedsFlush(lsn));
        Assert.Equal(lsn, g.Pool.Wal.FlushedLsn);
        byte[] disk = g.Pool.Storage.PeekBlock(RelA, Main, 0);
        Assert.Equal(7, disk[PageHeader.SizeOfPageHeaderData + 1]);
        Assert.Equal(lsn, PageHeader.PageGetLSN(disk));
        Assert.True(PageChecksum.PageIsVerified(disk, 0, true, out _));
        Assert.Equal(-1, Lookup(g, TagOf(RelA, 0)));
        // and it reads back
        buf = a.ReadBuffer(Rel(RelA), Main, 0);
        Assert.Equal(((byte)0, (byte)7), g.Marker(buf));
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void UnloggedDirtyVictim_IsWrittenWithoutAWalFlush()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 20);
        BufMgr a = g[0];
        BufferRelation unlogged = Rel(RelA, permanent: false);
        int buf = a.ReadBuffer(unlogged, Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong lsn = g.Pool.Wal.Advance(64);
        PageHeader.PageSetLSN(a.Backend.Memory.Span(a.BufferGetPage(buf), 24), lsn);
        a.MarkBufferDirty(buf);
        a.UnlockReleaseBuffer(buf);
        for (uint blk = 1; blk < 20; blk++) a.ReleaseBuffer(a.ReadBuffer(unlogged, Main, blk));
        Assert.Equal(-1, Lookup(g, TagOf(RelA, 0)));
        Assert.True(g.Pool.Wal.XLogNeedsFlush(lsn)); // not BM_PERMANENT: no WAL-before-data
        Assert.Equal(lsn, PageHeader.PageGetLSN(g.Pool.Storage.PeekBlock(RelA, Main, 0)));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void BulkReadRing_ReusesItsOwnBuffers()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 30);
        BufMgr a = g[0];
        BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Pool.Descriptors, g.Pool.BlckSz)!;
        Assert.Equal(2, ring.nbuffers);
        var used = new HashSet<int>();
        for (uint blk = 0; blk < 30; blk++)
        {
            int buf = a.ReadBufferExtended(Rel(RelA), Main, blk, ReadBufferMode.RBM_NORMAL, ring);
            used.Add(buf);
            Assert.Equal(((byte)blk, (byte)0), g.Marker(buf));
            Assert.True(BUF_STATE_GET_USAGECOUNT(g.State(buf)) <= 1);
            a.ReleaseBuffer(buf);
        }
        Assert.Equal(2, used.Count);
        Assert.Empty(g.CheckAll(final: true, rings: new[] { ring }));
    }

    [Fact]
    public void BulkReadRing_RejectsADirtyVictimThatNeedsAWalFlush()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 10);
        BufMgr a = g[0];
        BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Pool.Descriptors, g.Pool.BlckSz)!;
        (int first, ulong lsn) = DirtyThroughRing(g, a, ring);
        ulong flushed = g.Pool.Wal.FlushedLsn;
        for (uint blk = 1; blk < 6; blk++) a.ReleaseBuffer(a.ReadBufferExtended(Rel(RelA), Main, blk, ReadBufferMode.RBM_NORMAL, ring));
        // the dirty buffer came round in the ring, was rejected (not written, no WAL flush) and left the ring
        Assert.Equal(flushed, g.Pool.Wal.FlushedLsn);
        Assert.Equal(first - 1, Lookup(g, TagOf(RelA, 0)));
        Assert.NotEqual(0u, g.State(first) & BM_DIRTY);
        Assert.DoesNotContain(first, ring.buffers);
        Assert.Empty(g.CheckAll(final: true, rings: new[] { ring }));
    }

    [Fact]
    public void VacuumRing_WritesItsDirtyVictimInsteadOfRejecting()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 10);
        BufMgr a = g[0];
        BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, g.Pool.Descriptors, g.Pool.BlckSz)!;
        (int first, ulong lsn) = DirtyThroughRing(g, a, ring);
        for (uint blk = 1; blk < 6; blk++) a.ReleaseBuffer(a.ReadBufferExtended(Rel(RelA), Main, blk, ReadBufferMode.RBM_NORMAL, ring));
        Assert.False(g.Pool.Wal.XLogNeedsFlush(lsn));
        Assert.Equal(-1, Lookup(g, TagOf(RelA, 0)));
        Assert.Equal(lsn, PageHeader.PageGetLSN(g.Pool.Storage.PeekBlock(RelA, Main, 0)));
        Assert.Empty(g.CheckAll(final: true, rings: new[] { ring }));
    }

    [Fact]
    public void EveryBufferPinned_NoUnpinnedBuffersAvailable_ThenAbortReleasesThePins()
    {
        var g = new BufMgrBackends(1, nbuffers: 16);
        g.CreateRel(RelA, 17);
        BufMgr a = g[0];
        for (uint blk = 0; blk < 16; blk++) a.ReadBuffer(Rel(RelA), Main, blk);
        var e = Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 16));
        Assert.Equal("no unpinned buffers available", e.Message);
        Assert.Equal(16, a.Owner.Pins.Count);
        a.AbortCurrentTransaction();
        Assert.Empty(a.Owner.Pins);
        Assert.Empty(g.CheckAll(final: true));
        a.ReleaseBuffer(a.ReadBuffer(Rel(RelA), Main, 16));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ZeroAndLock_NotResident_ZeroesAndReturnsExclusive_WithoutReading()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 3);
        BufMgr a = g[0];
        ulong ops = g.Pool.Storage.Faults.OperationCount;
        int buf = a.ReadBufferExtended(Rel(RelA), Main, 1, ReadBufferMode.RBM_ZERO_AND_LOCK, null);
        Assert.Equal(ops, g.Pool.Storage.Faults.OperationCount);
        Assert.True(a.Backend.LWLocks.LWLockHeldByMeInMode(g.Desc(buf).ContentLock, LWLockMode.LW_EXCLUSIVE));
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        Assert.NotEqual(0u, g.State(buf) & BM_VALID);
        Assert.Equal(0u, g.State(buf) & BM_IO_IN_PROGRESS);
        Assert.Empty(a.Owner.IOs);
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ZeroAndLock_AlreadyValid_LocksWithoutZeroing()
    {
        var g = new BufMgrBackends(2);
        g.CreateRel(RelA, 3);
        BufMgr a = g[0], b = g[1];
        int reader = b.ReadBuffer(Rel(RelA), Main, 1); // a reader holding only a pin
        int buf = a.ReadBufferExtended(Rel(RelA), Main, 1, ReadBufferMode.RBM_ZERO_AND_LOCK, null);
        Assert.Equal(reader, buf);
        Assert.Equal(((byte)1, (byte)0), g.Marker(buf)); // not zeroed under the reader
        Assert.True(a.Backend.LWLocks.LWLockHeldByMeInMode(g.Desc(buf).ContentLock, LWLockMode.LW_EXCLUSIVE));
        a.UnlockReleaseBuffer(buf);
        b.ReleaseBuffer(reader);

        // the cleanup variant on a valid page takes a cleanup lock
        buf = a.ReadBufferExtended(Rel(RelA), Main, 1, ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK, null);
        Assert.True(a.IsBufferCleanupOK(buf));
        Assert.Equal(((byte)1, (byte)0), g.Marker(buf));
        a.UnlockReleaseBuffer(buf);
        // and on a page that is not resident, it zeroes
        buf = a.ReadBufferExtended(Rel(RelA), Main, 2, ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK, null);
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        Assert.True(a.IsBufferCleanupOK(buf));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void Extend_AddsAZeroBlock_ValidAndPinned_LockFirstHoldsExclusive()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0];
        int buf = a.ExtendBufferedRel(Rel(RelA), Main, null, lockFirst: false);
        Assert.Equal(3u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        Assert.Equal(2u, a.BufferGetBlockNumber(buf));
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, g.State(buf) & BUF_FLAG_MASK);
        Assert.False(a.Backend.LWLocks.LWLockHeldByMe(g.Desc(buf).ContentLock));
        a.ReleaseBuffer(buf);

        buf = a.ReadBufferExtended(Rel(RelA), Main, BufMgr.P_NEW, ReadBufferMode.RBM_ZERO_AND_LOCK, null);
        Assert.Equal(3u, a.BufferGetBlockNumber(buf));
        Assert.True(a.Backend.LWLocks.LWLockHeldByMeInMode(g.Desc(buf).ContentLock, LWLockMode.LW_EXCLUSIVE));
        Assert.Equal(4u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>A read beyond EOF fails and leaves a not-valid buffer for that block in the table; the
    /// next extension collides with it, returns its own victim and adopts that buffer.</summary>
    [Fact]
    public void ReadBeyondEof_IsAnError_AndExtensionAdoptsTheLeftoverBuffer()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0];
        var e = Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 2));
        Assert.Equal("could not read blocks 2..2 in file \"base/5/16384\": read only 0 of 1024 bytes", e.Message);
        a.AbortCurrentTransaction();
        int leftover = Lookup(g, TagOf(RelA, 2)) + 1;
        Assert.True(leftover > 0);
        Assert.Equal(BM_TAG_VALID | BM_IO_ERROR | BM_PERMANENT, g.State(leftover) & BUF_FLAG_MASK);
        Assert.Empty(g.CheckAll(final: true));

        int buf = a.ExtendBufferedRel(Rel(RelA), Main, null, lockFirst: false);
        Assert.Equal(leftover, buf);
        Assert.Equal(3u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, g.State(buf) & BUF_FLAG_MASK);
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void Extend_OverAValidNonEmptyBufferBeyondEof_IsUnexpectedData()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0];
        a.ReleaseBuffer(a.ReadBuffer(Rel(RelA), Main, 1)); // block 1 is resident and valid
        g.Pool.Storage.Truncate(RelA, Main, 1);              // the file shrank behind our back (a lying lseek)
        var e = Assert.Throws<PgErrorException>(() => a.ExtendBufferedRel(Rel(RelA), Main, null, false));
        Assert.Equal("unexpected data beyond EOF in block 1 of relation base/5/16384", e.Message);
        Assert.Equal("This has been seen to occur with buggy kernels; consider updating your system.", e.Detail);
        a.AbortCurrentTransaction();
        Assert.Equal(1u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void Extend_WriteFault_LeavesAnIoErrorBuffer_TheNextExtensionReusesIt()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        faults.Next(StorageFaultKind.WriteError);
        var e = Assert.Throws<PgErrorException>(() => a.ExtendBufferedRel(Rel(RelA), Main, null, false));
        Assert.Equal("could not extend file \"base/5/16384\": Input/output error", e.Message);
        a.AbortCurrentTransaction();
        int leftover = Lookup(g, TagOf(RelA, 1)) + 1;
        Assert.Equal(BM_TAG_VALID | BM_IO_ERROR | BM_PERMANENT, g.State(leftover) & BUF_FLAG_MASK);
        int buf = a.ExtendBufferedRel(Rel(RelA), Main, null, false);
        Assert.Equal(leftover, buf);
        Assert.Equal(2u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void BufferAlloc_InsertCollision_AdoptsTheOtherBackendsBuffer()
    {
        // backend 1 enters the tag while backend 0 is choosing its victim: run backend 0's read with a
        // runtime hook that lets backend 1 read the same block at the victim's PinBuffer_Locked store
        var g = new BufMgrBackends(0);
        BufMgr? other = null;
        bool fired = false;
        BufMgr a = g.Pool.Attach(0, mem => new HookRuntime(new ProductionSyncRuntime(mem, g.Pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                // the first header unlock that leaves a pin on an untagged buffer: our victim
                if (fired || other is null || !IsStateWord(g, addr) || (value & BM_TAG_VALID) != 0 || BUF_STATE_GET_REFCOUNT(value) != 1) return;
                fired = true;
                int theirs = other.ReadBuffer(Rel(RelA), Main, 1);
                other.ReleaseBuffer(theirs);
            },
        });
        other = g.Pool.Attach(1);
        g.CreateRel(RelA, 2);
        int buf = a.ReadBuffer(Rel(RelA), Main, 1);
        Assert.True(fired);
        Assert.Equal(((byte)1, (byte)0), g.Marker(buf));
        Assert.Equal(buf - 1, Lookup(g, TagOf(RelA, 1)));
        a.ReleaseBuffer(buf);
        Assert.Empty(BufferCheck.Check(g.Pool.Descriptors, new BufferPins?[] { a.Pins, other.Pins }, final: true));
        Assert.Empty(FreelistCheck.Check(g.Pool.Strategy));
        Assert.Empty(g.Pool.Table.Hash.Check());
        // the unused victim went back to the free list
        Assert.True(g.Pool.Strategy.FirstFreeBuffer(g.Pool.InitMemory) >= 0);
    }

    [Fact]
    public void TinyPool_TwoBuffers_EvictsAndRunsOut()
    {
        var g = new BufMgrBackends(2, nbuffers: 2);
        g.CreateRel(RelA, 5);
        BufMgr a = g[0], b = g[1];
        for (uint blk = 0; blk < 5; blk++)
        {
            int buf = a.ReadBuffer(Rel(RelA), Main, blk);
            Assert.Equal(((byte)blk, (byte)0), g.Marker(buf));
            a.ReleaseBuffer(buf);
        }
        int pa = a.ReadBuffer(Rel(RelA), Main, 0);
        int pb = b.ReadBuffer(Rel(RelA), Main, 1);
        var e = Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 2));
        Assert.Equal("no unpinned buffers available", e.Message);
        a.AbortCurrentTransaction();
        b.ReleaseBuffer(pb);
        Assert.Empty(g.CheckAll(final: true));
        _ = pa;
    }
}
