// Bump.Verify: the harness's invariant walker for one Bump context, stronger than BumpCheck
// (pg-mmgr-dsa.md 5.3 BU1-BU4, 1.12 MC3 and MC4). Each violation is one string starting with its
// invariant id. Checked:
//   BU1  the block list is a proper circular dlist holding the keeper; with checking, every block
//        links back to the context, and a dedicated block (one whose first chunk is external) is
//        full, holds that one chunk only, and is never the head (the current block).
//   BU2  data <= freeptr <= endptr for every block; with checking, chunks tile [data, freeptr)
//        and every chunk's sentinel after its requested bytes is intact.
//   BU3  the keeper's endptr is the end of the context's malloc chunk; every other block is a live
//        malloc chunk of endptr - block bytes; mem_allocated equals (keeper.endptr - ctx) plus the
//        other blocks' sizes (also reported as MC3).
//   BU4  isReset implies blocks == [keeper] with the keeper empty.
//   BU5  (ours, from bump.c) initBlockSize <= nextBlockSize <= maxBlockSize, nextBlockSize on the
//        doubling sequence, and allocChunkLimit within what BumpContextCreate computes
//        (<= MEMORYCHUNK_MAX_VALUE, Bump_CHUNK_FRACTION of them fit on a maximum-sized block);
//        BlockSizeBounds.
//   MC4  (checking builds) every chunk header carries the Bump method id and decodes to its block.
// Without checking, bump chunks have no header, so a full ordinary block and a dedicated block
// look alike and the chunk-level checks are skipped. Monotonic freeptr (part of BU2) needs history
// and is left to the reference model. Never throws for corruption (a fault is reported as a BU1
// violation), never allocates from the context, bounds every walk. The block-list walk, the chunk
// tiling and the entry point are VerifyWalk's, shared with Generation and Slab.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using static Allocator.Mmgr.BumpConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Bump : IMemoryContextVerifier, IVerifyWalkBody
{
    /// <summary>IMemoryContextVerifier.Verify, called by MemoryContextVerify for each context of
    /// this type: appends one string per violation to <paramref name="problems"/>.</summary>
    [ExcludeFromCodeCoverage]
    public void Verify(ulong context, List<string> problems) => VerifyWalk.Run(this, context, problems);

    [ExcludeFromCodeCoverage]
    string IVerifyWalkBody.WalkInvariant => "BU1";

    [ExcludeFromCodeCoverage]
    ulong IVerifyWalkBody.ContextHeaderSize => Bump_CONTEXTSZ;

    // Allocation-free when nothing is wrong: the block list and set come from the Mcxt's
    // VerifyScratch, and pointers are formatted (Mcxt.Ptr) only inside a violation's text.
    [ExcludeFromCodeCoverage]
    void IVerifyWalkBody.VerifyBody(ulong ctx, List<string> v)
    {
        ulong keeper = KeeperBlock(ctx);
        VerifyScratch scratch = Mcxt.VerifyScratch;
        List<ulong> blocks = scratch.Blocks();
        HashSet<ulong> seen = scratch.BlockSeen();
        VerifyWalk.BlockList(_mem, ctx + OffBlocks, OffBlkNode, _blkhdr, MaxListSteps(), seen, blocks, v,
            new ContextBlockListTexts("BU1", ctx));
        if (!seen.Contains(keeper)) v.Add($"BU1: keeper block {Mcxt.Ptr(keeper)} is not on the block list of {Mcxt.Ptr(ctx)}");

        ulong total = 0;
        for (int i = 0; i < blocks.Count; i++)
            total += VerifyBlock(ctx, blocks[i], blocks[i] == keeper, i == 0, v);

        ulong memAllocated = Mcxt.GetMemAllocated(ctx);
        if (memAllocated != total)
        {
            v.Add($"BU3: mem_allocated {memAllocated} of Bump context {Mcxt.Ptr(ctx)} differs from the blocks' total {total}");
            v.Add(VerifyWalk.MemAllocatedMismatch(TypeName, ctx, memAllocated, total));
        }

        BlockSizeBounds.CheckNextBlockSize("BU5", ctx, _mem.ReadU32(ctx + OffInitBlockSize), _mem.ReadU32(ctx + OffMaxBlockSize), _mem.ReadU32(ctx + OffNextBlockSize), v);
        BlockSizeBounds.CheckChunkLimit("BU5", ctx, _mem.ReadU32(ctx + OffAllocChunkLimit), _mem.ReadU32(ctx + OffMaxBlockSize), _hdr, _blkhdr, Bump_CHUNK_FRACTION, v);

        if (Mcxt.GetIsReset(ctx))
        {
            if (blocks.Count != 1 || blocks[0] != keeper)
                v.Add($"BU4: context {Mcxt.Ptr(ctx)} is marked reset but holds {blocks.Count} blocks");
            else if (Freeptr(keeper) != keeper + _blkhdr)
                v.Add($"BU4: context {Mcxt.Ptr(ctx)} is marked reset but its keeper block is not empty");
        }
    }

    /// <summary>Checks one block (and, with checking, its chunks); returns its share of mem_allocated.</summary>
    [ExcludeFromCodeCoverage]
    private ulong VerifyBlock(ulong ctx, ulong block, bool isKeeper, bool isHead, List<string> v)
    {
        ulong freeptr = Freeptr(block);
        ulong endptr = Endptr(block);
        ulong data = block + _blkhdr;
        ulong share = unchecked(endptr - (isKeeper ? ctx : block));

        if (isKeeper)
        {
            if (_heap.RequestedSize(ctx) is not ulong size || size != share)
                v.Add($"BU3: keeper block {Mcxt.Ptr(block)} ends at {Mcxt.Ptr(endptr)}, not at the end of the context's malloc chunk");
        }
        else if (_heap.RequestedSize(block) is not ulong size || size != share)
        {
            v.Add($"BU3: block {Mcxt.Ptr(block)} of {share} bytes is not a live malloc chunk of that size");
        }
        if (freeptr < data || freeptr > endptr || endptr < block || !_mem.IsMapped(block, endptr - block))
        {
            v.Add($"BU2: block {Mcxt.Ptr(block)} has freeptr {Mcxt.Ptr(freeptr)} outside [{Mcxt.Ptr(data)}, {Mcxt.Ptr(endptr)}]");
            return share;
        }
        if (!_checking) return share;

        ulong owner = _mem.ReadU64(block + OffBlkContextChecking);
        if (owner != ctx)
            v.Add($"BU1: block {Mcxt.Ptr(block)} links to context {Mcxt.Ptr(owner)}, not {Mcxt.Ptr(ctx)}");
        var chunks = new ChunkChecks(this, isKeeper, isHead);
        if (VerifyWalk.Chunks(_mem, _hdr, MemoryContextMethodID.MCTX_BUMP_ID, "BU2", block, data, freeptr, endptr, ref chunks, v)
            && chunks.SawExternal && chunks.NChunks > 1)
            v.Add($"BU1: dedicated block {Mcxt.Ptr(block)} holds {chunks.NChunks} chunks");
        return share;
    }

    /// <summary>BU1 and BU2's per-chunk part of the tiling (checking builds, where chunks have
    /// headers): an external chunk is the only chunk of a full dedicated block that is neither the
    /// keeper nor the head; every chunk has requested &lt; size and an intact sentinel.</summary>
    [ExcludeFromCodeCoverage]
    private struct ChunkChecks(Bump bump, bool isKeeper, bool isHead) : IChunkTilingChecks
    {
        public int NChunks;
        public bool SawExternal;

        public void External(ulong chunk, ulong block, ulong data, ulong freeptr, ulong endptr, List<string> v)
        {
            SawExternal = true;
            if (chunk != data || freeptr != endptr || isKeeper)
                v.Add($"BU1: external chunk {Mcxt.Ptr(chunk)} is not the only chunk of a full dedicated block {Mcxt.Ptr(block)}");
            if (isHead)
                v.Add($"BU1: dedicated block {Mcxt.Ptr(block)} is the head (current block) of the list");
        }

        public void Chunk(ulong chunk, ulong pointer, ulong chunksize, ulong block, List<string> v)
        {
            NChunks++;
            ulong requested = bump._mem.ReadU64(chunk);
            if (requested >= chunksize)
                v.Add($"BU2: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has requested size {requested} >= chunk size {chunksize}");
            else if (!bump.Mcxt.SentinelOk(pointer, requested))
                v.Add($"BU2: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has a damaged sentinel at +{requested}");
        }
    }
}
