// SimStorage: a deterministic in-memory stand-in for smgr/md.c, the "disk" the buffer manager reads
// from and writes to. Relations are (spcOid, dbOid, relNumber) with up to four forks; each fork is
// a growable array of BLCKSZ pages held in managed memory (this is disk, not shared memory).
//
// Durability model (a deliberate choice): a completed smgrwrite/smgrextend/smgrtruncate is on disk
// and survives a crash. PostgreSQL's own guarantee needs an fsync at checkpoint time, but the
// reference model for the buffer manager (storage as a map updated only by FlushBuffer; after a
// crash "disk must contain every flushed value") does not separate written from fsynced, and the
// WAL (SimWal) is where the "only the flushed part survives" rule is modelled. So a crash loses no
// completed write; the only partial state a crash can leave is a torn page (StorageFaults.TornWrite).
//
// Error texts are PostgreSQL 17's (md.c reports single-block I/O as "blocks %u..%u"); %m renders as
// the strerror text of the errno the fault stands for (EIO: "Input/output error").
using Allocator.Buffers;
using Allocator.Common;

namespace Allocator.Storage;

/// <summary>RelFileLocator: which relation (the fork and block are separate).</summary>
public readonly record struct RelFileLocator(uint SpcOid, uint DbOid, uint RelNumber)
{
    /// <summary>relpathperm(this, fork), as used in md.c and bufmgr.c messages.</summary>
    public string RelPath(ForkNumber fork) => new BufferTag(SpcOid, DbOid, RelNumber, fork, 0).RelPath();
}

public sealed class SimStorage
{
    public const string EIO = "Input/output error";
    private const int MaxForkNumber = (int)ForkNumber.INIT_FORKNUM;

    private readonly Dictionary<RelFileLocator, List<byte[]>?[]> _rels = new();

    public int BlckSz { get; }

    /// <summary>data_checksums: when on, ReadBufferVerified checks pd_checksum (PageIsVerified).</summary>
    public bool ChecksumsEnabled { get; }

    public StorageFaults Faults { get; }

    public SimStorage(int blcksz = PageHeader.DefaultBlckSz, bool checksumsEnabled = true, StorageFaults? faults = null)
    {
        if (!PageHeader.IsValidBlockSize(blcksz)) throw new ArgumentOutOfRangeException(nameof(blcksz));
        BlckSz = blcksz;
        ChecksumsEnabled = checksumsEnabled;
        Faults = faults ?? new StorageFaults();
    }

    private List<byte[]>? Fork(RelFileLocator rel, ForkNumber fork)
    {
        CheckFork(fork);
        return _rels.TryGetValue(rel, out var forks) ? forks[(int)fork] : null;
    }

    private static void CheckFork(ForkNumber fork)
    {
        if ((int)fork < 0 || (int)fork > MaxForkNumber) throw new ArgumentOutOfRangeException(nameof(fork));
    }

    private List<byte[]> OpenFork(RelFileLocator rel, ForkNumber fork)
    {
        // mdopenfork with EXTENSION_FAIL: the file must exist.
        return Fork(rel, fork) ?? throw new PgErrorException(
            $"could not open file \"{rel.RelPath(fork)}\": No such file or directory");
    }

    /// <summary>smgrexists.</summary>
    public bool Exists(RelFileLocator rel, ForkNumber fork) => Fork(rel, fork) is not null;

    /// <summary>smgrcreate: creates the fork's (empty) file. isRedo tolerates an existing file, as md.c does.</summary>
    public void Create(RelFileLocator rel, ForkNumber fork, bool isRedo = false)
    {
        CheckFork(fork);
        if (!_rels.TryGetValue(rel, out var forks)) _rels[rel] = forks = new List<byte[]>?[MaxForkNumber + 1];
        if (forks[(int)fork] is not null)
        {
            if (isRedo) return;
            throw new PgErrorException($"could not create file \"{rel.RelPath(fork)}\": File exists");
        }
        forks[(int)fork] = new List<byte[]>();
    }

    /// <summary>smgrnblocks.</summary>
    public uint Nblocks(RelFileLocator rel, ForkNumber fork) => (uint)OpenFork(rel, fork).Count;

    /// <summary>smgrextend: writes <paramref name="page"/> as block <paramref name="blkno"/>, which must be
    /// at or beyond the current end; a gap is filled with zero pages (a hole in md.c's file).</summary>
    public void Extend(RelFileLocator rel, ForkNumber fork, uint blkno, ReadOnlySpan<byte> page)
    {
        Pg.Assert(page.Length == BlckSz);
        ExtendCommon(rel, fork, blkno, 1, page);
    }

    /// <summary>smgrzeroextend: appends <paramref name="nblocks"/> zero pages starting at <paramref name="blkno"/>.</summary>
    public void ZeroExtend(RelFileLocator rel, ForkNumber fork, uint blkno, int nblocks)
    {
        Pg.Assert(nblocks > 0);
        ExtendCommon(rel, fork, blkno, nblocks, default);
    }

    private void ExtendCommon(RelFileLocator rel, ForkNumber fork, uint blkno, int nblocks, ReadOnlySpan<byte> page)
    {
        var blocks = OpenFork(rel, fork);
        string path = rel.RelPath(fork);
        Pg.Assert(blkno >= (uint)blocks.Count);
        if ((ulong)blkno + (ulong)nblocks > BufferTag.InvalidBlockNumber)
            throw new PgErrorException($"cannot extend file \"{path}\" beyond {BufferTag.InvalidBlockNumber} blocks");
        switch (Faults.Decide(StorageOp.Extend))
        {
            case StorageFaultKind.WriteError:
                throw new PgErrorException($"could not extend file \"{path}\": {EIO}", null);
            case StorageFaultKind.Crash:
                throw new SimCrashException($"before extending \"{path}\" at block {blkno}");
        }
        while ((uint)blocks.Count < blkno) blocks.Add(new byte[BlckSz]);
        for (int i = 0; i < nblocks; i++)
            blocks.Add(page.IsEmpty ? new byte[BlckSz] : page.ToArray());
    }

    /// <summary>smgrread: copies block <paramref name="blkno"/> into <paramref name="dst"/>. No verification
    /// here (md.c does none); see <see cref="ReadVerified"/> for the buffer manager's check.</summary>
    public void Read(RelFileLocator rel, ForkNumber fork, uint blkno, Span<byte> dst)
    {
        Pg.Assert(dst.Length == BlckSz);
        var blocks = OpenFork(rel, fork);
        // the path only goes into messages: built when one is raised, so a read allocates nothing
        StorageFaultKind fault = Faults.Decide(StorageOp.Read);
        switch (fault)
        {
            case StorageFaultKind.ReadError:
                throw new PgErrorException($"could not read blocks {blkno}..{blkno} in file \"{rel.RelPath(fork)}\": {EIO}");
            case StorageFaultKind.Crash:
                throw new SimCrashException($"before reading block {blkno} of \"{rel.RelPath(fork)}\"");
        }
        if (blkno >= (uint)blocks.Count)
        {
            // Beyond EOF: md.c reads 0 bytes and reports it (outside recovery / zero_damaged_pages).
            throw new PgErrorException(
                $"could not read blocks {blkno}..{blkno} in file \"{rel.RelPath(fork)}\": read only 0 of {BlckSz} bytes");
        }
        byte[] stored = blocks[(int)blkno];
        if (fault == StorageFaultKind.ShortRead)
        {
            throw new PgErrorException(
                $"could not read blocks {blkno}..{blkno} in file \"{rel.RelPath(fork)}\": read only {BlckSz / 2} of {BlckSz} bytes");
        }
        if (fault == StorageFaultKind.BitFlip)
        {
            int bit = Faults.Detail(BlckSz * 8);
            stored[bit >> 3] ^= (byte)(1 << (bit & 7));
        }
        stored.CopyTo(dst);
    }

    /// <summary>The buffer manager's read: smgrread, then PageIsVerified (checksum if enabled, header
    /// sanity, all-zero pages accepted). On failure either the ERROR "invalid page in block %u of
    /// relation %s" or, with <paramref name="zeroOnError"/> (RBM_ZERO_ON_ERROR / zero_damaged_pages),
    /// a zeroed page and a true return (PostgreSQL logs a WARNING "...; zeroing out page").</summary>
    public bool ReadVerified(RelFileLocator rel, ForkNumber fork, uint blkno, Span<byte> dst, bool zeroOnError = false)
    {
        Read(rel, fork, blkno, dst);
        if (PageChecksum.PageIsVerified(dst, blkno, ChecksumsEnabled, out _)) return false;
        if (zeroOnError)
        {
            dst.Clear();
            return true;
        }
        throw new PgErrorException($"invalid page in block {blkno} of relation {rel.RelPath(fork)}");
    }

    /// <summary>smgrwrite: overwrites existing block <paramref name="blkno"/>. The caller (FlushBuffer)
    /// sets the checksum on its copy first; storage writes the bytes as given.</summary>
    public void Write(RelFileLocator rel, ForkNumber fork, uint blkno, ReadOnlySpan<byte> page)
    {
        Pg.Assert(page.Length == BlckSz);
        var blocks = OpenFork(rel, fork);
        Pg.Assert(blkno < (uint)blocks.Count);
        // as in Read, the path is built only for a message
        switch (Faults.Decide(StorageOp.Write))
        {
            case StorageFaultKind.WriteError:
                throw new PgErrorException($"could not write blocks {blkno}..{blkno} in file \"{rel.RelPath(fork)}\": {EIO}");
            case StorageFaultKind.Crash:
                throw new SimCrashException($"before writing block {blkno} of \"{rel.RelPath(fork)}\"");
            case StorageFaultKind.TornWrite:
            {
                int sector = Math.Min(512, BlckSz / 2);
                int prefix = sector * (1 + Faults.Detail(BlckSz / sector - 1));
                page[..prefix].CopyTo(blocks[(int)blkno]);
                throw new SimCrashException($"torn write of block {blkno} of \"{rel.RelPath(fork)}\": {prefix} of {BlckSz} bytes reached disk");
            }
        }
        page.CopyTo(blocks[(int)blkno]);
    }

    /// <summary>smgrtruncate of one fork to <paramref name="nblocks"/>.</summary>
    public void Truncate(RelFileLocator rel, ForkNumber fork, uint nblocks)
    {
        var blocks = OpenFork(rel, fork);
        uint cur = (uint)blocks.Count;
        if (nblocks > cur)
        {
            throw new PgErrorException(
                $"could not truncate file \"{rel.RelPath(fork)}\" to {nblocks} blocks: it's only {cur} blocks now");
        }
        blocks.RemoveRange((int)nblocks, (int)(cur - nblocks));
    }

    /// <summary>smgrdounlinkall for one relation: every fork's file goes away (missing ones are ignored).</summary>
    public void Unlink(RelFileLocator rel) => _rels.Remove(rel);

    /// <summary>Test and checker access: a copy of the block exactly as it is on disk, no faults.</summary>
    public byte[] PeekBlock(RelFileLocator rel, ForkNumber fork, uint blkno) => (byte[])OpenFork(rel, fork)[(int)blkno].Clone();
}
