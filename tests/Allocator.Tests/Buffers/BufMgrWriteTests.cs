// Dirtying and writing (spec §8): MarkBufferDirty, MarkBufferDirtyHint (WAL-logged hint on a
// permanent page with checksums, LSN only on a clean page), FlushOneBuffer/FlushBuffer (WAL first,
// checksummed copy, clean afterwards), BM_JUST_DIRTIED keeping a page dirty when a hint lands
// during the write, and a write fault (still dirty, BM_IO_ERROR, the next flush succeeds).
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrWriteTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    private static void SetVersion(BufMgr b, int buf, byte v, ulong lsn = 0)
    {
        Span<byte> page = b.Backend.Memory.Span(b.BufferGetPage(buf), 64);
        page[PageHeader.SizeOfPageHeaderData + 1] = v;
        if (lsn != 0) PageHeader.PageSetLSN(page, lsn);
    }

    [Fact]
    public void MarkBufferDirty_NeedsTheExclusiveLock()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        Assert.Throws<AssertionFailureException>(() => a.MarkBufferDirty(buf));
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        Assert.Throws<PgErrorException>(() => a.LockBuffer(buf, 7));
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void FlushOneBuffer_WritesWalFirst_ChecksumsTheCopy_AndCleans()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 1);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong lsn = g.Pool.Wal.Advance(100);
        SetVersion(a, buf, 3, lsn);
        a.MarkBufferDirty(buf);
        a.FlushOneBuffer(buf);
        Assert.Equal(0u, g.State(buf) & (BM_DIRTY | BM_JUST_DIRTIED | BM_IO_IN_PROGRESS));
        Assert.Equal(lsn, g.Pool.Wal.FlushedLsn);
        byte[] disk = g.Pool.Storage.PeekBlock(RelA, Main, 1);
        Assert.Equal(3, disk[PageHeader.SizeOfPageHeaderData + 1]);
        Assert.True(PageChecksum.PageIsVerified(disk, 1, true, out _));
        // the shared page itself was not checksummed in place (a copy was)
        Assert.NotEqual(PageHeader.GetChecksum(disk), PageHeader.GetChecksum(a.ReadPage(buf)));
        ulong ops = g.Pool.Storage.Faults.OperationCount;
        a.FlushOneBuffer(buf); // clean: nothing to write
        Assert.Equal(ops, g.Pool.Storage.Faults.OperationCount);
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void MarkBufferDirtyHint_LogsAHintRecord_AndSetsTheLsnOnlyOnACleanPage()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        ulong before = g.Pool.Wal.InsertLsn;
        a.MarkBufferDirtyHint(buf, true);
        ulong hintLsn = g.Pool.Wal.InsertLsn;
        Assert.True(hintLsn > before);
        Assert.Equal(hintLsn, PageHeader.PageGetLSN(a.ReadPage(buf)));
        Assert.Equal(BM_DIRTY | BM_JUST_DIRTIED, g.State(buf) & (BM_DIRTY | BM_JUST_DIRTIED));
        a.MarkBufferDirtyHint(buf, true); // already dirty and just dirtied: nothing at all
        Assert.Equal(hintLsn, g.Pool.Wal.InsertLsn);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        a.FlushOneBuffer(buf);
        Assert.Equal(hintLsn, g.Pool.Wal.FlushedLsn); // the hint record went out before the page
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void MarkBufferDirtyHint_WithoutChecksumsOrOnUnlogged_WritesNoWal()
    {
        var g = new BufMgrBackends(1, checksums: false);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        ulong before = g.Pool.Wal.InsertLsn;
        a.MarkBufferDirtyHint(buf, true);
        Assert.Equal(before, g.Pool.Wal.InsertLsn);
        Assert.Equal(0UL, PageHeader.PageGetLSN(a.ReadPage(buf)));
        Assert.NotEqual(0u, g.State(buf) & BM_DIRTY);
        a.UnlockReleaseBuffer(buf);

        var h = new BufMgrBackends(1);
        h.CreateRel(RelA, 1);
        buf = h[0].ReadBuffer(Rel(RelA, permanent: false), Main, 0);
        h[0].LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        before = h.Pool.Wal.InsertLsn;
        h[0].MarkBufferDirtyHint(buf, true);
        Assert.Equal(before, h.Pool.Wal.InsertLsn);
        h[0].UnlockReleaseBuffer(buf);
    }

    /// <summary>A hint set by another backend (under its share lock) after FlushBuffer cleared
    /// BM_JUST_DIRTIED and before it copied the page: the write may or may not contain it, so the
    /// buffer must stay dirty after the write; a hint that lands before the clear is in the copy.</summary>
    [Fact]
    public void JustDirtied_KeepsAHintDirtiedPageDirtyAcrossAFlush()
    {
        var g = new BufMgrBackends(0);
        g.CreateRel(RelA, 1);
        BufMgr? hinter = null;
        int buf = 0;
        bool fired = false;
        BufMgr flusher = g.Pool.Attach(0, mem => new HookRuntime(new ProductionSyncRuntime(mem, g.Pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                // FlushBuffer's header unlock after clearing BM_JUST_DIRTIED, with the write ours
                if (fired || hinter is null || !BufMgrReadTests.IsStateWord(g, addr)) return;
                if ((value & BM_IO_IN_PROGRESS) == 0 || (value & BM_JUST_DIRTIED) != 0 || (value & BM_DIRTY) == 0) return;
                fired = true;
                hinter.Backend.Memory.WriteU8(hinter.BufferGetPage(buf) + 100, 0x5A); // the hint bit itself
                hinter.MarkBufferDirtyHint(buf, true);
            },
        });
        hinter = g.Pool.Attach(1);

        buf = flusher.ReadBuffer(Rel(RelA), Main, 0);
        Assert.Equal(buf, hinter.ReadBuffer(Rel(RelA), Main, 0));
        flusher.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        SetVersion(flusher, buf, 1, g.Pool.Wal.Advance(64));
        flusher.MarkBufferDirty(buf);
        flusher.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);

        // both share-lock it; the flusher writes while the hinter sets a hint
        flusher.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        hinter.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        flusher.FlushOneBuffer(buf);
        Assert.True(fired);
        uint s = g.State(buf);
        Assert.Equal(BM_DIRTY | BM_JUST_DIRTIED, s & (BM_DIRTY | BM_JUST_DIRTIED | BM_IO_IN_PROGRESS));
        Assert.Equal(1, g.Pool.Storage.PeekBlock(RelA, Main, 0)[PageHeader.SizeOfPageHeaderData + 1]);

        // the next flush writes the hint and cleans the buffer
        fired = true;
        flusher.FlushOneBuffer(buf);
        Assert.Equal(0u, g.State(buf) & BM_DIRTY);
        Assert.Equal(0x5A, g.Pool.Storage.PeekBlock(RelA, Main, 0)[100]);
        Assert.True(PageChecksum.PageIsVerified(g.Pool.Storage.PeekBlock(RelA, Main, 0), 0, true, out _));
        flusher.UnlockReleaseBuffer(buf);
        hinter.UnlockReleaseBuffer(buf);
        Assert.Empty(BufferCheck.Check(g.Pool.Descriptors, new BufferPins?[] { flusher.Pins, hinter.Pins }, final: true));
    }

    [Fact]
    public void WriteFault_LeavesItDirtyWithIoError_AndTheNextFlushSucceeds()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        SetVersion(a, buf, 9);
        a.MarkBufferDirty(buf);
        faults.Next(StorageFaultKind.WriteError);
        var e = Assert.Throws<PgErrorException>(() => a.FlushOneBuffer(buf));
        Assert.Equal("could not write blocks 0..0 in file \"base/5/16384\": Input/output error", e.Message);
        a.AbortCurrentTransaction(); // releases the content lock, ends the I/O, drops the pin
        uint s = g.State(buf);
        Assert.Equal(BM_VALID | BM_DIRTY | BM_IO_ERROR, s & (BM_VALID | BM_DIRTY | BM_IO_ERROR | BM_IO_IN_PROGRESS));
        Assert.Equal(0, g.Pool.Storage.PeekBlock(RelA, Main, 0)[PageHeader.SizeOfPageHeaderData + 1]);
        Assert.Empty(g.CheckAll(final: true));

        buf = a.ReadBuffer(Rel(RelA), Main, 0); // still resident, with our change
        Assert.Equal(((byte)0, (byte)9), g.Marker(buf));
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        a.FlushOneBuffer(buf);
        Assert.Equal(0u, g.State(buf) & (BM_DIRTY | BM_IO_ERROR));
        Assert.Equal(9, g.Pool.Storage.PeekBlock(RelA, Main, 0)[PageHeader.SizeOfPageHeaderData + 1]);
        a.UnlockReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void DirtyVictim_WriteFault_IsAnErrorOfTheReader_AndTheVictimStaysDirty()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, nbuffers: 16, faults: faults);
        g.CreateRel(RelA, 17);
        BufMgr a = g[0];
        for (uint blk = 0; blk < 16; blk++)
        {
            int b = a.ReadBuffer(Rel(RelA), Main, blk);
            a.LockBuffer(b, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
            SetVersion(a, b, 2);
            a.MarkBufferDirty(b);
            a.UnlockReleaseBuffer(b);
        }
        faults.Next(StorageFaultKind.WriteError);
        Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 16));
        a.AbortCurrentTransaction();
        int dirtyWithError = 0;
        for (int b = 1; b <= 16; b++)
        {
            uint s = g.State(b);
            Assert.NotEqual(0u, s & BM_DIRTY);
            if ((s & BM_IO_ERROR) != 0) dirtyWithError++;
        }
        Assert.Equal(1, dirtyWithError);
        Assert.Empty(g.CheckAll(final: true));
        int buf = a.ReadBuffer(Rel(RelA), Main, 16); // the retry evicts (writing) a dirty page
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }
}
