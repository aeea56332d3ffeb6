// SimWal: the least write-ahead log that lets the buffer manager's WAL-before-data rule and crash
// recovery be checked. It keeps records (XLogRecord: full-page images, incremental page changes,
// checkpoints, no-ops), each with its start and end LSN. XLogInsert-like calls return the record's
// end LSN (what a caller stores in pd_lsn), XLogFlush(lsn) makes every record up to lsn durable, and
// a crash discards every record that was inserted but not flushed. Replay after a crash is SimRedo.
//
// The "control file": the last checkpoint's location and redo pointer survive a crash (they are
// written only after the checkpoint record is flushed, as CreateCheckPoint does); replay starts at
// that redo pointer. Logging a checkpoint recycles the records that end at or before its redo
// pointer (RemoveOldXlogFiles), which keeps a long run's log bounded.
//
// Simplifications: record sizes are MAXALIGNed as PostgreSQL does, but WAL page and segment headers
// are not modelled, so LSNs advance by exactly the aligned record sizes. A flush flushes to the end
// of the record containing the requested LSN (PostgreSQL may flush further, up to a page/insert
// boundary; the rule being checked only needs "at least"), so the flushed LSN is always a record
// boundary and a crash never leaves half a record.
//
// Concurrency: the log is a device outside shared memory, like SimStorage. Backends on real threads
// (the production runtime) call it concurrently from FlushBuffer, so each call is atomic behind a
// private monitor; it never calls the sync seam while holding it, so under a controlled scheduler
// (one backend runs at a time) the monitor is never contended and adds no scheduling point.
//
// Messages: a flush request beyond what was inserted is PostgreSQL's XLogFlush failure ("xlog flush
// request %X/%X is not satisfied --- flushed only to %X/%X", after flushing everything inserted).
// The write-ahead check itself (pd_lsn must be <= the flushed LSN when a permanent page is written)
// is not an error PostgreSQL raises - its FlushBuffer calls XLogFlush first so the rule holds by
// construction - so here it is our own assertion, reported as an AssertionFailureException.
using Allocator.Buffers;
using Allocator.Common;

namespace Allocator.Storage;

public sealed class SimWal
{
    /// <summary>InvalidXLogRecPtr.</summary>
    public const ulong InvalidXLogRecPtr = 0;

    /// <summary>Default start: the beginning of the second 16 MB segment (nothing is below it).</summary>
    public const ulong DefaultStartLsn = 0x0100_0000;

    private readonly object _mutex = new();
    private readonly List<XLogRecord> _records = new();
    private ulong _insertLsn, _flushedLsn, _checkpointLsn, _checkpointRedo;
    private int _flushCount;

    /// <summary>Where the log began (the first record's start; replay starts here when there has been no checkpoint).</summary>
    public ulong StartLsn { get; }

    /// <summary>Next byte to be inserted (end of the last inserted record).</summary>
    public ulong InsertLsn { get { lock (_mutex) return _insertLsn; } }

    /// <summary>Everything below this is durable (LogwrtResult.Flush); always a record boundary.</summary>
    public ulong FlushedLsn { get { lock (_mutex) return _flushedLsn; } }

    /// <summary>Number of XLogFlush calls that actually advanced the flushed LSN.</summary>
    public int FlushCount { get { lock (_mutex) return _flushCount; } }

    /// <summary>ControlFile->checkPoint: the last completed checkpoint's record, or InvalidXLogRecPtr.</summary>
    public ulong CheckpointLsn { get { lock (_mutex) return _checkpointLsn; } }

    /// <summary>ControlFile->checkPointCopy.redo: where replay starts, or InvalidXLogRecPtr (start of the log).</summary>
    public ulong CheckpointRedo { get { lock (_mutex) return _checkpointRedo; } }

    public SimWal(ulong startLsn = DefaultStartLsn)
    {
        if (startLsn == InvalidXLogRecPtr) throw new ArgumentOutOfRangeException(nameof(startLsn));
        StartLsn = startLsn;
        _insertLsn = startLsn;
        _flushedLsn = startLsn;
    }

    /// <summary>%X/%X, as PostgreSQL prints an LSN.</summary>
    public static string Format(ulong lsn) => $"{(uint)(lsn >> 32):X}/{(uint)lsn:X}";

    /// <summary>A copy of the records still kept (inserted, not recycled), in LSN order.</summary>
    public IReadOnlyList<XLogRecord> Records
    {
        get { lock (_mutex) return _records.ToArray(); }
    }

    /// <summary>The kept records that are durable (end at or before the flushed LSN), in LSN order:
    /// what a restart finds on disk.</summary>
    public IReadOnlyList<XLogRecord> FlushedRecords
    {
        get
        {
            lock (_mutex)
            {
                var r = new List<XLogRecord>(_records.Count);
                foreach (XLogRecord rec in _records)
                {
                    if (rec.EndLsn > _flushedLsn) break;
                    r.Add(rec);
                }
                return r;
            }
        }
    }

    private ulong Insert(int bytes, XLogRecordKind kind, RelFileLocator rel = default,
        ForkNumber fork = ForkNumber.InvalidForkNumber, uint block = BufferTag.InvalidBlockNumber,
        int offset = 0, byte[]? data = null, ulong redo = 0, bool shutdown = false)
    {
        lock (_mutex)
        {
            ulong start = _insertLsn;
            ulong end = start + (ulong)PageHeader.MaxAlign(bytes);
            _records.Add(new XLogRecord(start, end, kind, rel, fork, block, offset, data, redo, shutdown));
            _insertLsn = end;
            return end;
        }
    }

    /// <summary>XLogInsert of a record without redo action (XLOG_NOOP) of <paramref name="bytes"/>
    /// (MAXALIGNed); returns its end LSN.</summary>
    public ulong Advance(int bytes)
    {
        if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes));
        return Insert(bytes, XLogRecordKind.Noop);
    }

    /// <summary>log_newpage-like: a full-page image of block <paramref name="blkno"/>; returns the
    /// record's end LSN, which the caller then stores in the page (PageSetLSN) as PostgreSQL does.
    /// The image is copied as given (its own pd_lsn is whatever it was; redo sets the new one).</summary>
    public ulong XLogInsertFullPageImage(RelFileLocator rel, ForkNumber fork, uint blkno, ReadOnlySpan<byte> page)
    {
        if (blkno == BufferTag.InvalidBlockNumber) throw new ArgumentOutOfRangeException(nameof(blkno));
        if (!PageHeader.IsValidBlockSize(page.Length)) throw new ArgumentException("not a page", nameof(page));
        return Insert(XLogRecord.FullPageImageSize(page.Length), XLogRecordKind.FullPageImage, rel, fork, blkno,
            data: page.ToArray());
    }

    /// <summary>An incremental change: <paramref name="bytes"/> written at <paramref name="offset"/> of
    /// block <paramref name="blkno"/>; returns the end LSN (the caller stores it in the page).</summary>
    public ulong XLogInsertPageBytes(RelFileLocator rel, ForkNumber fork, uint blkno, int offset, ReadOnlySpan<byte> bytes)
    {
        if (blkno == BufferTag.InvalidBlockNumber) throw new ArgumentOutOfRangeException(nameof(blkno));
        if (offset < PageHeader.SizeOfPageHeaderData || bytes.IsEmpty)
            throw new ArgumentOutOfRangeException(nameof(offset), "a change must be non-empty and stay off the page header");
        return Insert(XLogRecord.PageBytesSize(bytes.Length), XLogRecordKind.PageBytes, rel, fork, blkno,
            offset, bytes.ToArray());
    }

    /// <summary>XLOG_SMGR_TRUNCATE: fork <paramref name="fork"/> of <paramref name="rel"/> cut to
    /// <paramref name="nblocks"/> blocks; returns the end LSN (RelationTruncate flushes up to it
    /// before truncating the file, so the truncation is never lost while the file stays short).</summary>
    public ulong XLogInsertTruncate(RelFileLocator rel, ForkNumber fork, uint nblocks) =>
        Insert(XLogRecord.SizeOfXLogRecord + XLogRecord.SizeOfSmgrTruncate, XLogRecordKind.SmgrTruncate, rel, fork, nblocks);

    /// <summary>CreateCheckPoint's tail: insert the checkpoint record for redo pointer
    /// <paramref name="redo"/>, flush it, then update the control file (only now does a crash start
    /// replay at <paramref name="redo"/>) and recycle the records that end at or before it. The
    /// caller took <paramref name="redo"/> (InsertLsn) before writing out the dirty buffers.
    /// Returns the checkpoint record's start LSN (ControlFile->checkPoint).</summary>
    public ulong LogCheckpoint(ulong redo, bool shutdown)
    {
        lock (_mutex)
        {
            if (redo < _checkpointRedo || redo > _insertLsn)
                throw new ArgumentOutOfRangeException(nameof(redo), $"redo pointer {Format(redo)} is not between the previous one and the end of the log");
        }
        ulong end = Insert(XLogRecord.CheckpointSize, XLogRecordKind.Checkpoint, redo: redo, shutdown: shutdown);
        XLogFlush(end);
        lock (_mutex)
        {
            XLogRecord rec = _records[^1];
            Pg.Assert(rec.EndLsn == end && rec.Kind == XLogRecordKind.Checkpoint);
            _checkpointLsn = rec.StartLsn;
            _checkpointRedo = redo;
            int drop = 0;
            while (drop < _records.Count && _records[drop].EndLsn <= redo) drop++;
            _records.RemoveRange(0, drop);
            return rec.StartLsn;
        }
    }

    /// <summary>Crash recovery onto <paramref name="storage"/>: see SimRedo.StartupXLOG.</summary>
    public RedoResult Redo(SimStorage storage) => SimRedo.StartupXLOG(this, storage);

    /// <summary>XLogNeedsFlush: true if <paramref name="lsn"/> is not yet durable.</summary>
    public bool XLogNeedsFlush(ulong lsn)
    {
        lock (_mutex) return lsn > _flushedLsn;
    }

    /// <summary>XLogFlush: make everything up to <paramref name="lsn"/> durable (to the end of the
    /// record containing it).</summary>
    public void XLogFlush(ulong lsn)
    {
        ulong flushed;
        lock (_mutex)
        {
            if (lsn <= _flushedLsn) return;
            ulong target = lsn;
            if (target > _insertLsn) target = _insertLsn; // "request to flush past end of generated WAL" (LOG), clamped
            target = RoundUpToRecordEnd(target);
            if (target > _flushedLsn)
            {
                _flushedLsn = target;
                _flushCount++;
            }
            flushed = _flushedLsn;
        }
        if (flushed < lsn)
        {
            throw new PgErrorException(
                $"xlog flush request {Format(lsn)} is not satisfied --- flushed only to {Format(flushed)}");
        }
    }

    /// <summary>The end of the record that contains <paramref name="lsn"/> (lsn itself at a boundary). Under the mutex.</summary>
    private ulong RoundUpToRecordEnd(ulong lsn)
    {
        int lo = 0, hi = _records.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_records[mid].EndLsn < lsn) lo = mid + 1;
            else hi = mid;
        }
        if (lo < _records.Count && _records[lo].StartLsn < lsn) return _records[lo].EndLsn;
        return lsn;
    }

    /// <summary>Crash: only the flushed part of the log survives (and the control file); insertion
    /// resumes at the end of the last durable record.</summary>
    public void Crash()
    {
        lock (_mutex)
        {
            int keep = _records.Count;
            while (keep > 0 && _records[keep - 1].EndLsn > _flushedLsn) keep--;
            _records.RemoveRange(keep, _records.Count - keep);
            _insertLsn = _flushedLsn;
        }
    }

    /// <summary>The write-ahead rule for one page about to be written (our assertion, see the header).</summary>
    public void AssertWriteAheadRule(ReadOnlySpan<byte> page)
    {
        ulong lsn = PageHeader.PageGetLSN(page);
        if (lsn > FlushedLsn)
        {
            throw new AssertionFailureException(
                $"page LSN {Format(lsn)} <= flushed WAL {Format(FlushedLsn)} (write-ahead rule; simulation's own check)",
                "SimWal.AssertWriteAheadRule");
        }
    }

    /// <summary>Steps 3 to 5 of FlushBuffer for a page already captured under the header lock: for a
    /// permanent page flush WAL up to its LSN, checksum a private copy if checksums are on (the
    /// caller's page is not modified), check the rule, and write the copy.</summary>
    public void FlushPage(SimStorage storage, RelFileLocator rel, ForkNumber fork, uint blkno,
        ReadOnlySpan<byte> page, bool permanent)
    {
        if (permanent) XLogFlush(PageHeader.PageGetLSN(page));
        byte[] copy = page.ToArray();
        if (storage.ChecksumsEnabled) PageChecksum.SetInplace(copy, blkno);
        if (permanent) AssertWriteAheadRule(copy);
        storage.Write(rel, fork, blkno, copy);
    }
}
