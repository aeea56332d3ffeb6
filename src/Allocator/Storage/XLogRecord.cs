// XLogRecord: one record of the simulated write-ahead log (access/xlogrecord.h, in spirit). Only
// the kinds the buffer manager's durability story needs exist:
//
//   Noop            a record with no redo action (SimWal.Advance; XLOG_NOOP). Positions only.
//   FullPageImage   the whole page of (rel, fork, block): what log_newpage / XLogSaveBufferForHint
//                   and the first change after a checkpoint (full_page_writes) produce. Redo
//                   restores it unconditionally, as XLogReadBufferForRedo does for an image with
//                   BKPIMAGE_APPLY (that is what repairs a torn page), then sets the page LSN.
//   PageBytes       an incremental change: Data written at Offset in the page (a stand-in for a
//                   heap insert / update record). Redo applies it only when the record's end LSN is
//                   newer than the page's LSN (BLK_NEEDS_REDO), and then sets the page LSN.
//   Checkpoint      a checkpoint record; Redo is the checkpoint's redo pointer (where replay starts).
//   SmgrTruncate    a relation fork cut to Block blocks (XLOG_SMGR_TRUNCATE, logged and flushed by
//                   RelationTruncate before the file shrinks). Redo shrinks the fork if it is longer,
//                   so full-page images of the dropped blocks replayed before it do not survive.
//
// LSNs: StartLsn is where the record begins, EndLsn the first byte after it (EndRecPtr: what
// XLogInsert returns and what a caller stores in pd_lsn). Records are immutable; the page image is
// a private copy.
//
// Sizes (used only to advance LSNs): SizeOfXLogRecord (24) plus, for block records, a block header
// with its RelFileLocator and BlockNumber (4 + 12 + 4) and, for an image, the 5-byte image header;
// a checkpoint carries a CheckPoint struct. No hole compression; WAL page headers are not modelled.
using Allocator.Buffers;

namespace Allocator.Storage;

public enum XLogRecordKind : byte
{
    Noop,
    FullPageImage,
    PageBytes,
    Checkpoint,
    SmgrTruncate,
}

public sealed class XLogRecord
{
    /// <summary>SizeOfXLogRecord.</summary>
    public const int SizeOfXLogRecord = 24;
    /// <summary>XLogRecordBlockHeader + RelFileLocator + BlockNumber.</summary>
    public const int SizeOfBlockReference = 4 + 12 + 4;
    /// <summary>XLogRecordBlockImageHeader.</summary>
    public const int SizeOfXLogRecordBlockImageHeader = 5;
    /// <summary>The short main-data header plus the 2-byte offset of a PageBytes record.</summary>
    public const int SizeOfPageBytesHeader = 2 + 2;
    /// <summary>The short main-data header plus sizeof(CheckPoint) (PostgreSQL 17, 64-bit: 88).</summary>
    public const int SizeOfCheckpointData = 2 + 88;

    public ulong StartLsn { get; }
    public ulong EndLsn { get; }
    public XLogRecordKind Kind { get; }
    public RelFileLocator Rel { get; }
    public ForkNumber Fork { get; }
    public uint Block { get; }
    /// <summary>PageBytes: where in the page Data goes.</summary>
    public int Offset { get; }
    /// <summary>FullPageImage: the page; PageBytes: the bytes; otherwise null.</summary>
    public byte[]? Data { get; }
    /// <summary>Checkpoint: the redo pointer; Shutdown: whether it is a shutdown checkpoint.</summary>
    public ulong Redo { get; }
    public bool Shutdown { get; }

    internal XLogRecord(ulong startLsn, ulong endLsn, XLogRecordKind kind, RelFileLocator rel = default,
        ForkNumber fork = ForkNumber.InvalidForkNumber, uint block = BufferTag.InvalidBlockNumber,
        int offset = 0, byte[]? data = null, ulong redo = 0, bool shutdown = false)
    {
        StartLsn = startLsn;
        EndLsn = endLsn;
        Kind = kind;
        Rel = rel;
        Fork = fork;
        Block = block;
        Offset = offset;
        Data = data;
        Redo = redo;
        Shutdown = shutdown;
    }

    /// <summary>Bytes a full-page image of a <paramref name="blcksz"/> page occupies (before MAXALIGN).</summary>
    public static int FullPageImageSize(int blcksz) =>
        SizeOfXLogRecord + SizeOfBlockReference + SizeOfXLogRecordBlockImageHeader + blcksz;

    /// <summary>Bytes a PageBytes record of <paramref name="len"/> data bytes occupies (before MAXALIGN).</summary>
    public static int PageBytesSize(int len) => SizeOfXLogRecord + SizeOfBlockReference + SizeOfPageBytesHeader + len;

    /// <summary>Bytes a checkpoint record occupies (before MAXALIGN).</summary>
    public static int CheckpointSize => SizeOfXLogRecord + SizeOfCheckpointData;

    /// <summary>The short main-data header plus sizeof(xl_smgr_truncate): blkno, rlocator, flags.</summary>
    public const int SizeOfSmgrTruncate = 2 + 4 + 12 + 4;

    public override string ToString() => Kind switch
    {
        XLogRecordKind.FullPageImage => $"{SimWal.Format(StartLsn)} FPI {Rel.RelPath(Fork)} blk {Block}",
        XLogRecordKind.PageBytes => $"{SimWal.Format(StartLsn)} BYTES {Rel.RelPath(Fork)} blk {Block} off {Offset} len {Data!.Length}",
        XLogRecordKind.SmgrTruncate => $"{SimWal.Format(StartLsn)} TRUNCATE {Rel.RelPath(Fork)} to {Block} blocks",
        XLogRecordKind.Checkpoint => $"{SimWal.Format(StartLsn)} CHECKPOINT{(Shutdown ? "_SHUTDOWN" : "_ONLINE")} redo {SimWal.Format(Redo)}",
        _ => $"{SimWal.Format(StartLsn)} NOOP len {EndLsn - StartLsn}",
    };
}
