// SimRedo: crash recovery for SimStorage from SimWal (xlog.c StartupXLOG's redo loop and
// xlogutils.c XLogReadBufferForRedoExtended, PostgreSQL 17, reduced to what the buffer manager's
// durability needs). Replay starts at the control file's redo pointer (the start of the log when
// there has been no checkpoint) and applies each durable record in LSN order, straight to storage:
//
//   FullPageImage  restored unconditionally (BKPIMAGE_APPLY): smgrcreate(isRedo) if the fork is
//                  missing, the fork extended with zero pages up to the block if it is short
//                  (RBM_ZERO_AND_LOCK), the image written with pd_lsn = the record's end LSN (unless
//                  the image is a new, all-zero page). Unconditional on purpose: a torn page may
//                  carry a newer LSN in its first sector than the rest of it deserves.
//   PageBytes      BLK_NEEDS_REDO only if the record's end LSN is newer than the page's LSN on disk;
//                  then the bytes are written and pd_lsn set. A block that does not exist is
//                  BLK_NOTFOUND and the record is skipped (PostgreSQL remembers it in the
//                  invalid-page table and complains at consistency; here it is counted).
//   Checkpoint, Noop  nothing.
//
// Pages written by redo get their checksum when checksums are on (as FlushBuffer would when the
// startup process's buffers are written). After replay the log's insert position is the end of the
// last durable record, so a crash followed by Redo recovers every page whose WAL was flushed: with
// full_page_writes (the first change of a page after a checkpoint's redo pointer is an image) the
// result is the last durable image plus the later durable changes.
//
// Divergences: replay writes storage directly rather than through shared buffers (the startup
// process's buffers would be written at the end-of-recovery checkpoint anyway); no end-of-recovery
// checkpoint is written; storage faults apply to redo's own reads and writes (a crash during redo
// can be followed by another Redo, which is idempotent).
using Allocator.Buffers;

namespace Allocator.Storage;

/// <summary>What one replay did.</summary>
public readonly record struct RedoResult(
    ulong RedoStart, ulong EndOfWal, int Replayed, int ImagesRestored, int ChangesApplied,
    int ChangesSkipped, int NotFound);

public static class SimRedo
{
    /// <summary>StartupXLOG's redo: replay <paramref name="wal"/>'s durable records onto <paramref name="storage"/>.</summary>
    public static RedoResult StartupXLOG(SimWal wal, SimStorage storage)
    {
        ulong redo = wal.CheckpointRedo;
        if (redo == SimWal.InvalidXLogRecPtr) redo = wal.StartLsn;
        // Unflushed records are not on disk: recovery starts from the crash's view of the log.
        wal.Crash();

        int replayed = 0, images = 0, applied = 0, skipped = 0, notFound = 0;
        var page = new byte[storage.BlckSz];
        foreach (XLogRecord rec in wal.FlushedRecords)
        {
            if (rec.StartLsn < redo) continue;
            replayed++;
            switch (rec.Kind)
            {
                case XLogRecordKind.FullPageImage:
                    RestoreImage(storage, rec);
                    images++;
                    break;
                case XLogRecordKind.SmgrTruncate:
                    if (storage.Exists(rec.Rel, rec.Fork) && storage.Nblocks(rec.Rel, rec.Fork) > rec.Block)
                        storage.Truncate(rec.Rel, rec.Fork, rec.Block);
                    break;
                case XLogRecordKind.PageBytes:
                    if (!storage.Exists(rec.Rel, rec.Fork) || rec.Block >= storage.Nblocks(rec.Rel, rec.Fork))
                    {
                        notFound++;
                        break;
                    }
                    storage.Read(rec.Rel, rec.Fork, rec.Block, page);
                    if (PageHeader.PageGetLSN(page) >= rec.EndLsn)
                    {
                        skipped++; // BLK_DONE: the page already has this change
                        break;
                    }
                    rec.Data!.CopyTo(page.AsSpan(rec.Offset));
                    PageHeader.PageSetLSN(page, rec.EndLsn);
                    WritePage(storage, rec.Rel, rec.Fork, rec.Block, page, extend: false);
                    applied++;
                    break;
            }
        }
        return new RedoResult(redo, wal.InsertLsn, replayed, images, applied, skipped, notFound);
    }

    private static void RestoreImage(SimStorage storage, XLogRecord rec)
    {
        if (rec.Data!.Length != storage.BlckSz)
            throw new InvalidOperationException($"record at {SimWal.Format(rec.StartLsn)} holds a {rec.Data.Length}-byte image, storage pages are {storage.BlckSz}");
        storage.Create(rec.Rel, rec.Fork, isRedo: true);
        byte[] page = (byte[])rec.Data.Clone();
        // XLogReadBufferForRedoExtended leaves a new page's LSN alone (it stays all-zero).
        if (!PageHeader.PageIsNew(page)) PageHeader.PageSetLSN(page, rec.EndLsn);
        bool extend = rec.Block >= storage.Nblocks(rec.Rel, rec.Fork);
        WritePage(storage, rec.Rel, rec.Fork, rec.Block, page, extend);
    }

    private static void WritePage(SimStorage storage, RelFileLocator rel, ForkNumber fork, uint blkno, byte[] page, bool extend)
    {
        if (storage.ChecksumsEnabled) PageChecksum.SetInplace(page, blkno); // new pages stay unstamped
        // A block beyond the end: Extend fills the gap with zero pages, as md.c leaves a hole.
        if (extend) storage.Extend(rel, fork, blkno, page);
        else storage.Write(rel, fork, blkno, page);
    }
}
