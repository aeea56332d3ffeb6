// Bump: the Bump memory-context type's method table (bump.c), for many short-lived chunks that
// are never freed individually.
//
// Ports src/backend/utils/mmgr/bump.c: BumpAlloc (+ BumpAllocLarge, BumpAllocFromNewBlock,
// BumpAllocChunkFromBlock), BumpFree, BumpRealloc, BumpGetChunkContext, BumpGetChunkSpace (all
// four raise ERROR), BumpReset, BumpDelete, BumpIsEmpty, BumpStats and the block helpers.
// BumpContextCreate is in Mcxt.Bump.cs, BumpCheck in Bump.Check.cs, the invariant walker
// (BU1-BU4) in Bump.Verify.cs.
//
// Lifecycle: the head of the block list is the block being filled; a request that does not fit
// abandons the rest of it and pushes a new head; requests over allocChunkLimit get a dedicated
// block appended at the tail (so the head keeps serving small requests). Memory comes back only
// on reset or delete. Without MEMORY_CONTEXT_CHECKING chunks have no header at all, so palloc(0)
// does not advance freeptr (quirk Q9) and pfree of a bump pointer dispatches on whatever 8 bytes
// precede it; with checking, chunks get a full MemoryChunk whose method id routes to the ERRORs.
//
// Divergence: C's RANDOMIZE_ALLOCATED_MEMORY fills small chunks only in checking builds (the call
// sits inside the checking block), which is kept; on the dedicated-block path a non-checking C
// build does not compile with RANDOMIZE, and here it randomizes the returned bytes.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.BumpConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Bump : MemoryContextMethods
{
    private readonly SimMemory _mem;
    private readonly SimHeap _heap;
    private readonly ulong _hdr;          // Bump_CHUNKHDRSZ: 0, or 16 with checking
    private readonly ulong _blkhdr;       // Bump_BLOCKHDRSZ: 32, or 40 with checking
    private readonly ulong _offFreeptr;
    private readonly ulong _offEndptr;
    private readonly bool _checking;
    private readonly bool _clobber;
    private readonly bool _randomize;

    public Bump(Mcxt mcxt) : base(mcxt)
    {
        _mem = mcxt.Memory;
        _heap = mcxt.Heap;
        _checking = mcxt.Options.MemoryContextChecking;
        _hdr = _checking ? MemoryChunkHdrChecking : Bump_CHUNKHDRSZ;
        _blkhdr = _checking ? Bump_BLOCKHDRSZ_Checking : Bump_BLOCKHDRSZ;
        _offFreeptr = _checking ? OffBlkFreeptrChecking : OffBlkFreeptr;
        _offEndptr = _checking ? OffBlkEndptrChecking : OffBlkEndptr;
        _clobber = mcxt.Options.ClobberFreedMemory;
        _randomize = mcxt.Options.RandomizeAllocatedMemory;
    }

    public override MemoryContextMethodID MethodId => MemoryContextMethodID.MCTX_BUMP_ID;
    public override NodeTag Tag => NodeTag.T_BumpContext;
    public override string TypeName => "Bump";

    /// <summary>Bump_CHUNKHDRSZ in this build.</summary>
    internal ulong ChunkHdrSz => _hdr;
    /// <summary>Bump_BLOCKHDRSZ in this build.</summary>
    internal ulong BlockHdrSz => _blkhdr;

    /// <summary>KeeperBlock(set): the block header right after the context header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong KeeperBlock(ulong set) => set + Bump_CONTEXTSZ;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] private ulong Freeptr(ulong block) => _mem.ReadU64(block + _offFreeptr);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private ulong Endptr(ulong block) => _mem.ReadU64(block + _offEndptr);

    // ------------------------------------------------------------------ alloc

    /// <summary>BumpAlloc. MAXALIGN wraps for sizes near SIZE_MAX (quirk Q2); palloc(0) without
    /// checking returns freeptr without advancing it (quirk Q9).</summary>
    public override ulong Alloc(ulong context, ulong size, int flags)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_BumpContext);
        ulong chunk_size = _checking ? MAXALIGN(unchecked(size + 1)) : MAXALIGN(size);
        if (chunk_size > _mem.ReadU32(context + OffAllocChunkLimit))
            return AllocLarge(context, size, flags);

        ulong required_size = chunk_size + _hdr;
        ulong block = _mem.DlistHeadNode(context + OffBlocks);   // the current block
        if (Endptr(block) - Freeptr(block) < required_size)
            return AllocFromNewBlock(context, size, flags, chunk_size);
        return AllocChunkFromBlock(block, size, chunk_size);
    }

    /// <summary>BumpAllocLarge: a dedicated block appended at the tail of the list.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocLarge(ulong context, ulong size, int flags)
    {
        Mcxt.MemoryContextCheckSize(context, size, flags);
        ulong chunk_size = _checking ? MAXALIGN(size + 1) : MAXALIGN(size);
        ulong required_size = chunk_size + _hdr;
        ulong blksize = required_size + _blkhdr;
        ulong block = Mcxt.MallocBlock(context, blksize, size, flags);
        if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM

        _mem.WriteU64(block + _offFreeptr, block + blksize);
        _mem.WriteU64(block + _offEndptr, block + blksize);
        ulong pointer = block + _blkhdr + _hdr;
        if (_checking)
        {
            _mem.WriteU64(block + OffBlkContextChecking, context);
            ulong chunk = block + _blkhdr;
            MemoryChunk.SetHdrMaskExternal(_mem, chunk, _hdr, MemoryContextMethodID.MCTX_BUMP_ID);
            _mem.WriteU64(chunk, size);
            Pg.Assert(size < chunk_size);
            Mcxt.SetSentinel(pointer, size);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);

        // The tail, not the head: the head is the current block and may still have room.
        _mem.DlistPushTail(context + OffBlocks, block);
        return pointer;
    }

    /// <summary>BumpAllocChunkFromBlock: advance freeptr past the chunk (and its header if any).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong AllocChunkFromBlock(ulong block, ulong size, ulong chunk_size)
    {
        ulong chunk = Freeptr(block);
        ulong endptr = Endptr(block);
        Pg.Assert(endptr - chunk >= _hdr + chunk_size);
        ulong freeptr = chunk + _hdr + chunk_size;
        _mem.WriteU64(block + _offFreeptr, freeptr);
        Pg.Assert(freeptr <= endptr);
        if (!_checking) return chunk;

        MemoryChunk.SetHdrMask(_mem, chunk, _hdr, block, chunk_size, MemoryContextMethodID.MCTX_BUMP_ID);
        ulong pointer = chunk + _hdr;
        _mem.WriteU64(chunk, size);
        // Q2: a size near SIZE_MAX wrapped chunk_size to 0, and this is the assert that fires.
        Pg.Assert(size < chunk_size);
        Mcxt.SetSentinel(pointer, size);
        if (_randomize) Mcxt.RandomizeMem(pointer, size);
        return pointer;
    }

    /// <summary>BumpAllocFromNewBlock: a new head block; the old head's leftover is abandoned.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocFromNewBlock(ulong context, ulong size, int flags, ulong chunk_size)
    {
        ulong blksize = Mcxt.TakeNextBlockSize(context, OffNextBlockSize, OffMaxBlockSize, chunk_size + _hdr + _blkhdr);
        ulong block = Mcxt.MallocBlock(context, blksize, size, flags);
        if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM

        BlockInit(context, block, blksize);
        _mem.DlistPushHead(context + OffBlocks, block);
        return AllocChunkFromBlock(block, size, chunk_size);
    }

    // ------------------------------------------------------------------ unsupported operations

    public override void Free(ulong pointer) =>
        throw new PgErrorException("pfree is not supported by the bump memory allocator");

    public override ulong Realloc(ulong pointer, ulong size, int flags) =>
        throw new PgErrorException("realloc is not supported by the bump memory allocator");

    public override ulong GetChunkContext(ulong pointer) =>
        throw new PgErrorException("GetMemoryChunkContext is not supported by the bump memory allocator");

    public override ulong GetChunkSpace(ulong pointer) =>
        throw new PgErrorException("GetMemoryChunkSpace is not supported by the bump memory allocator");

    // ------------------------------------------------------------------ reset and delete

    /// <summary>BumpReset: the keeper is marked empty, every other block is freed.</summary>
    public override void Reset(ulong context)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_BumpContext);
        if (_checking) Check(context);

        ulong head = context + OffBlocks;
        ulong keeper = KeeperBlock(context);
        foreach (ulong block in _mem.DlistForeachModify(head))
        {
            if (block == keeper) BlockMarkEmpty(block);
            else BlockFree(context, block);
        }
        _mem.WriteU32(context + OffNextBlockSize, _mem.ReadU32(context + OffInitBlockSize));

        // One block is left (C: !dlist_is_empty, here without its zeroed-head test; !dlist_has_next).
        ulong first = _mem.DlistHeadNode(head);
        Pg.Assert(first != head);
        Pg.Assert(!_mem.DlistHasNext(head, first));
    }

    /// <summary>BumpDelete: reset, then free the chunk holding header and keeper block.</summary>
    public override void Delete(ulong context)
    {
        Reset(context);
        _heap.Free(context);
    }

    // ------------------------------------------------------------------ queries

    public override bool IsEmpty(ulong context)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_BumpContext);
        foreach (ulong block in _mem.DlistForeach(context + OffBlocks))
        {
            if (Freeptr(block) != block + _blkhdr) return false;
        }
        return true;
    }

    /// <summary>BumpStats: block sizes without the context header (unlike mem_allocated).</summary>
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_BumpContext);
        ulong nblocks = 0, totalspace = 0, freespace = 0;
        foreach (ulong block in _mem.DlistForeach(context + OffBlocks))
        {
            ulong endptr = Endptr(block);
            nblocks++;
            totalspace += endptr - block;
            freespace += endptr - Freeptr(block);
        }
        printfunc?.Invoke(context, $"{totalspace} total in {nblocks} blocks; {freespace} free; {totalspace - freespace} used");
        totals.nblocks += nblocks;
        totals.totalspace += totalspace;
        totals.freespace += freespace;
    }

    // ------------------------------------------------------------------ block helpers

    /// <summary>BumpBlockInit (does not touch mem_allocated).</summary>
    internal void BlockInit(ulong context, ulong block, ulong blksize)
    {
        if (_checking) _mem.WriteU64(block + OffBlkContextChecking, context);
        _mem.WriteU64(block + _offFreeptr, block + _blkhdr);
        _mem.WriteU64(block + _offEndptr, block + blksize);
    }

    /// <summary>BumpBlockMarkEmpty: clobber the used data and rewind freeptr.</summary>
    private void BlockMarkEmpty(ulong block)
    {
        ulong datastart = block + _blkhdr;
        if (_clobber) Mcxt.WipeMem(datastart, Freeptr(block) - datastart);
        _mem.WriteU64(block + _offFreeptr, datastart);
    }

    /// <summary>BumpBlockFree: unlink, account, clobber and free a non-keeper block.</summary>
    private void BlockFree(ulong set, ulong block)
    {
        Pg.Assert(block != KeeperBlock(set));
        _mem.DlistDelete(block);
        ulong size = Endptr(block) - block;
        Mcxt.SetMemAllocated(set, Mcxt.GetMemAllocated(set) - size);
        if (_clobber) Mcxt.WipeMem(block, size);
        _heap.Free(block);
    }
}
