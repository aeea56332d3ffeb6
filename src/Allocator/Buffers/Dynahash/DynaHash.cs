// DynaHash: PostgreSQL's dynamic hash tables (src/backend/utils/hash/dynahash.c) for the case the
// buffer manager needs, a table in shared memory, optionally partitioned, with every piece of state
// in simulated memory: the header (HASHHDR), the directory, the bucket segments and the elements.
// An instance of this class is one backend's HTAB: addresses and local copies of the geometry,
// nothing that other backends would need to see.
//
// Layout, as in a 64-bit build (offsets in bytes):
//   HASHHDR (HashHdrSize = 856), at the address ShmemInitStruct returns for the table's name:
//     +0     freeList[32], each FreeListData (24 bytes):
//              +0  mutex      slock_t, a 4-byte word (0 = free), as on ARM
//              +8  nentries   long: live entries accounted to this freelist
//              +16 freeList   HASHELEMENT*: first free element, 0 = empty
//     +768   dsize          long   directory slots
//     +776   nsegs          long   segments in use (all allocated at creation)
//     +784   max_bucket     uint32
//     +788   high_mask      uint32
//     +792   low_mask       uint32
//     +800   keysize        Size
//     +808   entrysize      Size
//     +816   num_partitions long   0 = not partitioned
//     +824   max_dsize      long
//     +832   ssize          long   buckets per segment (256)
//     +840   sshift         int    log2(ssize)
//     +844   nelem_alloc    int    elements per later batch
//     +848   isfixed        bool   HASH_FIXED_SIZE (kept in the shared header, where PostgreSQL
//                                  moved it in 2025 so that every backend sees it)
//   Directory: dsize segment pointers, immediately after the header (as ShmemInitHash lays it out).
//   Segment: ssize bucket heads (HASHELEMENT*), from ShmemAllocNoError.
//   HASHELEMENT (16 bytes): +0 link, +8 uint32 hashvalue; the entry follows at +16 (key first,
//   then the caller's data), MAXALIGNed; element batches come from ShmemAllocNoError.
//
// Ported: hash_get_shared_size, hash_select_dirsize, hash_estimate_size, choose_nelem_alloc, the
// shared-memory path of hash_create/init_htab (ShmemInitHash, including attaching when the name
// already exists), preallocation of nelem elements spread over the 32 freelists (freelist 0 takes
// the remainder), element_alloc (a batch chained in reverse address order and prepended under the
// freelist mutex; refused when isfixed), calc_bucket, hash_search_with_hash_value with HASH_FIND,
// HASH_ENTER, HASH_ENTER_NULL and HASH_REMOVE, get_hash_entry with borrowing from the other
// freelists, hash_get_num_entries, and the PANIC of hash_corrupted on a missing segment.
//
// Divergences:
//  - Shared tables only (there is no palloc-based local variant here): "out of memory" for local
//    tables and the HASH_ENTER_NULL/palloc assertion do not arise.
//  - No expansion: like every shared table in PostgreSQL (whose directory cannot grow), the
//    bucket count is fixed at creation. A non-partitioned shared table in PostgreSQL may still
//    split buckets within its preallocated directory; this port never splits, so such a table
//    keeps its initial buckets (only chain lengths differ). Sequential scans, freezing and
//    hash_update_hash_key are not ported yet.
//  - Keys are binary (HASH_BLOBS): hash_bytes_uint32 for 4-byte keys, hash_bytes otherwise, and
//    memcmp/memcpy for match and copy. No custom hash, match or keycopy functions.
//  - The freelist mutexes: single-backend use until the buffer manager's concurrency issue. The
//    mutex word is set and cleared around every freelist access exactly where PostgreSQL takes and
//    releases it, but through plain writes, not Allocator.Sync's SLock (which needs a SyncBackend
//    and its runtime). Finding the word already set can only mean a lost release, so it raises
//    the PANIC a stuck spinlock would end in.
//  - Check()'s pool accounting (DH5) needs the batches element_alloc carved out; PostgreSQL does
//    not record them. They are kept in a managed list on this HTAB, so run Check() on the HTAB
//    that created the table (or did every element_alloc since).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Sync;

namespace Allocator.Buffers.Dynahash;

/// <summary>HASHACTION.</summary>
public enum HashAction { HASH_FIND, HASH_ENTER, HASH_REMOVE, HASH_ENTER_NULL }

public sealed partial class DynaHash
{
    public const int NUM_FREELISTS = 32;
    public const int DEF_SEGSIZE = 256;
    public const int DEF_SEGSIZE_SHIFT = 8;
    public const int DEF_DIRSIZE = 256;
    public const ulong MAXIMUM_ALIGNOF = 8;

    // FreeListData
    public const ulong FreeListOffMutex = 0;
    public const ulong FreeListOffNEntries = 8;
    public const ulong FreeListOffFreeList = 16;
    public const ulong FreeListDataSize = 24;

    // HASHHDR
    public const ulong HdrOffFreeList = 0;
    public const ulong HdrOffDsize = 768;
    public const ulong HdrOffNsegs = 776;
    public const ulong HdrOffMaxBucket = 784;
    public const ulong HdrOffHighMask = 788;
    public const ulong HdrOffLowMask = 792;
    public const ulong HdrOffKeysize = 800;
    public const ulong HdrOffEntrysize = 808;
    public const ulong HdrOffNumPartitions = 816;
    public const ulong HdrOffMaxDsize = 824;
    public const ulong HdrOffSsize = 832;
    public const ulong HdrOffSshift = 840;
    public const ulong HdrOffNelemAlloc = 844;
    public const ulong HdrOffIsFixed = 848;
    public const ulong HashHdrSize = 856;

    // HASHELEMENT
    public const ulong ElemOffLink = 0;
    public const ulong ElemOffHashValue = 8;
    public const ulong ElemHeaderSize = 16; // MAXALIGN(sizeof(HASHELEMENT))

    /// <summary>sizeof(HASHSEGMENT) and sizeof(HASHBUCKET): pointers.</summary>
    public const ulong PointerSize = 8;

    public static ulong MaxAlign(ulong x) => (x + MAXIMUM_ALIGNOF - 1) & ~(MAXIMUM_ALIGNOF - 1);

    public SimMemory Mem { get; }
    public ShmemSegment Shmem { get; }
    public string Name { get; }
    /// <summary>HASHHDR address (hashp->hctl).</summary>
    public ulong Hctl { get; }
    /// <summary>Directory address (hashp->dir).</summary>
    public ulong Dir { get; }
    public bool IsShared => true;

    // Local copies, as HTAB keeps them.
    private readonly ulong _keysize;
    private readonly ulong _ssize;
    private readonly int _sshift;
    private readonly bool _partitioned;

    /// <summary>The table's element batches, shared by every backend's HTAB on it: any backend's
    /// element_alloc may add one (checker bookkeeping, not in PostgreSQL).</summary>
    private List<(ulong First, long Count)> SharedBatches => Shmem.Bookkeeping<List<(ulong First, long Count)>>(Hctl);

    /// <summary>Element batches carved out for this table by any attached backend.</summary>
    public IReadOnlyList<(ulong First, long Count)> Batches
    {
        get
        {
            List<(ulong First, long Count)> b = SharedBatches;
            lock (b) return b.ToArray();
        }
    }

    /// <summary>Total elements in <see cref="Batches"/>.</summary>
    public long PoolSize
    {
        get
        {
            List<(ulong First, long Count)> b = SharedBatches;
            lock (b) return b.Sum(x => x.Count);
        }
    }

    public ulong KeySize => _keysize;
    public ulong EntrySize => Mem.ReadU64(Hctl + HdrOffEntrysize);
    /// <summary>MAXALIGN(sizeof(HASHELEMENT)) + MAXALIGN(entrysize).</summary>
    public ulong ElementSize => ElemHeaderSize + MaxAlign(EntrySize);
    public bool IsPartitioned => _partitioned;
    public long NumPartitions => (long)Mem.ReadU64(Hctl + HdrOffNumPartitions);
    public uint MaxBucket => Mem.ReadU32(Hctl + HdrOffMaxBucket);
    public uint HighMask => Mem.ReadU32(Hctl + HdrOffHighMask);
    public uint LowMask => Mem.ReadU32(Hctl + HdrOffLowMask);
    public long DSize => (long)Mem.ReadU64(Hctl + HdrOffDsize);
    public long NSegs => (long)Mem.ReadU64(Hctl + HdrOffNsegs);
    public long SSize => (long)_ssize;
    public int SShift => _sshift;
    public int NElemAlloc => (int)Mem.ReadU32(Hctl + HdrOffNelemAlloc);
    public bool IsFixed => Mem.ReadU8(Hctl + HdrOffIsFixed) != 0;

    public ulong FreeListAddr(int i) => Hctl + HdrOffFreeList + (ulong)i * FreeListDataSize;
    public long FreeListNEntries(int i) => (long)Mem.ReadU64(FreeListAddr(i) + FreeListOffNEntries);
    public ulong FreeListHead(int i) => Mem.ReadU64(FreeListAddr(i) + FreeListOffFreeList);

    /// <summary>Length of freelist <paramref name="i"/> (walks it; bounded by the pool size).</summary>
    public long FreeListLength(int i)
    {
        long n = 0;
        long bound = PoolSize;
        for (ulong e = FreeListHead(i); e != 0 && n <= bound; e = Mem.ReadU64(e + ElemOffLink)) n++;
        return n;
    }

    /// <summary>ELEMENTKEY: the entry (key first) of an element.</summary>
    public static ulong ElementKey(ulong element) => element + ElemHeaderSize;
    /// <summary>ELEMENT_FROM_KEY.</summary>
    public static ulong ElementFromKey(ulong entry) => entry - ElemHeaderSize;

    // ------------------------------------------------------------------ sizing

    private static int MyLog2(long num)
    {
        // ceil(log2(num)), 0 for num <= 1
        int i = 0;
        for (long limit = 1; limit < num; limit <<= 1) i++;
        return i;
    }

    /// <summary>next_pow2_long.</summary>
    public static long NextPow2Long(long num) => 1L << MyLog2(num);

    /// <summary>next_pow2_int (capped at INT_MAX/2 first, as in C).</summary>
    public static int NextPow2Int(long num)
    {
        if (num > int.MaxValue / 2) num = int.MaxValue / 2;
        return 1 << MyLog2(num);
    }

    /// <summary>choose_nelem_alloc: elements per batch, at least 32, with the batch size a power of
    /// two or just under one.</summary>
    public static int ChooseNelemAlloc(ulong entrysize)
    {
        ulong elementSize = ElemHeaderSize + MaxAlign(entrysize);
        ulong allocSize = 32 * 4;
        int nelemAlloc;
        do
        {
            allocSize <<= 1;
            nelemAlloc = (int)(allocSize / elementSize);
        } while (nelemAlloc < 32);
        return nelemAlloc;
    }

    /// <summary>hash_select_dirsize: directory slots for a table sized for num_entries.</summary>
    public static long HashSelectDirsize(long numEntries)
    {
        long nBuckets = NextPow2Long(numEntries);
        long nSegments = NextPow2Long((nBuckets - 1) / DEF_SEGSIZE + 1);
        long nDirEntries = DEF_DIRSIZE;
        while (nDirEntries < nSegments) nDirEntries <<= 1;
        return nDirEntries;
    }

    /// <summary>hash_get_shared_size: the header and the directory.</summary>
    public static ulong HashGetSharedSize(long dsize) => HashHdrSize + (ulong)dsize * PointerSize;

    /// <summary>hash_estimate_size: the shared memory a table of num_entries needs (without the
    /// cache-line rounding of each ShmemAlloc, as in PostgreSQL).</summary>
    public static ulong HashEstimateSize(long numEntries, ulong entrysize)
    {
        long nBuckets = NextPow2Long(numEntries);
        long nSegments = NextPow2Long((nBuckets - 1) / DEF_SEGSIZE + 1);
        long nDirEntries = DEF_DIRSIZE;
        while (nDirEntries < nSegments) nDirEntries <<= 1;
        ulong size = MaxAlign(HashHdrSize);
        size += (ulong)nDirEntries * PointerSize;
        size += (ulong)nSegments * MaxAlign(DEF_SEGSIZE * PointerSize);
        long elementAllocCnt = ChooseNelemAlloc(entrysize);
        long nElementAllocs = (numEntries - 1) / elementAllocCnt + 1;
        ulong elementSize = ElemHeaderSize + MaxAlign(entrysize);
        size += (ulong)nElementAllocs * (ulong)elementAllocCnt * elementSize;
        return size;
    }

    // ------------------------------------------------------------------ creation

    private DynaHash(SimMemory mem, ShmemSegment shmem, string name, ulong hctl, ulong dir)
    {
        Mem = mem;
        Shmem = shmem;
        Name = name;
        Hctl = hctl;
        Dir = dir;
        _keysize = mem.ReadU64(hctl + HdrOffKeysize);
        _ssize = mem.ReadU64(hctl + HdrOffSsize);
        _sshift = (int)mem.ReadU32(hctl + HdrOffSshift);
        _partitioned = mem.ReadU64(hctl + HdrOffNumPartitions) != 0;
    }

    /// <summary>ShmemInitHash followed by hash_create: creates the shared table
    /// <paramref name="name"/> sized for <paramref name="maxSize"/> entries with
    /// <paramref name="initSize"/> preallocated, or attaches to it if it exists.
    /// <paramref name="numPartitions"/> = 0 for an unpartitioned table (else a power of two);
    /// <paramref name="fixedSize"/> is HASH_FIXED_SIZE. <paramref name="mem"/> is the calling
    /// backend's mapping of <paramref name="shmem"/>.</summary>
    public static DynaHash ShmemInitHash(ShmemSegment shmem, SimMemory mem, string name, long initSize, long maxSize,
        ulong keysize, ulong entrysize, long numPartitions = 0, bool fixedSize = false)
    {
        long dsize = HashSelectDirsize(maxSize);
        ulong hctl = shmem.ShmemInitStruct(name, HashGetSharedSize(dsize), out bool found);
        ulong dir = hctl + HashHdrSize;
        if (found)
            return new DynaHash(mem, shmem, name, hctl, dir); // HASH_ATTACH

        // hdefault: a zeroed header with the default geometry, then the caller's settings.
        mem.Fill(hctl, HashGetSharedSize(dsize), 0);
        if (numPartitions != 0)
            Pg.Assert(numPartitions == NextPow2Int(numPartitions));
        mem.WriteU64(hctl + HdrOffNumPartitions, (ulong)numPartitions);
        mem.WriteU64(hctl + HdrOffSsize, DEF_SEGSIZE);
        mem.WriteU32(hctl + HdrOffSshift, DEF_SEGSIZE_SHIFT);
        mem.WriteU64(hctl + HdrOffDsize, (ulong)dsize);
        mem.WriteU64(hctl + HdrOffMaxDsize, (ulong)dsize);
        mem.WriteU64(hctl + HdrOffKeysize, keysize);
        mem.WriteU64(hctl + HdrOffEntrysize, entrysize);
        var h = new DynaHash(mem, shmem, name, hctl, dir);
        if (!h.InitHtab(initSize))
            throw new PgErrorException($"failed to initialize hash table \"{name}\"");

        // Preallocate: shared tables always, spread over the freelists of a partitioned table.
        int freelistPartitions = h._partitioned ? NUM_FREELISTS : 1;
        long nelemAlloc = initSize / freelistPartitions;
        if (nelemAlloc <= 0) nelemAlloc = 1;
        long nelemAllocFirst = nelemAlloc * freelistPartitions < initSize
            ? initSize - nelemAlloc * (freelistPartitions - 1)
            : nelemAlloc;
        for (int i = 0; i < freelistPartitions; i++)
        {
            long temp = i == 0 ? nelemAllocFirst : nelemAlloc;
            if (!h.ElementAlloc(temp, i))
                throw new PgErrorException("out of memory");
        }
        if (fixedSize) mem.WriteU8(hctl + HdrOffIsFixed, 1);
        return h;
    }

    /// <summary>init_htab for a shared table: geometry, masks and all segments.</summary>
    private bool InitHtab(long nelem)
    {
        ulong hctl = Hctl;
        if (_partitioned)
            for (int i = 0; i < NUM_FREELISTS; i++) Mem.WriteU32(FreeListAddr(i) + FreeListOffMutex, 0); // SpinLockInit

        int nbuckets = NextPow2Int(nelem);
        long numPartitions = NumPartitions;
        while (nbuckets < numPartitions) nbuckets <<= 1;
        Mem.WriteU32(hctl + HdrOffMaxBucket, (uint)(nbuckets - 1));
        Mem.WriteU32(hctl + HdrOffLowMask, (uint)(nbuckets - 1));
        Mem.WriteU32(hctl + HdrOffHighMask, (uint)((nbuckets << 1) - 1));

        long nsegs = (nbuckets - 1) / (long)_ssize + 1;
        nsegs = NextPow2Int(nsegs);
        if (nsegs > DSize) return false; // the directory of a shared table is already sized

        for (long s = 0; s < nsegs; s++)
        {
            ulong seg = SegAlloc();
            if (seg == 0) return false;
            Mem.WriteU64(Dir + (ulong)s * PointerSize, seg);
            Mem.WriteU64(hctl + HdrOffNsegs, (ulong)(s + 1));
        }
        Mem.WriteU32(hctl + HdrOffNelemAlloc, (uint)ChooseNelemAlloc(EntrySize));
        return true;
    }

    /// <summary>seg_alloc: a zeroed segment of ssize bucket heads, or 0.</summary>
    private ulong SegAlloc()
    {
        ulong bytes = PointerSize * _ssize;
        ulong seg = Shmem.ShmemAllocNoError(bytes);
        if (seg == 0) return 0;
        Mem.Fill(seg, bytes, 0);
        return seg;
    }

    /// <summary>element_alloc: carves <paramref name="nelem"/> elements out of shared memory and
    /// prepends them to freelist <paramref name="freelistIdx"/>. False when the table is fixed-size
    /// or shared memory is exhausted.</summary>
    private bool ElementAlloc(long nelem, int freelistIdx)
    {
        if (IsFixed) return false;
        ulong elementSize = ElementSize;
        ulong first = Shmem.ShmemAllocNoError((ulong)nelem * elementSize);
        if (first == 0) return false;
        List<(ulong First, long Count)> batches = SharedBatches;
        lock (batches) batches.Add((first, nelem));

        // Chain the batch: each element links to the one before it, so the last is the head.
        ulong prev = 0, tmp = first;
        for (long i = 0; i < nelem; i++)
        {
            Mem.WriteU64(tmp + ElemOffLink, prev);
            prev = tmp;
            tmp += elementSize;
        }

        ulong fl = FreeListAddr(freelistIdx);
        if (_partitioned) SpinLockAcquire(fl);
        Mem.WriteU64(first + ElemOffLink, Mem.ReadU64(fl + FreeListOffFreeList));
        Mem.WriteU64(fl + FreeListOffFreeList, prev);
        if (_partitioned) SpinLockRelease(fl);
        return true;
    }

    // ------------------------------------------------------------------ freelist mutex

    /// <summary>When set, the freelist mutexes are real spinlocks taken through this backend's sync
    /// seam (SLock), as concurrent backends need; when null, the single-backend plain-write form
    /// described in the header. Set it on each backend's own attached HTAB.</summary>
    public SyncBackend? SpinBackend { get; set; }

    private void SpinLockAcquire(ulong freeList,
        [System.Runtime.CompilerServices.CallerLineNumber] int line = 0,
        [System.Runtime.CompilerServices.CallerMemberName] string func = "")
    {
        ulong mutex = freeList + FreeListOffMutex;
        if (SpinBackend is not null)
        {
            SLock.S_LOCK(SpinBackend, mutex, "dynahash.c", line, func);
            return;
        }
        if (Mem.ReadU32(mutex) != 0) throw SLock.s_lock_stuck("dynahash.c", line, func);
        Mem.WriteU32(mutex, 1);
    }

    private void SpinLockRelease(ulong freeList)
    {
        if (SpinBackend is not null) SLock.S_UNLOCK(SpinBackend, freeList + FreeListOffMutex);
        else Mem.WriteU32(freeList + FreeListOffMutex, 0);
    }

    // ------------------------------------------------------------------ lookup

    /// <summary>get_hash_value: hash_bytes_uint32 for 4-byte keys, hash_bytes otherwise.</summary>
    public uint GetHashValue(ReadOnlySpan<byte> key)
    {
        Pg.Assert((ulong)key.Length == _keysize);
        return _keysize == 4 ? HashBytes.HashUInt32(BitConverter.ToUInt32(key)) : HashBytes.Hash(key);
    }

    /// <summary>calc_bucket.</summary>
    public static uint CalcBucket(uint hashValue, uint maxBucket, uint highMask, uint lowMask)
    {
        uint bucket = hashValue & highMask;
        if (bucket > maxBucket) bucket &= lowMask;
        return bucket;
    }

    public uint CalcBucket(uint hashValue) => CalcBucket(hashValue, MaxBucket, HighMask, LowMask);

    /// <summary>FREELIST_IDX: hash mod 32 in a partitioned table, else 0.</summary>
    public int FreelistIdx(uint hashValue) => _partitioned ? (int)(hashValue % NUM_FREELISTS) : 0;

    /// <summary>The bucket head's address for <paramref name="bucket"/>; PANIC if its segment is missing.</summary>
    public ulong BucketHeadAddr(uint bucket)
    {
        ulong segmentNum = bucket >> _sshift;
        ulong segmentNdx = bucket & (_ssize - 1);
        ulong segp = Mem.ReadU64(Dir + segmentNum * PointerSize);
        if (segp == 0) throw HashCorrupted();
        return segp + segmentNdx * PointerSize;
    }

    /// <summary>hash_corrupted: PANIC for a shared table.</summary>
    private PgFatalException HashCorrupted() => new(FatalLevel.Panic, $"hash table \"{Name}\" corrupted");

    /// <summary>hash_search: computes the hash, then hash_search_with_hash_value.</summary>
    public ulong HashSearch(ReadOnlySpan<byte> key, HashAction action, out bool found) =>
        HashSearchWithHashValue(key, GetHashValue(key), action, out found);

    /// <summary>hash_search_with_hash_value: returns the entry's address (key first) or 0.
    /// HASH_REMOVE returns the address of the entry it just put on a freelist.</summary>
    public ulong HashSearchWithHashValue(ReadOnlySpan<byte> key, uint hashValue, HashAction action, out bool found)
    {
        Pg.Assert((ulong)key.Length == _keysize);
        int freelistIdx = FreelistIdx(hashValue);
        // (No bucket split here: see the header comment.)

        ulong prevBucketPtr = BucketHeadAddr(CalcBucket(hashValue));
        ulong currBucket = Mem.ReadU64(prevBucketPtr);
        while (currBucket != 0)
        {
            if (Mem.ReadU32(currBucket + ElemOffHashValue) == hashValue
                && Mem.ReadSpan(ElementKey(currBucket), _keysize).SequenceEqual(key))
                break;
            prevBucketPtr = currBucket + ElemOffLink;
            currBucket = Mem.ReadU64(prevBucketPtr);
        }
        found = currBucket != 0;

        switch (action)
        {
            case HashAction.HASH_FIND:
                return currBucket != 0 ? ElementKey(currBucket) : 0;

            case HashAction.HASH_REMOVE:
            {
                if (currBucket == 0) return 0;
                ulong fl = FreeListAddr(freelistIdx);
                if (_partitioned) SpinLockAcquire(fl);
                long nentries = (long)Mem.ReadU64(fl + FreeListOffNEntries);
                Pg.Assert(nentries > 0);
                Mem.WriteU64(fl + FreeListOffNEntries, (ulong)(nentries - 1));
                Mem.WriteU64(prevBucketPtr, Mem.ReadU64(currBucket + ElemOffLink));
                Mem.WriteU64(currBucket + ElemOffLink, Mem.ReadU64(fl + FreeListOffFreeList));
                Mem.WriteU64(fl + FreeListOffFreeList, currBucket);
                if (_partitioned) SpinLockRelease(fl);
                return ElementKey(currBucket);
            }

            case HashAction.HASH_ENTER:
            case HashAction.HASH_ENTER_NULL:
            {
                if (currBucket != 0) return ElementKey(currBucket);
                currBucket = GetHashEntry(freelistIdx);
                if (currBucket == 0)
                {
                    if (action == HashAction.HASH_ENTER_NULL) return 0;
                    throw new PgErrorException("out of shared memory");
                }
                Mem.WriteU64(prevBucketPtr, currBucket);
                Mem.WriteU64(currBucket + ElemOffLink, 0);
                Mem.WriteU32(currBucket + ElemOffHashValue, hashValue);
                Mem.WriteBytes(ElementKey(currBucket), key);
                return ElementKey(currBucket);
            }

            default:
                throw new PgErrorException("unrecognized hash action code: " + (int)action);
        }
    }

    /// <summary>get_hash_entry: an element for a new entry of freelist <paramref name="freelistIdx"/>,
    /// from its own list, a new batch, or (partitioned) another freelist; 0 if none is left.</summary>
    private ulong GetHashEntry(int freelistIdx)
    {
        ulong fl = FreeListAddr(freelistIdx);
        ulong newElement;
        for (;;)
        {
            if (_partitioned) SpinLockAcquire(fl);
            newElement = Mem.ReadU64(fl + FreeListOffFreeList);
            if (newElement != 0) break;
            if (_partitioned) SpinLockRelease(fl);

            if (!ElementAlloc(NElemAlloc, freelistIdx))
            {
                if (!_partitioned) return 0;
                int borrowFromIdx = freelistIdx;
                for (;;)
                {
                    borrowFromIdx = (borrowFromIdx + 1) % NUM_FREELISTS;
                    if (borrowFromIdx == freelistIdx) break;
                    ulong bfl = FreeListAddr(borrowFromIdx);
                    SpinLockAcquire(bfl);
                    newElement = Mem.ReadU64(bfl + FreeListOffFreeList);
                    if (newElement != 0)
                    {
                        Mem.WriteU64(bfl + FreeListOffFreeList, Mem.ReadU64(newElement + ElemOffLink));
                        SpinLockRelease(bfl);
                        SpinLockAcquire(fl);
                        Mem.WriteU64(fl + FreeListOffNEntries, Mem.ReadU64(fl + FreeListOffNEntries) + 1);
                        SpinLockRelease(fl);
                        return newElement;
                    }
                    SpinLockRelease(bfl);
                }
                return 0;
            }
        }
        Mem.WriteU64(fl + FreeListOffFreeList, Mem.ReadU64(newElement + ElemOffLink));
        Mem.WriteU64(fl + FreeListOffNEntries, Mem.ReadU64(fl + FreeListOffNEntries) + 1);
        if (_partitioned) SpinLockRelease(fl);
        return newElement;
    }

    /// <summary>hash_get_num_entries: the sum of the freelists' nentries (no locks taken).</summary>
    public long HashGetNumEntries()
    {
        long sum = FreeListNEntries(0);
        if (_partitioned)
            for (int i = 1; i < NUM_FREELISTS; i++) sum += FreeListNEntries(i);
        return sum;
    }
}
