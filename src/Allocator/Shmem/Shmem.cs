// Shmem: the main shared memory segment (src/backend/storage/ipc/shmem.c) in simulated memory:
// ShmemAlloc / ShmemAllocNoError, the bump allocator every shared structure comes from, and
// ShmemInitStruct, which finds or creates a named structure through the shared-memory index.
//
// Layout (offsets from Base; the segment is one SimRegion, mapped at the same Base in every
// simulated backend, as PostgreSQL maps it at the same address in every process):
//   +0   magic        uint32   PGShmemMagic (679834894)
//   +4   creatorPID   uint32   0 (no processes here)
//   +8   totalsize    uint64   the segment's length
//   +16  freeoffset   uint64   first unallocated byte, always a multiple of PG_CACHE_LINE_SIZE
//   +24  index        uint64   address of the shared-memory index (below)
//   +32  (header ends; the first allocation starts at the next cache-line boundary)
// The index is the segment's first allocation:
//   +0   nentries     uint32
//   +4   capacity     uint32   SHMEM_INDEX_SIZE (64)
//   +8   entries[capacity], each ShmemIndexEnt:
//          +0  key[48]         the structure's NUL-terminated name (SHMEM_INDEX_KEYSIZE)
//          +48 location        uint64 address
//          +56 size            uint64 the size asked for
//          +64 allocated_size  uint64 the size taken (cache-line rounded)
//
// What is ported: ShmemAllocRaw's rounding of every request up to PG_CACHE_LINE_SIZE (128) and the
// bump of freeoffset, failing (NULL) when the request does not fit in totalsize; ShmemAlloc's
// ERROR "out of shared memory (N bytes requested)"; ShmemInitStruct's three outcomes (found with
// the right size; found with another size: ERROR; not found: allocated and entered, or ERROR when
// the index is full or memory is short) with PostgreSQL's messages.
//
// Divergences:
//  - The index is a linear table in the segment, not the "ShmemIndex" dynahash table. Names are
//    unique and few (PostgreSQL sizes its index at 64 too), so lookup order is the only
//    difference, and no caller can observe it. A dynahash-based index would make this file
//    depend on the table that is built on top of it.
//  - ShmemLock (the spinlock around freeoffset) and ShmemIndexLock (the LWLock around the index)
//    are not taken: every structure is created by the single initialising backend before any
//    other runs (as in the postmaster), and dynahash's later element allocations happen under
//    the buffer table's partition locks in single-backend use. The segment never grows.
using System.Text;
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Shmem;

public sealed class ShmemSegment
{
    /// <summary>PGShmemMagic.</summary>
    public const uint PGShmemMagic = 679834894;
    /// <summary>PG_CACHE_LINE_SIZE: every shared allocation is rounded up to and starts on it.</summary>
    public const ulong PG_CACHE_LINE_SIZE = 128;
    /// <summary>SHMEM_INDEX_KEYSIZE: the longest name, including its terminating NUL.</summary>
    public const int SHMEM_INDEX_KEYSIZE = 48;
    /// <summary>SHMEM_INDEX_SIZE: the index's capacity.</summary>
    public const int SHMEM_INDEX_SIZE = 64;

    public const ulong OffMagic = 0;
    public const ulong OffCreatorPid = 4;
    public const ulong OffTotalSize = 8;
    public const ulong OffFreeOffset = 16;
    public const ulong OffIndex = 24;
    public const ulong HeaderSize = 32;

    public const ulong OffIndexNEntries = 0;
    public const ulong OffIndexCapacity = 4;
    public const ulong OffIndexEntries = 8;
    public const ulong IndexEntOffKey = 0;
    public const ulong IndexEntOffLocation = 48;
    public const ulong IndexEntOffSize = 56;
    public const ulong IndexEntOffAllocatedSize = 64;
    public const ulong IndexEntSize = 72;

    /// <summary>The mapping this object allocates through (the initialising backend's).</summary>
    public SimMemory Memory { get; }
    public SimRegion Region { get; }
    public ulong Base => Region.Base;
    public ulong TotalSize => Memory.ReadU64(Base + OffTotalSize);
    public ulong FreeOffset => Memory.ReadU64(Base + OffFreeOffset);
    public ulong IndexAddr => Memory.ReadU64(Base + OffIndex);

    /// <summary>CACHELINEALIGN.</summary>
    public static ulong CacheLineAlign(ulong x) => (x + PG_CACHE_LINE_SIZE - 1) & ~(PG_CACHE_LINE_SIZE - 1);

    /// <summary>Creates and initialises a segment of <paramref name="size"/> bytes in
    /// <paramref name="mem"/> (PGSharedMemoryCreate + InitShmemAllocation + InitShmemIndex).</summary>
    public ShmemSegment(SimMemory mem, ulong size, string name = "main shmem", ulong? at = null)
    {
        ulong indexBytes = OffIndexEntries + (ulong)SHMEM_INDEX_SIZE * IndexEntSize;
        if (size < CacheLineAlign(HeaderSize) + CacheLineAlign(indexBytes))
            throw new ArgumentOutOfRangeException(nameof(size), "too small for the header and the index");
        Memory = mem;
        Region = mem.MapRegion(name, new byte[size], at);
        mem.WriteU32(Base + OffMagic, PGShmemMagic);
        mem.WriteU32(Base + OffCreatorPid, 0);
        mem.WriteU64(Base + OffTotalSize, size);
        mem.WriteU64(Base + OffFreeOffset, CacheLineAlign(HeaderSize));
        ulong index = ShmemAlloc(indexBytes);
        mem.WriteU32(index + OffIndexNEntries, 0);
        mem.WriteU32(index + OffIndexCapacity, SHMEM_INDEX_SIZE);
        mem.WriteU64(Base + OffIndex, index);
    }

    /// <summary>Maps this segment into another backend's address space at the same Base.</summary>
    public SimRegion AttachTo(SimMemory other) => other.MapRegion(Region.Name, Region.Backing, Base);

    /// <summary>ShmemAllocRaw: the address, or 0 when the rounded request does not fit.
    /// <paramref name="allocatedSize"/> is the rounded size.</summary>
    public ulong ShmemAllocRaw(ulong size, out ulong allocatedSize)
    {
        size = CacheLineAlign(size);
        allocatedSize = size;
        ulong newStart = FreeOffset;
        ulong total = TotalSize;
        if (size > total || newStart > total - size) return 0;
        Memory.WriteU64(Base + OffFreeOffset, newStart + size);
        ulong addr = Base + newStart;
        Pg.Assert(addr == CacheLineAlign(addr));
        return addr;
    }

    /// <summary>ShmemAllocNoError: 0 when out of space.</summary>
    public ulong ShmemAllocNoError(ulong size) => ShmemAllocRaw(size, out _);

    /// <summary>ShmemAlloc: ERROR "out of shared memory (N bytes requested)" when out of space.</summary>
    public ulong ShmemAlloc(ulong size)
    {
        ulong addr = ShmemAllocRaw(size, out _);
        if (addr == 0) throw new PgErrorException($"out of shared memory ({size} bytes requested)");
        return addr;
    }

    /// <summary>ShmemAddrIsValid: inside the segment.</summary>
    public bool ShmemAddrIsValid(ulong addr) => addr >= Base && addr < Base + TotalSize;

    /// <summary>Number of named structures in the index.</summary>
    public int IndexCount => (int)Memory.ReadU32(IndexAddr + OffIndexNEntries);

    private ulong EntryAddr(int i) => IndexAddr + OffIndexEntries + (ulong)i * IndexEntSize;

    private string EntryName(int i) => Memory.ReadCString(EntryAddr(i) + IndexEntOffKey, SHMEM_INDEX_KEYSIZE);

    /// <summary>ShmemInitStruct: the structure called <paramref name="name"/>; <paramref name="found"/>
    /// tells whether it existed (then its contents are whatever its creator left).</summary>
    public ulong ShmemInitStruct(string name, ulong size, out bool found)
    {
        // The key is the name truncated to SHMEM_INDEX_KEYSIZE - 1 bytes, as strlcpy into the key.
        byte[] key = Encoding.UTF8.GetBytes(name);
        if (key.Length > SHMEM_INDEX_KEYSIZE - 1) key = key[..(SHMEM_INDEX_KEYSIZE - 1)];
        string keyName = Encoding.UTF8.GetString(key);
        int n = IndexCount;
        for (int i = 0; i < n; i++)
        {
            if (EntryName(i) != keyName) continue;
            ulong ent = EntryAddr(i);
            ulong had = Memory.ReadU64(ent + IndexEntOffSize);
            if (had != size)
                throw new PgErrorException($"ShmemIndex entry size is wrong for data structure \"{name}\": expected {size}, actual {had}");
            found = true;
            return Memory.ReadU64(ent + IndexEntOffLocation);
        }
        found = false;
        if (n >= (int)Memory.ReadU32(IndexAddr + OffIndexCapacity))
            throw new PgErrorException($"could not create ShmemIndex entry for data structure \"{name}\"");
        ulong addr = ShmemAllocRaw(size, out ulong allocated);
        if (addr == 0)
            throw new PgErrorException($"not enough shared memory for data structure \"{name}\" ({size} bytes requested)");
        ulong e = EntryAddr(n);
        Memory.Fill(e + IndexEntOffKey, SHMEM_INDEX_KEYSIZE, 0);
        Memory.WriteBytes(e + IndexEntOffKey, key);
        Memory.WriteU64(e + IndexEntOffLocation, addr);
        Memory.WriteU64(e + IndexEntOffSize, size);
        Memory.WriteU64(e + IndexEntOffAllocatedSize, allocated);
        Memory.WriteU32(IndexAddr + OffIndexNEntries, (uint)(n + 1));
        return addr;
    }

    /// <summary>The index's entries (name, location, size, allocated size), for pg_shmem_allocations-like views and tests.</summary>
    private readonly Dictionary<ulong, object> _bookkeeping = new();

    /// <summary>Checker bookkeeping about the structure at <paramref name="key"/>, shared by every
    /// attachment of this segment (for instance a hash table's element batches, which PostgreSQL
    /// never records). Never read by the port's algorithms.</summary>
    public T Bookkeeping<T>(ulong key) where T : class, new()
    {
        lock (_bookkeeping)
        {
            if (!_bookkeeping.TryGetValue(key, out object? o)) _bookkeeping[key] = o = new T();
            return (T)o;
        }
    }

    /// <summary>A copy of the segment's bytes and its bookkeeping, to be put back by RestoreImage.</summary>
    public sealed class Image
    {
        internal Image(byte[] bytes, Dictionary<ulong, List<(ulong First, long Count)>> batches)
        {
            Bytes = bytes;
            Batches = batches;
        }

        internal byte[] Bytes { get; }
        internal Dictionary<ulong, List<(ulong First, long Count)>> Batches { get; }
    }

    /// <summary>Takes an image of the whole segment (only while nobody runs).</summary>
    public Image TakeImage()
    {
        lock (_bookkeeping)
        {
            var batches = new Dictionary<ulong, List<(ulong First, long Count)>>();
            foreach ((ulong key, object value) in _bookkeeping)
            {
                if (value is not List<(ulong First, long Count)> list)
                    throw new NotSupportedException($"bookkeeping of type {value.GetType().Name} cannot be imaged");
                lock (list) batches[key] = [.. list];
            }
            return new Image((byte[])Region.Backing.Clone(), batches);
        }
    }

    /// <summary>Puts the segment back as it was when <paramref name="image"/> was taken, in place
    /// (every attachment keeps its mapping). Only while nobody runs.</summary>
    public void RestoreImage(Image image)
    {
        image.Bytes.CopyTo(Region.Backing, 0);
        lock (_bookkeeping)
        {
            _bookkeeping.Clear();
            foreach ((ulong key, List<(ulong First, long Count)> list) in image.Batches) _bookkeeping[key] = new List<(ulong First, long Count)>(list);
        }
    }

    public IEnumerable<(string Name, ulong Location, ulong Size, ulong AllocatedSize)> Allocations()
    {
        int n = IndexCount;
        for (int i = 0; i < n; i++)
        {
            ulong e = EntryAddr(i);
            yield return (EntryName(i), Memory.ReadU64(e + IndexEntOffLocation), Memory.ReadU64(e + IndexEntOffSize),
                Memory.ReadU64(e + IndexEntOffAllocatedSize));
        }
    }
}
