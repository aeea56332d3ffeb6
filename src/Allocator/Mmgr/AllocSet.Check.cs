// AllocSet.Check: AllocSetCheck (src/backend/utils/mmgr/aset.c, MEMORY_CONTEXT_CHECKING), with
// PostgreSQL's WARNING texts (pg-mmgr-dsa.md 2.11). Runs before every reset and delete in checking
// builds, and from MemoryContextCheck.
//
// Divergences, all about staying inside the block where C would read wild memory:
//  - the chunk walk stops at min(freeptr, endptr, the end of the malloc'd block) and never steps
//    past it, so a corrupt freeptr or a huge stride from a corrupt fidx ends the walk (the
//    "inconsistent memory block" WARNING then reports the mismatch);
//  - the block-list walk is bounded by the number of live heap blocks (any cycle also trips the
//    "corrupt header" test on the block visited twice);
//  - "is external?" does not assert the magic, so a header with a stray external bit is described,
//    not trapped;
//  - without MEMORY_CONTEXT_CHECKING (where C has no check routine at all) the walk still runs but
//    skips the requested_size and sentinel tests, for lack of requested_size.
// It reads only: no allocation (unless it warns), no writes, no re-entry into the context.
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class AllocSet
{
    /// <summary>AllocSetCheck: walk every block and chunk, WARNING on each inconsistency.</summary>
    public override void Check(ulong context)
    {
        SimMemory m = _mem;
        ulong set = context;
        ulong hdr = _hdr;
        // As in C, the name pointer is read here and the string only when a WARNING prints it: a
        // check that finds nothing costs no string (it runs before every reset in checking builds).
        ulong namePtr = m.ReadU64(set + OffName);
        string Name() => m.ReadCString(namePtr);
        string P(ulong a) => Mcxt.Ptr(a);
        ulong keeper = KeeperBlock(set);
        ulong totalAllocated = 0;
        long blocksMax = _heap.OutstandingBlocks + 1;
        long visited = 0;

        for (ulong prevblock = 0, block = m.ReadU64(set + AsetOffBlocks); block != 0 && visited < blocksMax;
             prevblock = block, block = m.ReadU64(block + BlkOffNext), visited++)
        {
            ulong bpoz = block + ALLOC_BLOCKHDRSZ;
            ulong freeptr = m.ReadU64(block + BlkOffFreeptr);
            ulong endptr = m.ReadU64(block + BlkOffEndptr);
            ulong blkUsed = freeptr - bpoz;
            ulong blkData = 0, nchunks = 0;
            bool hasExternalChunk = false;
            bool isKeeper = block == keeper;

            totalAllocated += isKeeper ? endptr - set : endptr - block;
            if (blkUsed == 0 && !isKeeper)
                Mcxt.Log.Warning($"problem in alloc set {Name()}: empty block {P(block)}");
            if (m.ReadU64(block + BlkOffAset) != set || m.ReadU64(block + BlkOffPrev) != prevblock || freeptr < bpoz || freeptr > endptr)
                Mcxt.Log.Warning($"problem in alloc set {Name()}: corrupt header in block {P(block)}");

            ulong limit = WalkLimit(set, block, freeptr, endptr);
            while (bpoz < limit && limit - bpoz >= hdr)
            {
                ulong chunk = bpoz;
                ulong hdrmask = m.ReadU64(chunk + hdr - 8);
                ulong chsize;
                if (MemoryChunk.HasExternalFlag(hdrmask))
                {
                    chsize = endptr - (chunk + hdr);
                    hasExternalChunk = true;
                    if (chsize + hdr != blkUsed)
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: bad single-chunk {P(chunk)} in block {P(block)}");
                }
                else
                {
                    ulong fidx = MemoryChunk.GetValue(hdrmask);
                    if (!FreeListIdxIsValid(fidx))
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: bad chunk size for chunk {P(chunk)} in block {P(block)}");
                    chsize = (1UL << ALLOC_MINBITS) << (int)fidx;   // C's shift on x86-64: count taken mod 64
                    if (block != MemoryChunk.GetBlock(chunk, hdrmask))
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: bad block offset for chunk {P(chunk)} in block {P(block)}");
                }

                if (_checking)
                {
                    ulong dsize = m.ReadU64(chunk);
                    if (dsize != InvalidAllocSize && dsize > chsize)
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: req size > alloc size for chunk {P(chunk)} in block {P(block)}");
                    if (chsize < (1UL << ALLOC_MINBITS))
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: bad size {chsize} for chunk {P(chunk)} in block {P(block)}");
                    if (dsize != InvalidAllocSize && dsize < chsize && hdr + dsize < limit - chunk && !Mcxt.SentinelOk(chunk, hdr + dsize))
                        Mcxt.Log.Warning($"problem in alloc set {Name()}: detected write past chunk end in block {P(block)}, chunk {P(chunk)}");
                }
                else if (chsize < (1UL << ALLOC_MINBITS))
                {
                    Mcxt.Log.Warning($"problem in alloc set {Name()}: bad size {chsize} for chunk {P(chunk)} in block {P(block)}");
                }

                blkData += chsize;
                nchunks++;
                ulong stride = hdr + chsize;
                if (stride < hdr || stride > limit - bpoz) break;   // would leave the block
                bpoz += stride;
            }

            if (blkData + nchunks * hdr != blkUsed)
                Mcxt.Log.Warning($"problem in alloc set {Name()}: found inconsistent memory block {P(block)}");
            if (hasExternalChunk && nchunks > 1)
                Mcxt.Log.Warning($"problem in alloc set {Name()}: external chunk on non-dedicated block {P(block)}");
        }

        if (_assertChecking)
            Pg.Assert(totalAllocated == Mcxt.GetMemAllocated(set), "total_allocated == context->mem_allocated");
    }

    /// <summary>Where a chunk walk of <paramref name="block"/> must stop: freeptr, clipped to endptr
    /// and to the end of the malloc'd memory the block lives in (the keeper lives in the context's).</summary>
    private ulong WalkLimit(ulong set, ulong block, ulong freeptr, ulong endptr)
    {
        ulong start = block + ALLOC_BLOCKHDRSZ;
        ulong limit = freeptr;
        if (endptr >= start && limit > endptr) limit = endptr;
        ulong mallocBase = block == KeeperBlock(set) ? set : block;
        ulong? mallocSize = _heap.RequestedSize(mallocBase);
        ulong mallocEnd = mallocSize is ulong size ? mallocBase + size : start;
        if (limit > mallocEnd) limit = mallocEnd;
        return limit < start ? start : limit;
    }
}
