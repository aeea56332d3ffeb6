// Generation.Verify: the harness's invariant walker for one Generation context, stronger than
// GenerationCheck (pg-mmgr-dsa.md 3.8 GEN1-GEN6, 1.12 MC3 and MC4). Each violation is one string
// starting with its invariant id. Checked:
//   GEN1  0 <= nfree <= nchunks per block; a block never stays with nfree == nchunks > 0.
//   GEN2  chunks tile [data, freeptr) exactly; their count is nchunks; with checking the chunks
//         marked free number nfree, live chunks have requested < size and an intact sentinel.
//   GEN3  the block list is a proper circular dlist (links, no cycle, mapped); every block links
//         back to the context; `block` is on the list; `freeblock` is NULL or an empty,
//         non-keeper block on the list, distinct from `block`.
//   GEN4  the keeper's blksize is the malloc'd size minus 128; every other block is a live malloc
//         chunk of exactly blksize bytes; endptr == block + blksize.
//   GEN5  (stateless part) a block has nchunks == 0 exactly when freeptr is at its data start:
//         space is only given back by marking the whole block empty.
//   GEN6  isReset implies blocks == [keeper], keeper empty, freeblock NULL.
//   MC3   mem_allocated == sum of blksize (also reported as GEN4).
//   MC4   every chunk header carries the Generation method id and decodes to its own block
//         (external chunks: only on a dedicated block at the fixed offset, with the magic).
// It never throws for corruption (a fault is reported as a GEN3 violation), never allocates from
// the context, and bounds every walk by the mapped heap size.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Generation : IMemoryContextVerifier
{
    /// <summary>IMemoryContextVerifier.Verify, called by MemoryContextVerify for each context of
    /// this type: appends one string per violation to <paramref name="problems"/>.</summary>
    [ExcludeFromCodeCoverage]
    public void Verify(ulong context, List<string> problems)
    {
        try
        {
            VerifyInternal(context, problems);
        }
        catch (Exception e) when (e is SimFaultException or AssertionFailureException)
        {
            problems.Add(Mcxt.VerifyWalkFailure("GEN3", "Generation", context, e));
        }
    }

    // Allocation-free when nothing is wrong: the block list and set come from the Mcxt's
    // VerifyScratch, and pointers are formatted (Mcxt.Ptr) only inside a violation's text.
    [ExcludeFromCodeCoverage]
    private void VerifyInternal(ulong ctx, List<string> v)
    {
        if (!Mcxt.VerifyTypeHeader(ctx, Generation_CONTEXTSZ, NodeTag.T_GenerationContext, "GEN3", "Generation", v)) return;

        ulong keeper = KeeperBlock(ctx);
        ulong current = _mem.ReadU64(ctx + OffBlock);
        ulong freeblock = _mem.ReadU64(ctx + OffFreeBlock);
        ulong? ctxMalloc = _heap.RequestedSize(ctx);
        if (ctxMalloc is null) v.Add($"GEN4: context {Mcxt.Ptr(ctx)} is not a live malloc chunk");

        VerifyScratch scratch = Mcxt.VerifyScratch;
        List<ulong> blocks = scratch.Blocks();
        HashSet<ulong> seen = scratch.BlockSeen();
        ulong head = ctx + OffBlocks;
        ulong prev = head;
        ulong maxSteps = MaxListSteps();
        ulong node = _mem.ReadU64(head + 8);
        while (node != head)
        {
            if ((ulong)blocks.Count >= maxSteps || !seen.Add(node))
            {
                v.Add($"GEN3: block list of {Mcxt.Ptr(ctx)} cycles at {Mcxt.Ptr(node)}");
                break;
            }
            if (!_mem.IsMapped(node, Generation_BLOCKHDRSZ))
            {
                v.Add($"GEN3: block list of {Mcxt.Ptr(ctx)} reaches unmapped block {Mcxt.Ptr(node)}");
                break;
            }
            ulong nodePrev = _mem.ReadU64(node + OffBlkNodePrev);
            if (nodePrev != prev)
                v.Add($"GEN3: block {Mcxt.Ptr(node)} has prev link {Mcxt.Ptr(nodePrev)}, expected {Mcxt.Ptr(prev)}");
            blocks.Add(node);
            prev = node;
            node = _mem.ReadU64(node + OffBlkNodeNext);
        }
        if (node == head)
        {
            ulong headPrev = _mem.ReadU64(head);
            if (headPrev != prev)
                v.Add($"GEN3: block list head of {Mcxt.Ptr(ctx)} has prev link {Mcxt.Ptr(headPrev)}, expected {Mcxt.Ptr(prev)}");
        }
        if (!seen.Contains(keeper)) v.Add($"GEN3: keeper block {Mcxt.Ptr(keeper)} is not on the block list of {Mcxt.Ptr(ctx)}");

        ulong sumBlksize = 0;
        foreach (ulong block in blocks)
            sumBlksize += VerifyBlock(ctx, block, block == keeper, ctxMalloc, v);

        if (!seen.Contains(current))
            v.Add($"GEN3: current block {Mcxt.Ptr(current)} is not on the block list of {Mcxt.Ptr(ctx)}");
        if (freeblock != 0)
        {
            if (!seen.Contains(freeblock)) v.Add($"GEN3: freeblock {Mcxt.Ptr(freeblock)} is not on the block list of {Mcxt.Ptr(ctx)}");
            else if (_mem.ReadU32(freeblock + OffBlkNChunks) != 0) v.Add($"GEN3: freeblock {Mcxt.Ptr(freeblock)} is not empty");
            if (freeblock == keeper) v.Add($"GEN3: freeblock of {Mcxt.Ptr(ctx)} is the keeper block");
            if (freeblock == current) v.Add($"GEN3: freeblock of {Mcxt.Ptr(ctx)} is also the current block");
        }

        ulong memAllocated = Mcxt.GetMemAllocated(ctx);
        if (memAllocated != sumBlksize)
        {
            v.Add($"GEN4: mem_allocated {memAllocated} of Generation context {Mcxt.Ptr(ctx)} differs from the sum of blksize {sumBlksize}");
            v.Add($"MC3: mem_allocated {memAllocated} of Generation context {Mcxt.Ptr(ctx)} differs from the Generation formula {sumBlksize}");
        }

        if (Mcxt.GetIsReset(ctx))
        {
            if (blocks.Count != 1 || blocks[0] != keeper)
                v.Add($"GEN6: context {Mcxt.Ptr(ctx)} is marked reset but holds {blocks.Count} blocks");
            else if (_mem.ReadU32(keeper + OffBlkNChunks) != 0 || _mem.ReadU64(keeper + OffBlkFreeptr) != keeper + Generation_BLOCKHDRSZ)
                v.Add($"GEN6: context {Mcxt.Ptr(ctx)} is marked reset but its keeper block is not empty");
            if (freeblock != 0) v.Add($"GEN6: context {Mcxt.Ptr(ctx)} is marked reset but has freeblock {Mcxt.Ptr(freeblock)}");
        }
    }

    /// <summary>Checks one block and its chunks; returns its blksize for the MC3 sum.</summary>
    [ExcludeFromCodeCoverage]
    private ulong VerifyBlock(ulong ctx, ulong block, bool isKeeper, ulong? ctxMalloc, List<string> v)
    {
        ulong blksize = _mem.ReadU64(block + OffBlkBlksize);
        ulong freeptr = _mem.ReadU64(block + OffBlkFreeptr);
        ulong endptr = _mem.ReadU64(block + OffBlkEndptr);
        int nchunks = (int)_mem.ReadU32(block + OffBlkNChunks);
        int nfree = (int)_mem.ReadU32(block + OffBlkNFree);
        ulong data = block + Generation_BLOCKHDRSZ;

        ulong owner = _mem.ReadU64(block + OffBlkContext);
        if (owner != ctx)
            v.Add($"GEN3: block {Mcxt.Ptr(block)} links to context {Mcxt.Ptr(owner)}, not {Mcxt.Ptr(ctx)}");
        if (isKeeper)
        {
            if (ctxMalloc is ulong size && blksize != size - Generation_CONTEXTSZ)
                v.Add($"GEN4: keeper block {Mcxt.Ptr(block)} has blksize {blksize}, but the context's malloc chunk holds {size} bytes");
        }
        else if (_heap.RequestedSize(block) is not ulong size || size != blksize)
        {
            v.Add($"GEN4: block {Mcxt.Ptr(block)} has blksize {blksize} but is not a live malloc chunk of that size");
        }
        if (endptr != unchecked(block + blksize))
            v.Add($"GEN4: block {Mcxt.Ptr(block)} has endptr {Mcxt.Ptr(endptr)}, expected block + blksize {Mcxt.Ptr(unchecked(block + blksize))}");

        if (nfree < 0 || nfree > nchunks)
            v.Add($"GEN1: block {Mcxt.Ptr(block)} has nfree {nfree} and nchunks {nchunks}");
        else if (nchunks > 0 && nfree == nchunks)
            v.Add($"GEN1: block {Mcxt.Ptr(block)} has all {nchunks} chunks free but was neither marked empty nor freed");

        if (freeptr < data || freeptr > endptr || !_mem.IsMapped(block, endptr - block))
        {
            v.Add($"GEN2: block {Mcxt.Ptr(block)} has freeptr {Mcxt.Ptr(freeptr)} outside [{Mcxt.Ptr(data)}, {Mcxt.Ptr(endptr)}]");
            return blksize;
        }
        if ((nchunks == 0) != (freeptr == data))
            v.Add($"GEN5: block {Mcxt.Ptr(block)} has {nchunks} chunks but freeptr at data start + {freeptr - data}");

        VerifyChunks(block, data, freeptr, endptr, nchunks, nfree, v);
        return blksize;
    }

    [ExcludeFromCodeCoverage]
    private void VerifyChunks(ulong block, ulong data, ulong freeptr, ulong endptr, int nchunks, int nfree, List<string> v)
    {
        ulong hdr = _hdr;
        bool checking = _checking;
        int counted = 0, countedFree = 0;
        ulong ptr = data;
        while (ptr < freeptr)
        {
            ulong chunk = ptr;
            ulong pointer = chunk + hdr;
            if (freeptr - ptr < hdr)
            {
                v.Add($"GEN2: block {Mcxt.Ptr(block)} ends in a partial chunk header at {Mcxt.Ptr(chunk)}");
                return;
            }
            ulong hdrmask = _mem.ReadU64(pointer - 8);
            if ((MemoryContextMethodID)(hdrmask & MEMORY_CONTEXT_METHODID_MASK) != MemoryContextMethodID.MCTX_GENERATION_ID)
                v.Add($"MC4: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has method id {hdrmask & MEMORY_CONTEXT_METHODID_MASK}, not {(int)MemoryContextMethodID.MCTX_GENERATION_ID}");
            ulong chunksize;
            if (MemoryChunk.HasExternalFlag(hdrmask))
            {
                if ((hdrmask & ~((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1)) != MEMORYCHUNK_MAGIC)
                    v.Add($"MC4: external chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} lacks the magic (header {MemoryChunk.FormatHeader(hdrmask)})");
                if (chunk != data || freeptr != endptr)
                    v.Add($"MC4: external chunk {Mcxt.Ptr(chunk)} is not the only chunk of a dedicated block {Mcxt.Ptr(block)}");
                chunksize = endptr - pointer;
            }
            else
            {
                ulong owner = MemoryChunk.GetBlock(chunk, hdrmask);
                if (owner != block)
                    v.Add($"MC4: chunk {Mcxt.Ptr(chunk)} decodes to block {Mcxt.Ptr(owner)}, not its block {Mcxt.Ptr(block)}");
                chunksize = MemoryChunk.GetValue(hdrmask);
                if (chunksize != MAXALIGN(chunksize))
                    v.Add($"GEN2: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has unaligned size {chunksize}");
            }
            if (chunksize > freeptr - pointer)
            {
                v.Add($"GEN2: chunk {Mcxt.Ptr(chunk)} of size {chunksize} overruns freeptr of block {Mcxt.Ptr(block)}");
                return;
            }
            counted++;
            if (checking)
            {
                ulong requested = _mem.ReadU64(chunk);
                if (requested == InvalidAllocSize)
                    countedFree++;
                else if (requested >= chunksize)
                    v.Add($"GEN2: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has requested size {requested} >= chunk size {chunksize}");
                else if (!Mcxt.SentinelOk(pointer, requested))
                    v.Add($"GEN2: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has a damaged sentinel at +{requested}");
            }
            ptr = pointer + chunksize;
        }
        if (counted != nchunks)
            v.Add($"GEN2: block {Mcxt.Ptr(block)} holds {counted} chunks but its header says nchunks {nchunks}");
        if (checking && countedFree != nfree)
            v.Add($"GEN2: block {Mcxt.Ptr(block)} holds {countedFree} freed chunks but its header says nfree {nfree}");
    }
}
