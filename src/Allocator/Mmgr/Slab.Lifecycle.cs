// Slab.Lifecycle: the Slab type's reset, delete, queries, stats and helpers (slab.c: SlabReset,
// SlabDelete, SlabGetChunkContext, SlabGetChunkSpace, SlabIsEmpty, SlabStats, SlabBlockIsValid).
// The allocation paths are in Slab.cs; the lists are ilist.h's dlist and dclist, in
// Common/Dlist.cs and Common/Dclist.cs.
using Allocator.Common;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Mmgr;

public sealed partial class Slab
{
    // ------------------------------------------------------------------ reset and delete

    /// <summary>SlabReset: free every retained empty block and every listed block.</summary>
    public override void Reset(ulong context)
    {
        ulong slab = context;
        Pg.Assert(Mcxt.GetTag(slab) == NodeTag.T_SlabContext);
        if (_checking) Check(slab);

        ulong blockSize = _mem.ReadU32(slab + OffBlockSize);
        ulong empty = slab + OffEmpty;
        foreach (ulong node in _mem.DclistForeachModify(empty))
        {
            _mem.DclistDeleteFrom(empty, node);
            ReleaseBlock(slab, node - OffBlkNode, blockSize);
        }
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
        {
            foreach (ulong node in _mem.DlistForeachModify(ListHead(slab, i)))
            {
                _mem.DlistDelete(node);
                ReleaseBlock(slab, node - OffBlkNode, blockSize);
            }
        }
        SetCurIndex(slab, 0);
        Pg.Assert(Mcxt.GetMemAllocated(slab) == 0);
    }

    private void ReleaseBlock(ulong slab, ulong block, ulong blockSize)
    {
        if (_clobber) Mcxt.WipeMem(block, blockSize);
        _heap.Free(block);
        Mcxt.SetMemAllocated(slab, Mcxt.GetMemAllocated(slab) - blockSize);
    }

    /// <summary>SlabDelete: reset, then free the header.</summary>
    public override void Delete(ulong context)
    {
        Reset(context);
        _heap.Free(context);
    }

    // ------------------------------------------------------------------ queries

    public override ulong GetChunkContext(ulong pointer)
    {
        ulong block = MemoryChunk.GetBlock(pointer - _hdr, _mem.ReadU64(pointer - 8));
        Pg.Assert(BlockIsValid(block));
        return _mem.ReadU64(block + OffBlkSlab);
    }

    /// <summary>SlabGetChunkSpace: fullChunkSize (no block-header share; Q10).</summary>
    public override ulong GetChunkSpace(ulong pointer)
    {
        ulong block = MemoryChunk.GetBlock(pointer - _hdr, _mem.ReadU64(pointer - 8));
        Pg.Assert(BlockIsValid(block));
        return FullChunkSize(_mem.ReadU64(block + OffBlkSlab));
    }

    /// <summary>SlabIsEmpty: retained empty blocks make a slab non-empty.</summary>
    public override bool IsEmpty(ulong context)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_SlabContext);
        return Mcxt.GetMemAllocated(context) == 0;
    }

    /// <summary>SlabStats. Empty blocks count toward the total but not toward nblocks.</summary>
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals)
    {
        ulong slab = context;
        Pg.Assert(Mcxt.GetTag(slab) == NodeTag.T_SlabContext);
        ulong blockSize = _mem.ReadU32(slab + OffBlockSize);
        ulong full = FullChunkSize(slab);
        uint emptyCount = _mem.DclistCount(slab + OffEmpty);
        ulong nblocks = 0, freechunks = 0, freespace = 0;
        ulong totalspace = ContextHdrSz(ChunksPerBlock(slab)) + emptyCount * blockSize;
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
        {
            foreach (ulong node in _mem.DlistForeach(ListHead(slab, i)))
            {
                ulong nfree = (ulong)(long)NFree(node - OffBlkNode);
                nblocks++;
                totalspace += blockSize;
                freespace += full * nfree;
                freechunks += nfree;
            }
        }
        printfunc?.Invoke(context,
            $"{totalspace} total in {nblocks} blocks; {emptyCount} empty blocks; {freespace} free ({freechunks} chunks); {totalspace - freespace} used");
        totals.nblocks += nblocks;
        totals.freechunks += freechunks;
        totals.totalspace += totalspace;
        totals.freespace += freespace;
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>SlabBlockIsValid: the block's slab link points at a Slab-tagged header.</summary>
    private bool BlockIsValid(ulong block)
    {
        if (block == 0) return false;
        ulong slab = _mem.ReadU64(block + OffBlkSlab);
        return slab != 0 && Mcxt.GetTag(slab) == NodeTag.T_SlabContext;
    }
}
