// Mcxt.Bump: BumpContextCreate (bump.c) and the registration of the Bump method table under
// MCTX_BUMP_ID.
//
// The context header (112 bytes) and the keeper block share one malloc chunk, and mem_allocated
// counts all of it, header included (pg-mmgr-dsa.md 1.7, 5.2).
using Allocator.Common;
using static Allocator.Mmgr.BumpConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    partial void RegisterBump() => RegisterMethods(new Bump(this));

    /// <summary>BumpContextCreate(parent, name, minContextSize, initBlockSize, maxBlockSize), with
    /// the same asserted parameter rules as GenerationContextCreate.</summary>
    public ulong BumpContextCreate(ulong parent, string name, ulong minContextSize, ulong initBlockSize, ulong maxBlockSize)
    {
        var methods = (Bump)Methods[(int)MemoryContextMethodID.MCTX_BUMP_ID]!;
        AssertBlockSizeParameters(minContextSize, initBlockSize, maxBlockSize);

        ulong hdr = methods.ChunkHdrSz;
        ulong blkhdr = methods.BlockHdrSz;
        ulong allocSize = Bump_CONTEXTSZ + blkhdr + hdr;
        allocSize = Math.Max(allocSize, minContextSize != 0 ? minContextSize : initBlockSize);

        ulong set = MallocContext(allocSize, name);

        // Nothing between here and MemoryContextCreate may fail, or the chunk would leak.
        Memory.DlistInit(set + OffBlocks);
        ulong keeper = Bump.KeeperBlock(set);
        methods.BlockInit(set, keeper, allocSize - Bump_CONTEXTSZ);
        Memory.DlistPushHead(set + OffBlocks, keeper);
        Memory.WriteU32(set + OffInitBlockSize, (uint)initBlockSize);
        Memory.WriteU32(set + OffMaxBlockSize, (uint)maxBlockSize);
        Memory.WriteU32(set + OffNextBlockSize, (uint)initBlockSize);

        // At least Bump_CHUNK_FRACTION chunks of the limit fit on a maximum-sized block, and the
        // limit must fit the 30-bit `value` of a MemoryChunk (used with checking).
        uint allocChunkLimit = (uint)Math.Min(maxBlockSize, MEMORYCHUNK_MAX_VALUE);
        while (allocChunkLimit + hdr > (maxBlockSize - blkhdr) / Bump_CHUNK_FRACTION)
            allocChunkLimit >>= 1;
        Memory.WriteU32(set + OffAllocChunkLimit, allocChunkLimit);

        MemoryContextCreate(set, NodeTag.T_BumpContext, MemoryContextMethodID.MCTX_BUMP_ID, parent, name);
        SetMemAllocated(set, allocSize);
        return set;
    }
}
