// Mcxt.Generation: GenerationContextCreate (generation.c) and the registration of the Generation
// method table under MCTX_GENERATION_ID.
//
// The context header (128 bytes) and the keeper block share one malloc chunk; mem_allocated counts
// the keeper's blksize only, i.e. the malloc'd size minus the header (pg-mmgr-dsa.md 1.7, 3.2).
using Allocator.Common;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    partial void RegisterGeneration() => RegisterMethods(new Generation(this));

    /// <summary>GenerationContextCreate(parent, name, minContextSize, initBlockSize, maxBlockSize).
    /// Parameters are asserted as in PostgreSQL: init MAXALIGNed and at least 1 KiB, max MAXALIGNed,
    /// at least init and at most MEMORYCHUNK_MAX_BLOCKOFFSET, min 0 or MAXALIGNed in [1 KiB, max].</summary>
    public ulong GenerationContextCreate(ulong parent, string name, ulong minContextSize, ulong initBlockSize, ulong maxBlockSize)
    {
        var methods = (Generation)Methods[(int)MemoryContextMethodID.MCTX_GENERATION_ID]!;
        AssertBlockSizeParameters(minContextSize, initBlockSize, maxBlockSize);

        ulong hdr = ChunkHdrSz;
        ulong allocSize = Generation_CONTEXTSZ + Generation_BLOCKHDRSZ + hdr;
        allocSize = Math.Max(allocSize, minContextSize != 0 ? minContextSize : initBlockSize);

        ulong set = MallocContext(allocSize, name);

        // Nothing between here and MemoryContextCreate may fail, or the chunk would leak.
        Memory.DlistInit(set + OffBlocks);
        ulong keeper = Generation.KeeperBlock(set);
        ulong firstBlockSize = allocSize - Generation_CONTEXTSZ;
        methods.BlockInit(set, keeper, firstBlockSize);
        Memory.DlistPushHead(set + OffBlocks, keeper);
        Memory.WriteU64(set + OffBlock, keeper);
        Memory.WriteU64(set + OffFreeBlock, 0);
        Memory.WriteU32(set + OffInitBlockSize, (uint)initBlockSize);
        Memory.WriteU32(set + OffMaxBlockSize, (uint)maxBlockSize);
        Memory.WriteU32(set + OffNextBlockSize, (uint)initBlockSize);

        // At least Generation_CHUNK_FRACTION chunks of the limit fit on a maximum-sized block, and
        // the limit must fit the 30-bit `value` of a MemoryChunk.
        uint allocChunkLimit = (uint)Math.Min(maxBlockSize, MEMORYCHUNK_MAX_VALUE);
        while (allocChunkLimit + hdr > (maxBlockSize - Generation_BLOCKHDRSZ) / Generation_CHUNK_FRACTION)
            allocChunkLimit >>= 1;
        Memory.WriteU32(set + OffAllocChunkLimit, allocChunkLimit);

        MemoryContextCreate(set, NodeTag.T_GenerationContext, MemoryContextMethodID.MCTX_GENERATION_ID, parent, name);
        SetMemAllocated(set, firstBlockSize);
        return set;
    }
}
