// DynaHash.Check: the invariant walker for a shared dynahash table, run at quiescence (no backend
// inside a hash operation, every partition lock free). It only reads; it never follows a link that
// does not point at an element of the pool, so a corrupted table yields messages, not faults.
//
// Invariants (numbered; a violation names its number):
//   DH1  every element reachable from a bucket chain or a freelist is an element of the pool (the
//        batches element_alloc carved out, on an element boundary) and is reached exactly once
//        over all chains and freelists (no element in two places, no cycle).
//   DH2  each chained element sits in the bucket calc_bucket(its hashvalue) names, and its
//        hashvalue is the hash of its key (reference §19.2 M6).
//   DH3  the freelists' nentries sum to the number of chained elements; in a partitioned table,
//        each freelist's nentries equals the chained elements whose hash mod 32 is its index
//        (reference §19.3 H1).
//   DH4  no key appears twice among the chained elements.
//   DH5  chained elements plus freelist elements equal the pool size (no leak; §19.3 H2).
//   DH6  every freelist mutex word is 0 (no spinlock left held).
//   DH7  the geometry is consistent: low_mask == max_bucket, high_mask == 2*low_mask+1, the
//        bucket count is a power of two >= num_partitions, nsegs <= dsize, nsegs segments cover
//        the buckets, and every one of them is present and inside the shared segment (§19.3 H5).
//        When DH7 fails the chains are not walked (so DH2-DH5 are not judged).
namespace Allocator.Buffers.Dynahash;

public sealed partial class DynaHash
{
    public List<string> Check()
    {
        var errors = new List<string>();
        var mem = Mem;
        uint maxBucket = MaxBucket, lowMask = LowMask, highMask = HighMask;
        long nsegs = NSegs, dsize = DSize, numPartitions = NumPartitions;
        ulong nbuckets = (ulong)maxBucket + 1;

        // DH7: geometry
        bool geometryOk = true;
        if (lowMask != maxBucket) { errors.Add($"DH7: low_mask 0x{lowMask:x} != max_bucket {maxBucket}"); geometryOk = false; }
        if (highMask != (lowMask << 1 | 1)) { errors.Add($"DH7: high_mask 0x{highMask:x} is not 2*low_mask+1 (low_mask 0x{lowMask:x})"); geometryOk = false; }
        if ((nbuckets & (nbuckets - 1)) != 0 || nbuckets < (ulong)Math.Max(1, numPartitions))
        { errors.Add($"DH7: bucket count {nbuckets} is not a power of two >= num_partitions {numPartitions}"); geometryOk = false; }
        if (nsegs < 1 || nsegs > dsize || (ulong)nsegs * _ssize < nbuckets)
        { errors.Add($"DH7: nsegs {nsegs} does not fit dsize {dsize} or cover {nbuckets} buckets"); geometryOk = false; }
        else
        {
            for (long s = 0; s < nsegs; s++)
            {
                ulong segp = mem.ReadU64(Dir + (ulong)s * PointerSize);
                if (segp == 0) { errors.Add($"DH7: segment {s} is missing"); geometryOk = false; }
                else if (!Shmem.ShmemAddrIsValid(segp) || !Shmem.ShmemAddrIsValid(segp + _ssize * PointerSize - 1))
                { errors.Add($"DH7: segment {s} at 0x{segp:x} is not inside the shared segment"); geometryOk = false; }
            }
        }

        // DH6: mutexes
        for (int i = 0; i < NUM_FREELISTS; i++)
        {
            uint m = mem.ReadU32(FreeListAddr(i) + FreeListOffMutex);
            if (m != 0) errors.Add($"DH6: freelist {i} mutex is held (0x{m:x})");
        }

        // The pool: every element address.
        ulong elementSize = ElementSize;
        var pool = new HashSet<ulong>();
        foreach (var (first, count) in Batches)
            for (long i = 0; i < count; i++) pool.Add(first + (ulong)i * elementSize);

        // Where each element was reached: a place code (freelist i = i, bucket b = NUM_FREELISTS + b),
        // formatted only when something is wrong.
        var where = new Dictionary<ulong, long>();
        string Place(long code) => code < NUM_FREELISTS ? $"freelist {code}" : $"bucket {code - NUM_FREELISTS}";
        bool Visit(ulong e, long place)
        {
            if (!pool.Contains(e)) { errors.Add($"DH1: {Place(place)} links to 0x{e:x}, which is not an element of the pool"); return false; }
            if (where.TryGetValue(e, out long other))
            {
                errors.Add(other == place
                    ? $"DH1: {Place(place)} reaches element 0x{e:x} twice (a cycle)"
                    : $"DH1: element 0x{e:x} is in {Place(other)} and in {Place(place)}");
                return false;
            }
            where.Add(e, place);
            return true;
        }

        // Freelists
        long freeCount = 0;
        for (int i = 0; i < NUM_FREELISTS; i++)
        {
            for (ulong e = FreeListHead(i); e != 0; e = mem.ReadU64(e + ElemOffLink))
            {
                if (!Visit(e, i)) break;
                freeCount++;
            }
        }

        // Chains
        long chained = 0;
        var perFreelist = new long[NUM_FREELISTS];
        var keys = new Dictionary<ulong, ulong>();   // 64-bit FNV-1a of the key -> first element with it
        if (geometryOk)
        {
            for (uint b = 0; b <= maxBucket; b++)
            {
                ulong head = BucketHeadAddr(b);
                for (ulong e = mem.ReadU64(head); e != 0; e = mem.ReadU64(e + ElemOffLink))
                {
                    if (!Visit(e, NUM_FREELISTS + b)) break;
                    chained++;
                    uint hv = mem.ReadU32(e + ElemOffHashValue);
                    uint expectBucket = CalcBucket(hv, maxBucket, highMask, lowMask);
                    if (expectBucket != b)
                        errors.Add($"DH2: element 0x{e:x} in bucket {b} has hashvalue 0x{hv:x8}, which maps to bucket {expectBucket}");
                    ReadOnlySpan<byte> key = mem.ReadSpan(ElementKey(e), _keysize);
                    uint keyHash = GetHashValue(key);
                    if (keyHash != hv)
                        errors.Add($"DH2: element 0x{e:x} has hashvalue 0x{hv:x8} but its key hashes to 0x{keyHash:x8}");
                    perFreelist[FreelistIdx(hv)]++;
                    ulong fnv = 14695981039346656037UL;
                    foreach (byte k in key) fnv = (fnv ^ k) * 1099511628211UL;
                    if (!keys.TryAdd(fnv, e) && key.SequenceEqual(mem.ReadSpan(ElementKey(keys[fnv]), _keysize)))
                        errors.Add($"DH4: key {Convert.ToHexString(key)} is in element 0x{keys[fnv]:x} and in element 0x{e:x}");
                }
            }
        }

        // DH3: entry accounting
        long sum = 0;
        for (int i = 0; i < NUM_FREELISTS; i++) sum += FreeListNEntries(i);
        if (geometryOk && sum != chained)
            errors.Add($"DH3: the freelists' nentries sum to {sum}, but {chained} elements are in bucket chains");
        if (geometryOk && _partitioned)
        {
            for (int i = 0; i < NUM_FREELISTS; i++)
                if (FreeListNEntries(i) != perFreelist[i])
                    errors.Add($"DH3: freelist {i} has nentries {FreeListNEntries(i)}, but {perFreelist[i]} chained entries hash to it");
        }

        // DH5: nothing leaked
        if (geometryOk && chained + freeCount != PoolSize)
            errors.Add($"DH5: {chained} chained + {freeCount} free elements != pool size {PoolSize}");
        return errors;
    }
}
