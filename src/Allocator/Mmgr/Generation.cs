// Generation: the Generation memory-context type's method table (generation.c), for chunks with
// similar lifespans freed roughly in allocation order.
//
// Ports src/backend/utils/mmgr/generation.c: GenerationAlloc (+ AllocLarge, AllocFromNewBlock,
// AllocChunkFromBlock), GenerationFree, GenerationRealloc, GenerationReset, GenerationDelete,
// GenerationGetChunkContext, GenerationGetChunkSpace, GenerationIsEmpty, GenerationStats, and the
// block helpers. This file holds the allocation paths; reset, delete, queries and helpers are in
// Generation.Lifecycle.cs, GenerationContextCreate in Mcxt.Generation.cs, GenerationCheck in
// Generation.Check.cs, the harness's invariant walker (GEN1-GEN6) in Generation.Verify.cs.
//
// Lifecycle: a context is one malloc chunk holding the 128-byte header and the keeper block.
// Chunks are carved from the current block and never reused individually: each block counts its
// chunks and its freed chunks, and when the two meet the block is marked empty (the keeper or the
// current block), kept as the one `freeblock`, or returned to malloc. Requests over
// allocChunkLimit get a dedicated block with an external chunk header.
//
// Everything lives in simulated memory; this object holds only per-process constants derived
// from the options (header size, switches), never per-context state.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Generation : MemoryContextMethods
{
    private readonly SimMemory _mem;
    private readonly SimHeap _heap;
    private readonly ulong _hdr;          // Generation_CHUNKHDRSZ = sizeof(MemoryChunk): 8 or 16
    private readonly bool _checking;
    private readonly bool _clobber;
    private readonly bool _randomize;
    private readonly AllocatorCanary _canary;

    public Generation(Mcxt mcxt) : base(mcxt)
    {
        _mem = mcxt.Memory;
        _heap = mcxt.Heap;
        _hdr = mcxt.ChunkHdrSz;
        _checking = mcxt.Options.MemoryContextChecking;
        _clobber = mcxt.Options.ClobberFreedMemory;
        _randomize = mcxt.Options.RandomizeAllocatedMemory;
        _canary = mcxt.Options.Canary;
    }

    public override MemoryContextMethodID MethodId => MemoryContextMethodID.MCTX_GENERATION_ID;
    public override NodeTag Tag => NodeTag.T_GenerationContext;
    public override string TypeName => "Generation";

    /// <summary>KeeperBlock(set): the block header right after the context header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong KeeperBlock(ulong set) => set + Generation_CONTEXTSZ;

    // ------------------------------------------------------------------ alloc

    /// <summary>GenerationAlloc. MAXALIGN wraps for sizes near SIZE_MAX (quirk Q2), so such a
    /// request takes the small path with a zero-byte chunk and no size check.</summary>
    public override ulong Alloc(ulong context, ulong size, int flags)
    {
        Pg.Assert(Mcxt.GetTag(context) == NodeTag.T_GenerationContext);
        ulong chunk_size = _checking ? MAXALIGN(unchecked(size + 1)) : MAXALIGN(size);
        if (chunk_size > _mem.ReadU32(context + OffAllocChunkLimit))
            return AllocLarge(context, size, flags);

        ulong required_size = chunk_size + _hdr;
        ulong block = _mem.ReadU64(context + OffBlock);
        if (BlockFreeBytes(block) < required_size)
        {
            ulong freeblock = _mem.ReadU64(context + OffFreeBlock);
            Pg.Assert(freeblock == 0 || BlockIsEmpty(freeblock));
            if (freeblock != 0 && FreeblockHasRoom(freeblock, required_size))
            {
                // Switch to the recycled block once; never ping-pong back (FIFO fragmentation).
                _mem.WriteU64(context + OffFreeBlock, 0);
                _mem.WriteU64(context + OffBlock, freeblock);
                return AllocChunkFromBlock(freeblock, size, chunk_size);
            }
            return AllocFromNewBlock(context, size, flags, chunk_size);
        }
        return AllocChunkFromBlock(block, size, chunk_size);
    }

    /// <summary>Whether the freeblock can take the chunk: at least required_size free bytes (the
    /// planted bug AllocatorCanary.GenerationFreeblockExactFitRefused wants more).</summary>
    private bool FreeblockHasRoom(ulong freeblock, ulong required_size) =>
        _canary == AllocatorCanary.GenerationFreeblockExactFitRefused
            ? BlockFreeBytes(freeblock) > required_size
            : BlockFreeBytes(freeblock) >= required_size;

    /// <summary>GenerationAllocLarge: a dedicated block holding one external chunk, pushed at the
    /// head of the block list without becoming the current block.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocLarge(ulong context, ulong size, int flags)
    {
        Mcxt.MemoryContextCheckSize(context, size, flags);
        ulong chunk_size = _checking ? MAXALIGN(size + 1) : MAXALIGN(size);
        ulong required_size = chunk_size + _hdr;
        ulong blksize = required_size + Generation_BLOCKHDRSZ;
        ulong block = Mcxt.MallocBlock(context, blksize, size, flags);
        if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM

        _mem.WriteU64(block + OffBlkContext, context);
        _mem.WriteU64(block + OffBlkBlksize, blksize);
        _mem.WriteU32(block + OffBlkNChunks, 1);
        _mem.WriteU32(block + OffBlkNFree, 0);
        _mem.WriteU64(block + OffBlkFreeptr, block + blksize);
        _mem.WriteU64(block + OffBlkEndptr, block + blksize);

        ulong chunk = block + Generation_BLOCKHDRSZ;
        ulong pointer = chunk + _hdr;
        MemoryChunk.SetHdrMaskExternal(_mem, chunk, _hdr, MemoryContextMethodID.MCTX_GENERATION_ID);
        if (_checking)
        {
            _mem.WriteU64(chunk, size);
            Pg.Assert(size < chunk_size);
            Mcxt.SetSentinel(pointer, size);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);

        _mem.DlistPushHead(context + OffBlocks, block);
        return pointer;
    }

    /// <summary>GenerationAllocChunkFromBlock: carve a chunk at the block's freeptr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong AllocChunkFromBlock(ulong block, ulong size, ulong chunk_size)
    {
        SimMemory m = _mem;
        ulong chunk = m.ReadU64(block + OffBlkFreeptr);
        ulong endptr = m.ReadU64(block + OffBlkEndptr);
        Pg.Assert(endptr - chunk >= _hdr + chunk_size);

        m.WriteU32(block + OffBlkNChunks, m.ReadU32(block + OffBlkNChunks) + 1);
        ulong freeptr = chunk + _hdr + chunk_size;
        m.WriteU64(block + OffBlkFreeptr, freeptr);
        Pg.Assert(freeptr <= endptr);

        MemoryChunk.SetHdrMask(m, chunk, _hdr, block, chunk_size, MemoryContextMethodID.MCTX_GENERATION_ID);
        ulong pointer = chunk + _hdr;
        if (_checking)
        {
            m.WriteU64(chunk, size);
            // Q2: a size near SIZE_MAX wrapped chunk_size to 0, and this is the assert that fires.
            Pg.Assert(size < chunk_size);
            Mcxt.SetSentinel(pointer, size);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);
        return pointer;
    }

    /// <summary>GenerationAllocFromNewBlock: blocks double from initBlockSize up to maxBlockSize,
    /// or take the next power of two above a request that does not fit.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocFromNewBlock(ulong context, ulong size, int flags, ulong chunk_size)
    {
        ulong blksize = Mcxt.TakeNextBlockSize(context, OffNextBlockSize, OffMaxBlockSize, chunk_size + _hdr + Generation_BLOCKHDRSZ);
        ulong block = Mcxt.MallocBlock(context, blksize, size, flags);
        if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM

        BlockInit(context, block, blksize);
        _mem.DlistPushHead(context + OffBlocks, block);
        _mem.WriteU64(context + OffBlock, block);
        return AllocChunkFromBlock(block, size, chunk_size);
    }

    // ------------------------------------------------------------------ free and realloc

    /// <summary>GenerationFree: count the chunk free; an emptied block is marked empty, kept as the
    /// freeblock, or returned to malloc.</summary>
    public override void Free(ulong pointer)
    {
        SimMemory m = _mem;
        ulong chunk = pointer - _hdr;
        ulong hdrmask = m.ReadU64(pointer - 8);
        ulong block;
        ulong chunksize;
        if (MemoryChunk.IsExternal(hdrmask))
        {
            block = chunk - Generation_BLOCKHDRSZ;
            if (!BlockIsValid(block))
                throw new PgErrorException($"could not find block containing chunk {Mcxt.Ptr(chunk)}");
            chunksize = m.ReadU64(block + OffBlkEndptr) - pointer;
        }
        else
        {
            block = MemoryChunk.GetBlock(chunk, hdrmask);
            Pg.Assert(BlockIsValid(block));
            chunksize = MemoryChunk.GetValue(hdrmask);
        }

        if (_checking)
        {
            ulong requested = m.ReadU64(chunk);
            if (requested == InvalidAllocSize)
                throw new PgErrorException($"detected double pfree in {Mcxt.GetName(m.ReadU64(block + OffBlkContext))} {Mcxt.Ptr(chunk)}");
            Pg.Assert(requested < chunksize);
            if (!Mcxt.SentinelOk(pointer, requested))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(m.ReadU64(block + OffBlkContext))} {Mcxt.Ptr(chunk)}");
        }
        if (_clobber) Mcxt.WipeMem(pointer, chunksize);
        if (_checking) m.WriteU64(chunk, InvalidAllocSize);

        int nfree = (int)m.ReadU32(block + OffBlkNFree) + 1;
        m.WriteU32(block + OffBlkNFree, (uint)nfree);
        int nchunks = (int)m.ReadU32(block + OffBlkNChunks);
        ulong set = m.ReadU64(block + OffBlkContext);
        Pg.Assert(nchunks > 0);
        Pg.Assert(nfree <= nchunks);
        Pg.Assert(block != m.ReadU64(set + OffFreeBlock));

        if (nfree < nchunks) return;

        // The block is now empty. Keep the keeper (it shares the context's malloc chunk) and the
        // current block (something must stay current); keep one more as the freeblock.
        if (block == KeeperBlock(set) || m.ReadU64(set + OffBlock) == block)
        {
            BlockMarkEmpty(block);
        }
        else if (m.ReadU64(set + OffFreeBlock) == 0)
        {
            BlockMarkEmpty(block);
            m.WriteU64(set + OffFreeBlock, block);
        }
        else
        {
            BlockFree(set, block);
        }
    }

    /// <summary>GenerationRealloc: in place when the chunk is already big enough (strictly bigger
    /// with checking, for the sentinel), otherwise allocate, copy and free.</summary>
    public override ulong Realloc(ulong pointer, ulong size, int flags)
    {
        SimMemory m = _mem;
        ulong chunk = pointer - _hdr;
        ulong hdrmask = m.ReadU64(pointer - 8);
        ulong block;
        ulong oldsize;
        if (MemoryChunk.IsExternal(hdrmask))
        {
            block = chunk - Generation_BLOCKHDRSZ;
            if (!BlockIsValid(block))
                throw new PgErrorException($"could not find block containing chunk {Mcxt.Ptr(chunk)}");
            oldsize = m.ReadU64(block + OffBlkEndptr) - pointer;
        }
        else
        {
            block = MemoryChunk.GetBlock(chunk, hdrmask);
            Pg.Assert(BlockIsValid(block));
            oldsize = MemoryChunk.GetValue(hdrmask);
        }
        ulong set = m.ReadU64(block + OffBlkContext);

        if (_checking)
        {
            ulong requested = m.ReadU64(chunk);
            if (requested == InvalidAllocSize)
                throw new PgErrorException($"detected realloc of freed chunk in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
            Pg.Assert(requested < oldsize);
            if (!Mcxt.SentinelOk(pointer, requested))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
        }

        if (_checking ? oldsize > size : oldsize >= size)
        {
            if (_checking)
            {
                ulong oldrequest = m.ReadU64(chunk);
                // Only a checking build knows the prior request, so only it can randomize the tail.
                if (_randomize && size > oldrequest) Mcxt.RandomizeMem(pointer + oldrequest, size - oldrequest);
                m.WriteU64(chunk, size);
                Mcxt.SetSentinel(pointer, size);
            }
            return pointer;
        }

        ulong newPointer = Alloc(set, size, flags);
        if (newPointer == 0)
            return Mcxt.MemoryContextAllocationFailure(set, size, flags);
        if (_checking) oldsize = m.ReadU64(chunk);
        m.Copy(newPointer, pointer, oldsize);
        Free(pointer);
        return newPointer;
    }
}
