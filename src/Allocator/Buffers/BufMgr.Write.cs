// BufMgr.Write: dirtying and writing (bufmgr.c MarkBufferDirty, MarkBufferDirtyHint, FlushBuffer,
// FlushOneBuffer, PostgreSQL 17; spec §8).
//
// MarkBufferDirty runs under the exclusive content lock, so no flush can be copying the page; it
// sets BM_DIRTY | BM_JUST_DIRTIED with a CAS loop (V17 never changes a state word it does not hold
// the header lock of except by CAS). MarkBufferDirtyHint runs under a share lock, concurrently
// with a flush: FlushBuffer clears BM_JUST_DIRTIED before it copies the page, a hint that lands
// after that sets it again, and TerminateBufferIO then keeps the buffer dirty, so the hint is
// written next time. FlushBuffer writes WAL first for permanent buffers (the LSN read under the
// header lock, because hint-setters update it under that lock, not the content lock), then a
// checksummed private copy of the page.
//
// Divergence: XLogSaveBufferForHint logs a full-page image (a copy taken under the header lock)
// every time a hint dirties a permanent buffer with checksums on; PostgreSQL skips the record when
// the page was already logged since the last checkpoint's redo pointer, which is not modelled.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>MarkBufferDirty: pinned, content lock held exclusively.</summary>
    public void MarkBufferDirty(int buffer)
    {
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        Pg.Assert(BufferIsPinned(buffer));
        Pg.Assert(Backend.LWLocks.LWLockHeldByMeInMode(bufHdr.ContentLock, LWLockMode.LW_EXCLUSIVE));

        uint old_buf_state = ReadState(bufHdr);
        for (;;)
        {
            if ((old_buf_state & BM_LOCKED) != 0)
                old_buf_state = BufHdrLock.WaitBufHdrUnlocked(Backend, bufHdr);
            uint buf_state = old_buf_state;
            Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) > 0);
            buf_state |= BM_DIRTY | BM_JUST_DIRTIED;
            if (BufferDescriptors.CompareExchangeState(Rt, bufHdr, ref old_buf_state, buf_state)) break;
        }
    }

    /// <summary>MarkBufferDirtyHint: a non-critical change (hint bits) under any content lock. The
    /// caller has already changed the page. Skips the work when the buffer looks dirty and
    /// just-dirtied already (an unlocked, possibly stale read: losing a hint is acceptable).</summary>
    public void MarkBufferDirtyHint(int buffer, bool bufferStd)
    {
        _ = bufferStd; // only shapes the full-page image PostgreSQL would log
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        Pg.Assert(GetPrivateRefCount(buffer) > 0);
        Pg.Assert(Backend.LWLocks.LWLockHeldByMe(bufHdr.ContentLock));

        if ((ReadState(bufHdr) & (BM_DIRTY | BM_JUST_DIRTIED)) == (BM_DIRTY | BM_JUST_DIRTIED)) return;

        ulong lsn = SimWal.InvalidXLogRecPtr;
        // XLogHintBitIsNeeded(): with checksums a torn hint write would fail verification, so the
        // first dirtying of a permanent page after a checkpoint logs a full-page image
        if (Pool.Storage.ChecksumsEnabled && (ReadState(bufHdr) & BM_PERMANENT) != 0)
        {
            // XLogSaveBufferForHint: a share lock lets other hinters change the page, so the image is
            // a copy taken under the header lock; it is what repairs a torn write of this page
            byte[] image = new byte[Pool.BlckSz];
            uint s = LockBufHdr(bufHdr);
            Mem.ReadBytes(Pool.BufHdrGetBlock(buffer - 1), image);
            BufferTag tag = BufferDescriptors.ReadTag(Mem, bufHdr);
            UnlockBufHdr(bufHdr, s);
            lock (Pool.StorageLock)
                lsn = Pool.Wal.XLogInsertFullPageImage(new RelFileLocator(tag.SpcOid, tag.DbOid, tag.RelNumber), tag.ForkNum, tag.BlockNum, image);
        }

        uint buf_state = LockBufHdr(bufHdr);
        Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) > 0);
        if ((buf_state & BM_DIRTY) == 0)
        {
            // set the LSN only on a clean page: a dirty one may be being written right now with an
            // LSN the flusher already read, and its own WAL covers it
            if (lsn != SimWal.InvalidXLogRecPtr)
                PageHeader.PageSetLSN(Mem.Span(Pool.BufHdrGetBlock(buffer - 1), (ulong)PageHeader.SizeOfPageHeaderData), lsn);
        }
        buf_state |= BM_DIRTY | BM_JUST_DIRTIED;
        UnlockBufHdr(bufHdr, buf_state);
    }

    /// <summary>FlushBuffer: write a dirty buffer we pin (holding its content lock in some mode).
    /// A write ERROR leaves the I/O to the abort path (AbortBufferIO: still dirty, BM_IO_ERROR).</summary>
    /// <summary>FlushBuffer's page copy (PageSetChecksumCopy's static pageCopy), allocated on first use.</summary>
    private byte[]? _pageCopy;

    internal void FlushBuffer(BufferDesc buf)
    {
        // someone else may have written it already
        if (!StartBufferIO(buf, forInput: false, nowait: false)) return;

        int bufId = GetBufId(buf);
        ulong block = Pool.BufHdrGetBlock(bufId);
        // the tag cannot change while we pin the buffer
        BufferTag tag = BufferDescriptors.ReadTag(Mem, buf);

        // the LSN under the header lock (hint-setters write it under that lock); clearing
        // BM_JUST_DIRTIED now lets a concurrent hint keep the buffer dirty past this write
        uint buf_state = LockBufHdr(buf);
        ulong recptr = PageHeader.PageGetLSN(Mem.ReadSpan(block, (ulong)PageHeader.SizeOfPageHeaderData));
        buf_state &= ~BM_JUST_DIRTIED;
        UnlockBufHdr(buf, buf_state);

        // PageSetChecksumCopy: hint bits may change under a share lock, so checksum a copy, kept in
        // one buffer per backend as PostgreSQL keeps one static copy per process (storage copies
        // it on write, so nothing refers to it afterwards and a write allocates nothing)
        byte[] bufToWrite = _pageCopy ??= new byte[Pool.BlckSz];
        lock (Pool.StorageLock)
        {
            // WAL before data
            if ((buf_state & BM_PERMANENT) != 0 && Pool.Options.Canary != BufferCanary.FlushSkipsWalFlush) Pool.Wal.XLogFlush(recptr);
            Mem.ReadBytes(block, bufToWrite);
            if (Pool.Storage.ChecksumsEnabled && !PageHeader.PageIsNew(bufToWrite))
                PageChecksum.SetInplace(bufToWrite, tag.BlockNum);
            if ((buf_state & BM_PERMANENT) != 0) Pool.Wal.AssertWriteAheadRule(bufToWrite);
            Backend.LockOrder.BeforeIo("smgrwrite");
            Pool.Storage.Write(new RelFileLocator(tag.SpcOid, tag.DbOid, tag.RelNumber), tag.ForkNum, tag.BlockNum, bufToWrite);
        }

        // clean unless dirtied again meanwhile
        TerminateBufferIO(buf, clearDirty: true, 0, forgetOwner: true);
    }

    /// <summary>FlushOneBuffer: write a buffer we pin and hold the content lock of.</summary>
    public void FlushOneBuffer(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        Pg.Assert(Backend.LWLocks.LWLockHeldByMe(bufHdr.ContentLock));
        FlushBuffer(bufHdr);
    }
}
