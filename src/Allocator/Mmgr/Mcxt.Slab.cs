// Mcxt.Slab: SlabContextCreate (slab.c) and the registration of the Slab method table under
// MCTX_SLAB_ID.
//
// The header is malloc'd on its own (176 bytes, or 192 plus a chunksPerBlock-byte isChunkFree array
// with checking); no block exists until the first allocation and mem_allocated starts at 0.
// chunkSize is raised to 8 before it is stored (quirk Q3), so a request of the original size fails.
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    partial void RegisterSlab() => RegisterMethods(new Slab(this));

    /// <summary>SlabContextCreate(parent, name, blockSize, chunkSize).</summary>
    public ulong SlabContextCreate(ulong parent, string name, ulong blockSize, ulong chunkSize)
    {
        var methods = (Slab)Methods[(int)MemoryContextMethodID.MCTX_SLAB_ID]!;
        Pg.Assert(blockSize <= MEMORYCHUNK_MAX_BLOCKOFFSET);

        // A free chunk stores the next-free pointer in its data: make room for it (Q3).
        if (chunkSize < SlabMinChunkSize) chunkSize = SlabMinChunkSize;

        ulong hdr = ChunkHdrSz;
        ulong fullChunkSize = hdr + (Options.MemoryContextChecking ? MAXALIGN(chunkSize + 1) : MAXALIGN(chunkSize));
        Pg.Assert(fullChunkSize <= MEMORYCHUNK_MAX_VALUE);

        // C computes this in Size and stores it in an int.
        int chunksPerBlock = unchecked((int)((blockSize - Slab_BLOCKHDRSZ) / fullChunkSize));
        if (chunksPerBlock == 0)
            throw new PgErrorException($"block size {blockSize} for slab is too small for {chunkSize}-byte chunks");

        ulong slab = MallocContext(methods.ContextHdrSz(chunksPerBlock), name);

        // Nothing between here and MemoryContextCreate may fail, or the header would leak.
        Memory.WriteU32(slab + OffChunkSize, (uint)chunkSize);
        Memory.WriteU32(slab + OffFullChunkSize, (uint)fullChunkSize);
        Memory.WriteU32(slab + OffBlockSize, (uint)blockSize);
        Memory.WriteU32(slab + OffChunksPerBlock, (uint)chunksPerBlock);
        Memory.WriteU32(slab + OffCurBlocklistIndex, 0);

        // The smallest shift with (chunksPerBlock >> shift) < SLAB_BLOCKLIST_COUNT - 1: element 0
        // is reserved for full blocks, so the others split the free counts between them.
        int shift = 0;
        while ((chunksPerBlock >> shift) >= SLAB_BLOCKLIST_COUNT - 1) shift++;
        Memory.WriteU32(slab + methods.OffShift, (uint)shift);

        Memory.DclistInit(slab + methods.OffEmpty);
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
            Memory.DlistInit(slab + methods.OffLists + (ulong)i * SizeOfDlistHead);
        if (Options.MemoryContextChecking)
            Memory.WriteU64(slab + OffIsChunkFreeChecking, slab + SizeOfSlabContextChecking);

        MemoryContextCreate(slab, NodeTag.T_SlabContext, MemoryContextMethodID.MCTX_SLAB_ID, parent, name);
        // MemoryContextCreate leaves mem_allocated to the type; a slab owns no block yet.
        SetMemAllocated(slab, 0);
        return slab;
    }
}
