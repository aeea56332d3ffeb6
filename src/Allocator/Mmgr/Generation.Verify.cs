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
//   GEN7  (ours, from generation.c) initBlockSize <= nextBlockSize <= maxBlockSize, nextBlockSize on
//         the doubling sequence, and allocChunkLimit within what GenerationContextCreate computes
//         (<= MEMORYCHUNK_MAX_VALUE, Generation_CHUNK_FRACTION of them fit on a maximum-sized
//         block); BlockSizeBounds.
//   MC3   mem_allocated == sum of blksize (also reported as GEN4).
//   MC4   every chunk header carries the Generation method id and decodes to its own block
//         (external chunks: only on a dedicated block at the fixed offset, with the magic).
// It never throws for corruption (a fault is reported as a GEN3 violation), never allocates from
// the context, and bounds every walk by the mapped heap size. The block-list walk, the chunk
// tiling and the entry point are VerifyWalk's, shared with Slab and Bump.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Generation : IMemoryContextVerifier, IVerifyWalkBody
{
    /// <summary>IMemoryContextVerifier.Verify, called by MemoryContextVerify for each context of
    /// this type: appends one string per violation to <paramref name="problems"/>.</summary>
    [ExcludeFromCodeCoverage]
    public void Verify(ulong context, List<string> problems) => VerifyWalk.Run(this, context, problems);

    [ExcludeFromCodeCoverage]
    string IVerifyWalkBody.WalkInvariant => "GEN3";

    [ExcludeFromCodeCoverage]
    ulong IVerifyWalkBody.ContextHeaderSize => Generation_CONTEXTSZ;

    // Allocation-free when nothing is wrong: the block list and set come from the Mcxt's
    // VerifyScratch, and pointers are formatted (Mcxt.Ptr) only inside a violation's text.
    [ExcludeFromCodeCoverage]
    void IVerifyWalkBody.VerifyBody(ulong ctx, List<string> v)
    {
        ulong keeper = KeeperBlock(ctx);
        ulong current = _mem.ReadU64(ctx + OffBlock);
        ulong freeblock = _mem.ReadU64(ctx + OffFreeBlock);
        ulong? ctxMalloc = _heap.RequestedSize(ctx);
        if (ctxMalloc is null) v.Add($"GEN4: context {Mcxt.Ptr(ctx)} is not a live malloc chunk");

        VerifyScratch scratch = Mcxt.VerifyScratch;
        List<ulong> blocks = scratch.Blocks();
        HashSet<ulong> seen = scratch.BlockSeen();
        VerifyWalk.BlockList(_mem, ctx + OffBlocks, OffBlkNode, Generation_BLOCKHDRSZ, MaxListSteps(), seen, blocks, v,
            new ContextBlockListTexts("GEN3", ctx));
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
            v.Add(VerifyWalk.MemAllocatedMismatch(TypeName, ctx, memAllocated, sumBlksize));
        }

        BlockSizeBounds.CheckNextBlockSize("GEN7", ctx, _mem.ReadU32(ctx + OffInitBlockSize), _mem.ReadU32(ctx + OffMaxBlockSize), _mem.ReadU32(ctx + OffNextBlockSize), v);
        BlockSizeBounds.CheckChunkLimit("GEN7", ctx, _mem.ReadU32(ctx + OffAllocChunkLimit), _mem.ReadU32(ctx + OffMaxBlockSize), _hdr, Generation_BLOCKHDRSZ, Generation_CHUNK_FRACTION, v);

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

        var tally = new ChunkTally(this);
        if (!VerifyWalk.Chunks(_mem, _hdr, MemoryContextMethodID.MCTX_GENERATION_ID, "GEN2", block, data, freeptr, endptr, ref tally, v))
            return blksize;
        if (tally.Counted != nchunks)
            v.Add($"GEN2: block {Mcxt.Ptr(block)} holds {tally.Counted} chunks but its header says nchunks {nchunks}");
        if (_checking && tally.CountedFree != nfree)
            v.Add($"GEN2: block {Mcxt.Ptr(block)} holds {tally.CountedFree} freed chunks but its header says nfree {nfree}");
        return blksize;
    }

    /// <summary>GEN2's per-chunk part of the tiling: counts the chunks and, with checking, the
    /// freed ones; a live chunk has requested &lt; size and an intact sentinel. A dedicated
    /// block holds its external chunk and nothing else (MC4).</summary>
    [ExcludeFromCodeCoverage]
    private struct ChunkTally(Generation generation) : IChunkTilingChecks
    {
        public int Counted;
        public int CountedFree;

        public readonly void External(ulong chunk, ulong block, ulong data, ulong freeptr, ulong endptr, List<string> v)
        {
            if (chunk != data || freeptr != endptr)
                v.Add($"MC4: external chunk {Mcxt.Ptr(chunk)} is not the only chunk of a dedicated block {Mcxt.Ptr(block)}");
        }

        public void Chunk(ulong chunk, ulong pointer, ulong chunksize, ulong block, List<string> v)
        {
            Counted++;
            if (!generation._checking) return;
            ulong requested = generation._mem.ReadU64(chunk);
            if (requested == InvalidAllocSize)
                CountedFree++;
            else if (requested >= chunksize)
                v.Add($"GEN2: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has requested size {requested} >= chunk size {chunksize}");
            else if (!generation.Mcxt.SentinelOk(pointer, requested))
                v.Add($"GEN2: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has a damaged sentinel at +{requested}");
        }
    }
}
