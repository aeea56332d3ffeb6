// Generation.Lifecycle: the Generation type's reset, delete, queries, stats and block/list helpers
// (generation.c: GenerationReset, GenerationDelete, GenerationGetChunkContext,
// GenerationGetChunkSpace, GenerationIsEmpty, GenerationStats, GenerationBlockInit,
// GenerationBlockMarkEmpty, GenerationBlockFree, and ilist.h's dlist operations on simulated
// memory). The allocation paths are in Generation.cs.
using System.Runtime.CompilerServices;
using Allocator.Common;
using static Allocator.Mmgr.GenerationConstants;

namespace Allocator.Mmgr;

public sealed partial class Generation
{
    // ------------------------------------------------------------------ reset and delete

    /// <summary>GenerationReset: free every block but the keeper, which is marked empty.</summary>
    public override void Reset(ulong context)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_GenerationContext);
        if (_checking) Check(context);

        // freeblock first: BlockFree never expects to free the freeblock.
        _mem.WriteU64(context + OffFreeBlock, 0);
        ulong head = context + OffBlocks;
        ulong keeper = KeeperBlock(context);
        for (ulong node = _mem.ReadU64(head + 8); node != head;)
        {
            ulong next = _mem.ReadU64(node + OffBlkNodeNext);
            if (node == keeper) BlockMarkEmpty(node);
            else BlockFree(context, node);
            node = next;
        }
        _mem.WriteU64(context + OffBlock, keeper);
        _mem.WriteU32(context + OffNextBlockSize, _mem.ReadU32(context + OffInitBlockSize));

        ulong first = _mem.ReadU64(head + 8);
        Pg.Assert(first != head);
        Pg.Assert(_mem.ReadU64(first + OffBlkNodeNext) == head);
    }

    /// <summary>GenerationDelete: reset, then free the chunk holding header and keeper block.</summary>
    public override void Delete(ulong context)
    {
        Reset(context);
        _heap.Free(context);
    }

    // ------------------------------------------------------------------ queries

    public override ulong GetChunkContext(ulong pointer)
    {
        ulong chunk = pointer - _hdr;
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        ulong block = MemoryChunk.IsExternal(hdrmask) ? chunk - Generation_BLOCKHDRSZ : MemoryChunk.GetBlock(chunk, hdrmask);
        Pg.Assert(BlockIsValid(block));
        return _mem.ReadU64(block + OffBlkContext);
    }

    /// <summary>GenerationGetChunkSpace: header plus data bytes (no block-header share; Q10).</summary>
    public override ulong GetChunkSpace(ulong pointer)
    {
        ulong chunk = pointer - _hdr;
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        ulong chunksize;
        if (MemoryChunk.IsExternal(hdrmask))
        {
            ulong block = chunk - Generation_BLOCKHDRSZ;
            Pg.Assert(BlockIsValid(block));
            chunksize = _mem.ReadU64(block + OffBlkEndptr) - pointer;
        }
        else
        {
            chunksize = MemoryChunk.GetValue(hdrmask);
        }
        return _hdr + chunksize;
    }

    public override bool IsEmpty(ulong context)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_GenerationContext);
        ulong head = context + OffBlocks;
        for (ulong node = _mem.ReadU64(head + 8); node != head; node = _mem.ReadU64(node + OffBlkNodeNext))
        {
            if ((int)_mem.ReadU32(node + OffBlkNChunks) > 0) return false;
        }
        return true;
    }

    /// <summary>GenerationStats. Freed chunk space is not known and counts as used (quirk Q10).</summary>
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_GenerationContext);
        ulong nblocks = 0, nchunks = 0, nfreechunks = 0, freespace = 0;
        ulong totalspace = Generation_CONTEXTSZ;
        ulong head = context + OffBlocks;
        for (ulong node = _mem.ReadU64(head + 8); node != head; node = _mem.ReadU64(node + OffBlkNodeNext))
        {
            nblocks++;
            nchunks += (ulong)(long)(int)_mem.ReadU32(node + OffBlkNChunks);
            nfreechunks += (ulong)(long)(int)_mem.ReadU32(node + OffBlkNFree);
            totalspace += _mem.ReadU64(node + OffBlkBlksize);
            freespace += _mem.ReadU64(node + OffBlkEndptr) - _mem.ReadU64(node + OffBlkFreeptr);
        }
        printfunc?.Invoke(context,
            $"{totalspace} total in {nblocks} blocks ({nchunks} chunks); {freespace} free ({nfreechunks} chunks); {totalspace - freespace} used");
        totals.nblocks += nblocks;
        totals.freechunks += nfreechunks;
        totals.totalspace += totalspace;
        totals.freespace += freespace;
    }

    // ------------------------------------------------------------------ block helpers

    /// <summary>GenerationBlockIsValid: the block's context link points at a Generation header.</summary>
    private bool BlockIsValid(ulong block)
    {
        if (block == 0) return false;
        ulong set = _mem.ReadU64(block + OffBlkContext);
        return set != 0 && Mcxt.GetTag(set) == NodeTag.T_GenerationContext;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong BlockFreeBytes(ulong block) => _mem.ReadU64(block + OffBlkEndptr) - _mem.ReadU64(block + OffBlkFreeptr);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool BlockIsEmpty(ulong block) => _mem.ReadU32(block + OffBlkNChunks) == 0;

    /// <summary>GenerationBlockInit (does not touch mem_allocated).</summary>
    internal void BlockInit(ulong context, ulong block, ulong blksize)
    {
        _mem.WriteU64(block + OffBlkContext, context);
        _mem.WriteU64(block + OffBlkBlksize, blksize);
        _mem.WriteU32(block + OffBlkNChunks, 0);
        _mem.WriteU32(block + OffBlkNFree, 0);
        _mem.WriteU64(block + OffBlkFreeptr, block + Generation_BLOCKHDRSZ);
        _mem.WriteU64(block + OffBlkEndptr, block + blksize);
    }

    /// <summary>GenerationBlockMarkEmpty: clobber the used data, zero the counters, rewind freeptr.</summary>
    private void BlockMarkEmpty(ulong block)
    {
        ulong datastart = block + Generation_BLOCKHDRSZ;
        if (_clobber) Mcxt.WipeMem(datastart, _mem.ReadU64(block + OffBlkFreeptr) - datastart);
        _mem.WriteU32(block + OffBlkNChunks, 0);
        _mem.WriteU32(block + OffBlkNFree, 0);
        _mem.WriteU64(block + OffBlkFreeptr, datastart);
    }

    /// <summary>GenerationBlockFree: unlink, account, clobber and free a non-keeper block.</summary>
    private void BlockFree(ulong set, ulong block)
    {
        Pg.Assert(block != KeeperBlock(set));
        Pg.Assert(block != _mem.ReadU64(set + OffFreeBlock));
        DlistDelete(block);
        ulong blksize = _mem.ReadU64(block + OffBlkBlksize);
        Mcxt.SetMemAllocated(set, Mcxt.GetMemAllocated(set) - blksize);
        if (_clobber) Mcxt.WipeMem(block, blksize);
        _heap.Free(block);
    }

    // ------------------------------------------------------------------ dlist (ilist.h) in simulated memory

    /// <summary>dlist_init: an empty circular list points at itself.</summary>
    internal void DlistInit(ulong head)
    {
        _mem.WriteU64(head, head);
        _mem.WriteU64(head + 8, head);
    }

    /// <summary>dlist_push_head; the node is {prev, next} at the block's offset 0.</summary>
    private void DlistPushHead(ulong head, ulong node)
    {
        ulong first = _mem.ReadU64(head + 8);
        _mem.WriteU64(node + OffBlkNodeNext, first);
        _mem.WriteU64(node + OffBlkNodePrev, head);
        _mem.WriteU64(first + OffBlkNodePrev, node);
        _mem.WriteU64(head + 8, node);
    }

    /// <summary>dlist_delete.</summary>
    private void DlistDelete(ulong node)
    {
        ulong prev = _mem.ReadU64(node + OffBlkNodePrev);
        ulong next = _mem.ReadU64(node + OffBlkNodeNext);
        _mem.WriteU64(prev + OffBlkNodeNext, next);
        _mem.WriteU64(next + OffBlkNodePrev, prev);
    }

    /// <summary>Used by GenerationContextCreate to link the keeper block.</summary>
    internal void PushKeeper(ulong context, ulong keeper) => DlistPushHead(context + OffBlocks, keeper);
}
