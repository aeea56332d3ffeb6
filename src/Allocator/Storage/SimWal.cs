// SimWal: the least write-ahead log that lets the buffer manager's WAL-before-data rule be checked.
// There are no records, only positions: Advance(bytes) reserves a record and returns its end LSN
// (what XLogInsert returns and what a caller stores in pd_lsn), XLogFlush(lsn) makes everything up
// to lsn durable, and a crash discards whatever was inserted but not flushed.
//
// Simplifications: record sizes are MAXALIGNed as PostgreSQL does, but WAL page and segment headers
// are not modelled, so LSNs advance by exactly the aligned record sizes. A flush always flushes
// exactly to the requested LSN (PostgreSQL may flush further, up to a page/insert boundary; the
// rule being checked only needs "at least").
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

    /// <summary>Next byte to be inserted (end of the last inserted record).</summary>
    public ulong InsertLsn { get; private set; }

    /// <summary>Everything below this is durable (LogwrtResult.Flush).</summary>
    public ulong FlushedLsn { get; private set; }

    /// <summary>Number of XLogFlush calls that actually advanced the flushed LSN.</summary>
    public int FlushCount { get; private set; }

    public SimWal(ulong startLsn = DefaultStartLsn)
    {
        if (startLsn == InvalidXLogRecPtr) throw new ArgumentOutOfRangeException(nameof(startLsn));
        InsertLsn = startLsn;
        FlushedLsn = startLsn;
    }

    /// <summary>%X/%X, as PostgreSQL prints an LSN.</summary>
    public static string Format(ulong lsn) => $"{(uint)(lsn >> 32):X}/{(uint)lsn:X}";

    /// <summary>XLogInsert-like: reserve a record of <paramref name="bytes"/> (MAXALIGNed) and return its end LSN.</summary>
    public ulong Advance(int bytes)
    {
        if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes));
        InsertLsn += (ulong)PageHeader.MaxAlign(bytes);
        return InsertLsn;
    }

    /// <summary>XLogNeedsFlush: true if <paramref name="lsn"/> is not yet durable.</summary>
    public bool XLogNeedsFlush(ulong lsn) => lsn > FlushedLsn;

    /// <summary>XLogFlush: make everything up to <paramref name="lsn"/> durable.</summary>
    public void XLogFlush(ulong lsn)
    {
        if (lsn <= FlushedLsn) return;
        ulong target = lsn;
        if (target > InsertLsn) target = InsertLsn; // "request to flush past end of generated WAL" (LOG), clamped
        if (target > FlushedLsn)
        {
            FlushedLsn = target;
            FlushCount++;
        }
        if (FlushedLsn < lsn)
        {
            throw new PgErrorException(
                $"xlog flush request {Format(lsn)} is not satisfied --- flushed only to {Format(FlushedLsn)}");
        }
    }

    /// <summary>Crash: only the flushed part of the log survives; insertion resumes there.</summary>
    public void Crash() => InsertLsn = FlushedLsn;

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
