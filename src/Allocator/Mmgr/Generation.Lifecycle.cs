// Generation.Lifecycle: the Generation type's reset, delete, queries, stats and block helpers
// (generation.c: GenerationReset, GenerationDelete, GenerationGetChunkContext,
// GenerationGetChunkSpace, GenerationIsEmpty, GenerationStats, GenerationBlockInit,
// GenerationBlockMarkEmpty, GenerationBlockFree). The allocation paths are in Generation.cs; the
// block list is ilist.h's dlist, in Common/Dlist.cs.
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
        foreach (ulong block in _mem.DlistForeachModify(head))
        {
            if (block == keeper) BlockMarkEmpty(block);
            else BlockFree(context, block);
        }
        _mem.WriteU64(context + OffBlock, keeper);
        _mem.WriteU32(context + OffNextBlockSize, _mem.ReadU32(context + OffInitBlockSize));

        // One block is left (C: !dlist_is_empty, here without its zeroed-head test; !dlist_has_next).
        ulong first = _mem.DlistHeadNode(head);
        Pg.Assert(first != head);
        Pg.Assert(!_mem.DlistHasNext(head, first));
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
        foreach (ulong block in _mem.DlistForeach(context + OffBlocks))
        {
            if ((int)_mem.ReadU32(block + OffBlkNChunks) > 0) return false;
        }
        return true;
    }

    /// <summary>GenerationStats. Freed chunk space is not known and counts as used (quirk Q10).</summary>
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_GenerationContext);
        ulong nblocks = 0, nchunks = 0, nfreechunks = 0, freespace = 0;
        ulong totalspace = Generation_CONTEXTSZ;
        foreach (ulong block in _mem.DlistForeach(context + OffBlocks))
        {
            nblocks++;
            nchunks += (ulong)(long)(int)_mem.ReadU32(block + OffBlkNChunks);
            nfreechunks += (ulong)(long)(int)_mem.ReadU32(block + OffBlkNFree);
            totalspace += _mem.ReadU64(block + OffBlkBlksize);
            freespace += _mem.ReadU64(block + OffBlkEndptr) - _mem.ReadU64(block + OffBlkFreeptr);
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
        _mem.DlistDelete(block);
        ulong blksize = _mem.ReadU64(block + OffBlkBlksize);
        Mcxt.SetMemAllocated(set, Mcxt.GetMemAllocated(set) - blksize);
        if (_clobber) Mcxt.WipeMem(block, blksize);
        _heap.Free(block);
    }
}
