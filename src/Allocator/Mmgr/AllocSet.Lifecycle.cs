// AllocSet lifecycle and queries (src/backend/utils/mmgr/aset.c): AllocSetContextCreateInternal,
// AllocSetReset, AllocSetDelete, the recycled-context lists (context_freelists), AllocSetGetChunkContext,
// AllocSetGetChunkSpace, AllocSetIsEmpty and AllocSetStats.
//
// Recycling (pg-mmgr-dsa.md 2.9): a deleted context created with DEFAULT (list 0) or SMALL /
// START_SMALL (list 1) parameters is reset and parked on its list, linked through its nextchild
// field, instead of being freed; creating such a context again pops it. Only maxBlockSize is
// updated on reuse, so allocChunkLimit keeps the value of the context's first life (quirk Q1).
// The lists are aset.c's process globals, so they live here, per simulated process.
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class AllocSet
{
    // context_freelists[2]: {num_free, first_free}.
    private readonly int[] _numFree = new int[2];
    private readonly ulong[] _firstFree = new ulong[2];

    /// <summary>context_freelists[index].num_free.</summary>
    public int RecycledCount(int index) => _numFree[index];

    /// <summary>context_freelists[index].first_free (0 when empty); the list continues through
    /// each context's nextchild field.</summary>
    public ulong RecycledHead(int index) => _firstFree[index];

    // ------------------------------------------------------------------ create

    /// <summary>AllocSetContextCreateInternal.</summary>
    public ulong Create(ulong parent, string name, ulong minContextSize, ulong initBlockSize, ulong maxBlockSize)
    {
        SimMemory m = _mem;
        Mcxt.AssertBlockSizeParameters(minContextSize, initBlockSize, maxBlockSize);

        int freeListIndex;
        if (minContextSize == ALLOCSET_DEFAULT_MINSIZE && initBlockSize == ALLOCSET_DEFAULT_INITSIZE) freeListIndex = 0;
        else if (minContextSize == ALLOCSET_SMALL_MINSIZE && initBlockSize == ALLOCSET_SMALL_INITSIZE) freeListIndex = 1;
        else freeListIndex = -1;

        ulong set;
        if (freeListIndex >= 0 && _firstFree[freeListIndex] != 0)
        {
            // Reuse a recycled context: it is already reset. Nothing but maxBlockSize is recomputed (Q1).
            set = _firstFree[freeListIndex];
            _firstFree[freeListIndex] = m.ReadU64(set + OffNextChild);
            _numFree[freeListIndex]--;
            m.WriteU32(set + AsetOffMaxBlockSize, (uint)maxBlockSize);
            Mcxt.MemoryContextCreate(set, NodeTag.T_AllocSetContext, MemoryContextMethodID.MCTX_ASET_ID, parent, name);
            m.WriteU64(set + OffMemAllocated, m.ReadU64(KeeperBlock(set) + BlkOffEndptr) - set);
            return set;
        }

        ulong firstBlockSize = SizeOfAllocSetContext + ALLOC_BLOCKHDRSZ + _hdr;
        firstBlockSize = Math.Max(firstBlockSize, minContextSize != 0 ? minContextSize : initBlockSize);
        set = Mcxt.MallocContext(firstBlockSize, name);

        ulong keeper = KeeperBlock(set);
        m.WriteU64(keeper + BlkOffAset, set);
        m.WriteU64(keeper + BlkOffFreeptr, keeper + ALLOC_BLOCKHDRSZ);
        m.WriteU64(keeper + BlkOffEndptr, set + firstBlockSize);
        m.WriteU64(keeper + BlkOffPrev, 0);
        m.WriteU64(keeper + BlkOffNext, 0);
        m.WriteU64(set + AsetOffBlocks, keeper);
        m.Fill(set + AsetOffFreelist, ALLOCSET_NUM_FREELISTS * 8, 0);
        m.WriteU32(set + AsetOffInitBlockSize, (uint)initBlockSize);
        m.WriteU32(set + AsetOffMaxBlockSize, (uint)maxBlockSize);
        m.WriteU32(set + AsetOffNextBlockSize, (uint)initBlockSize);
        m.WriteU32(set + AsetOffFreeListIndex, unchecked((uint)freeListIndex));
        m.WriteU32(set + SizeOfAllocSetContext - 4, 0);   // struct padding, for determinism

        // Limit a chunk to a quarter of the largest block, so a max-size block holds several.
        ulong limit = ALLOC_CHUNK_LIMIT;
        while (limit + _hdr > (maxBlockSize - ALLOC_BLOCKHDRSZ) / ALLOC_CHUNK_FRACTION) limit >>= 1;
        m.WriteU32(set + AsetOffAllocChunkLimit, (uint)limit);

        Mcxt.MemoryContextCreate(set, NodeTag.T_AllocSetContext, MemoryContextMethodID.MCTX_ASET_ID, parent, name);
        m.WriteU64(set + OffMemAllocated, firstBlockSize);
        return set;
    }

    // ------------------------------------------------------------------ reset and delete

    /// <summary>AllocSetReset: free every block but the keeper, rewind the keeper, empty the freelists.</summary>
    public override void Reset(ulong context)
    {
        SimMemory m = _mem;
        ulong set = context;
        Pg.Assert(AllocSetIsValid(set));
        if (_checking) Check(context);

        ulong keeper = KeeperBlock(set);
        ulong keepersize = m.ReadU64(keeper + BlkOffEndptr) - set;
        m.Fill(set + AsetOffFreelist, ALLOCSET_NUM_FREELISTS * 8, 0);
        ulong block = m.ReadU64(set + AsetOffBlocks);
        m.WriteU64(set + AsetOffBlocks, keeper);
        while (block != 0)
        {
            ulong next = m.ReadU64(block + BlkOffNext);
            if (block == keeper)
            {
                ulong datastart = block + ALLOC_BLOCKHDRSZ;
                Mcxt.WipeMem(datastart, m.ReadU64(block + BlkOffFreeptr) - datastart);
                if (_canary != AllocatorCanary.KeeperFreeptrNotRewound) m.WriteU64(block + BlkOffFreeptr, datastart);
                m.WriteU64(block + BlkOffPrev, 0);
                m.WriteU64(block + BlkOffNext, 0);
            }
            else
            {
                m.WriteU64(set + OffMemAllocated, m.ReadU64(set + OffMemAllocated) - (m.ReadU64(block + BlkOffEndptr) - block));
                Mcxt.WipeMem(block, m.ReadU64(block + BlkOffFreeptr) - block);
                _heap.Free(block);
            }
            block = next;
        }
        Pg.Assert(m.ReadU64(set + OffMemAllocated) == keepersize);
        m.WriteU32(set + AsetOffNextBlockSize, m.ReadU32(set + AsetOffInitBlockSize));
    }

    /// <summary>AllocSetDelete: park a recyclable context on its list (flushing the list when it is
    /// full), or free every block and the context itself.</summary>
    public override void Delete(ulong context)
    {
        SimMemory m = _mem;
        ulong set = context;
        Pg.Assert(AllocSetIsValid(set));
        if (_checking) Check(context);

        ulong keeper = KeeperBlock(set);
        ulong keepersize = m.ReadU64(keeper + BlkOffEndptr) - set;
        int freeListIndex = unchecked((int)m.ReadU32(set + AsetOffFreeListIndex));
        if (freeListIndex >= 0)
        {
            Pg.Assert(freeListIndex < 2);
            // Reset first; its callbacks already ran in MemoryContextDeleteOnly, so this only frees blocks.
            if (!Mcxt.GetIsReset(set)) Mcxt.MemoryContextResetOnly(set);
            if (_numFree[freeListIndex] >= MAX_FREE_CONTEXTS)
            {
                while (_firstFree[freeListIndex] != 0)
                {
                    ulong oldset = _firstFree[freeListIndex];
                    _firstFree[freeListIndex] = m.ReadU64(oldset + OffNextChild);
                    _numFree[freeListIndex]--;
                    _heap.Free(oldset);
                }
                Pg.Assert(_numFree[freeListIndex] == 0);
            }
            m.WriteU64(set + OffNextChild, _firstFree[freeListIndex]);
            _firstFree[freeListIndex] = set;
            _numFree[freeListIndex]++;
            return;
        }

        ulong block = m.ReadU64(set + AsetOffBlocks);
        while (block != 0)
        {
            ulong next = m.ReadU64(block + BlkOffNext);
            if (block != keeper)
                m.WriteU64(set + OffMemAllocated, m.ReadU64(set + OffMemAllocated) - (m.ReadU64(block + BlkOffEndptr) - block));
            Mcxt.WipeMem(block, m.ReadU64(block + BlkOffFreeptr) - block);
            if (block != keeper) _heap.Free(block);
            block = next;
        }
        Pg.Assert(m.ReadU64(set + OffMemAllocated) == keepersize);
        _heap.Free(set);
    }

    // ------------------------------------------------------------------ queries

    /// <summary>AllocSetGetChunkContext: the owning set, via the (dedicated or decoded) block's aset field.</summary>
    public override ulong GetChunkContext(ulong pointer)
    {
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        ulong chunk = pointer - _hdr;
        ulong block = MemoryChunk.IsExternal(hdrmask) ? chunk - ALLOC_BLOCKHDRSZ : MemoryChunk.GetBlock(chunk, hdrmask);
        Pg.Assert(AllocBlockIsValid(block));
        return _mem.ReadU64(block + BlkOffAset);
    }

    /// <summary>AllocSetGetChunkSpace: header plus chunk size (no block overhead, quirk Q10).</summary>
    public override ulong GetChunkSpace(ulong pointer)
    {
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        ulong chunk = pointer - _hdr;
        if (MemoryChunk.IsExternal(hdrmask))
        {
            ulong block = chunk - ALLOC_BLOCKHDRSZ;
            Pg.Assert(AllocBlockIsValid(block));
            return _mem.ReadU64(block + BlkOffEndptr) - chunk;
        }
        ulong fidx = MemoryChunk.GetValue(hdrmask);
        Pg.Assert(FreeListIdxIsValid(fidx));
        return GetChunkSizeFromFreeListIdx((int)fidx) + _hdr;
    }

    /// <summary>AllocSetIsEmpty: an AllocSet is empty exactly when it is reset.</summary>
    public override bool IsEmpty(ulong context)
    {
        Pg.Assert(AllocSetIsValid(context));
        return Mcxt.GetIsReset(context);
    }

    /// <summary>AllocSetStats: blocks (the context header counts as part of the keeper), free space
    /// at block ends plus every freelist chunk with its header.</summary>
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals)
    {
        SimMemory m = _mem;
        Pg.Assert(AllocSetIsValid(context));
        ulong nblocks = 0, freechunks = 0, freespace = 0;
        ulong totalspace = SizeOfAllocSetContext;
        // PostgreSQL would loop forever on a cyclic list; the simulation bounds both walks by what the
        // context's memory could possibly hold and reports a cycle as an assertion failure instead.
        ulong bound = m.ReadU64(context + OffMemAllocated) / ((1UL << ALLOC_MINBITS) + _hdr) + 1;
        for (ulong block = m.ReadU64(context + AsetOffBlocks); block != 0; block = m.ReadU64(block + BlkOffNext))
        {
            nblocks++;
            Pg.Assert(nblocks <= bound, "block list walk exceeds what mem_allocated can hold (cycle)");
            ulong endptr = m.ReadU64(block + BlkOffEndptr);
            totalspace += endptr - block;
            freespace += endptr - m.ReadU64(block + BlkOffFreeptr);
        }
        for (int fidx = 0; fidx < ALLOCSET_NUM_FREELISTS; fidx++)
        {
            ulong chksz = GetChunkSizeFromFreeListIdx(fidx);
            for (ulong chunk = m.ReadU64(context + AsetOffFreelist + (ulong)fidx * 8); chunk != 0; chunk = m.ReadU64(chunk + _hdr))
            {
                Pg.Assert(MemoryChunk.GetValue(m.ReadU64(chunk + _hdr - 8)) == (ulong)fidx);
                freechunks++;
                Pg.Assert(freechunks <= bound, "freelist walk exceeds what mem_allocated can hold (cycle)");
                freespace += chksz + _hdr;
            }
        }
        printfunc?.Invoke(context, $"{totalspace} total in {nblocks} blocks; {freespace} free ({freechunks} chunks); {totalspace - freespace} used");
        totals.nblocks += nblocks;
        totals.freechunks += freechunks;
        totals.totalspace += totalspace;
        totals.freespace += freespace;
    }
}
