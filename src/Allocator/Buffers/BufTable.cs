// BufTable: the buffer mapping table (src/backend/storage/buffer/buf_table.c), "Shared Buffer
// Lookup Table": a shared dynahash table partitioned NUM_BUFFER_PARTITIONS ways, keyed by the
// 20-byte BufferTag, whose 24-byte entry (BufferLookupEnt) is the tag followed by an int buffer
// id at +20. It is sized for NBuffers + NUM_BUFFER_PARTITIONS entries and is not HASH_FIXED_SIZE.
//
// The caller does all locking: the tag's partition lock (hash mod NUM_BUFFER_PARTITIONS), shared
// for a lookup, exclusive for an insert or a delete. Nothing here takes it.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Buffers.Dynahash;
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;

namespace Allocator.Buffers;

public sealed class BufTable
{
    public const int NUM_BUFFER_PARTITIONS = 128;
    public const string TableName = "Shared Buffer Lookup Table";
    /// <summary>sizeof(BufferLookupEnt).</summary>
    public const ulong EntrySize = 24;
    /// <summary>offsetof(BufferLookupEnt, id).</summary>
    public const ulong OffId = 20;

    public DynaHash Hash { get; }

    private BufTable(DynaHash hash) => Hash = hash;

    /// <summary>InitBufTable(size): create or attach (StrategyInitialize passes NBuffers + NUM_BUFFER_PARTITIONS).</summary>
    public static BufTable InitBufTable(ShmemSegment shmem, SimMemory mem, int size) =>
        new(DynaHash.ShmemInitHash(shmem, mem, TableName, size, size, BufferTag.Size, EntrySize, NUM_BUFFER_PARTITIONS));

    /// <summary>A backend's own attachment to the existing table (ShmemInitHash finding it): accesses go
    /// through <paramref name="mem"/>, its mapping, and the freelist mutexes through
    /// <paramref name="backend"/>'s sync seam. Run the table checker on the creator's instance.</summary>
    public static BufTable AttachBufTable(ShmemSegment shmem, SimMemory mem, int size, Sync.SyncBackend backend)
    {
        BufTable t = InitBufTable(shmem, mem, size);
        t.Hash.SpinBackend = backend;
        return t;
    }

    /// <summary>BufTableHashCode.</summary>
    public static uint BufTableHashCode(in BufferTag tag) => tag.HashCode();

    /// <summary>BufMappingPartitionLock's index: hash mod NUM_BUFFER_PARTITIONS.</summary>
    public static int BufTableHashPartition(uint hashcode) => (int)(hashcode % NUM_BUFFER_PARTITIONS);

    // The search key is the tag's 20 bytes as C lays the struct out, built on the caller's stack:
    // a lookup is on every ReadBuffer hit, which must not allocate (a heap byte[] here cost 48 B a
    // call whenever the JIT could not prove it local).
    private const int KeySize = (int)BufferTag.Size;

    /// <summary>BufTableLookup: the buffer id, or -1.</summary>
    public int BufTableLookup(in BufferTag tag, uint hashcode)
    {
        Span<byte> key = stackalloc byte[KeySize];
        tag.WriteTo(key);
        ulong ent = Hash.HashSearchWithHashValue(key, hashcode, HashAction.HASH_FIND, out _);
        return ent == 0 ? -1 : (int)Hash.Mem.ReadU32(ent + OffId);
    }

    /// <summary>BufTableInsert: -1 if inserted; the existing entry's id (left untouched) otherwise.</summary>
    public int BufTableInsert(in BufferTag tag, uint hashcode, int bufId)
    {
        Pg.Assert(bufId >= 0);
        Pg.Assert(tag.BlockNum != BufferTag.InvalidBlockNumber);
        Span<byte> key = stackalloc byte[KeySize];
        tag.WriteTo(key);
        ulong ent = Hash.HashSearchWithHashValue(key, hashcode, HashAction.HASH_ENTER, out bool found);
        if (found) return (int)Hash.Mem.ReadU32(ent + OffId);
        Hash.Mem.WriteU32(ent + OffId, unchecked((uint)bufId));
        return -1;
    }

    /// <summary>BufTableDelete: the entry must exist.</summary>
    public void BufTableDelete(in BufferTag tag, uint hashcode)
    {
        Span<byte> key = stackalloc byte[KeySize];
        tag.WriteTo(key);
        ulong ent = Hash.HashSearchWithHashValue(key, hashcode, HashAction.HASH_REMOVE, out _);
        if (ent == 0) throw new PgErrorException("shared buffer hash table corrupted");
    }
}
