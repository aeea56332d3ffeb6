// AllocSet: PostgreSQL's general-purpose allocator (src/backend/utils/mmgr/aset.c), hot paths:
// AllocSetAlloc, AllocSetAllocLarge, AllocSetAllocChunkFromBlock, AllocSetAllocFromNewBlock and
// AllocSetFree (AllocSetRealloc is in AllocSet.Realloc.cs, the fast paths in AllocSet.Fast.cs). Creation, reset, delete, recycling and queries are in
// AllocSet.Lifecycle.cs; the check walker in AllocSet.Check.cs; the invariant walker in AllocSet.Verify.cs.
//
// Every byte of state lives in simulated memory at aset.c's offsets (AllocSetConstants): the context
// header with its 11 freelist heads, the keeper block at ctx + 200, 40-byte block headers, 8/16-byte
// chunk headers, freelist links in the first 8 bytes of a free chunk's data. This object is the
// method table plus the per-process globals of aset.c (the two recycled-context lists), nothing else,
// so a stray user write corrupts exactly what it would corrupt in PostgreSQL.
//
// Speed: Mcxt's palloc/pfree call these methods non-virtually after testing the method id. The build
// options are copied into readonly fields once; the chunk header size is a field, not a property
// chain. Each header field is read once per call.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class AllocSet : MemoryContextMethods
{
    private readonly SimMemory _mem;
    private readonly SimHeap _heap;
    /// <summary>ALLOC_CHUNKHDRSZ in this build: 8, or 16 with MEMORY_CONTEXT_CHECKING.</summary>
    private readonly ulong _hdr;
    private readonly bool _checking;
    private readonly bool _clobber;
    private readonly bool _randomize;
    private readonly bool _assertChecking;
    private readonly AllocatorCanary _canary;
    /// <summary>Which lean copy of the fast paths this build takes, if any (AllocSet.Fast.cs). Not
    /// readonly only so that AllocSetLeanPathTests can run the general copies instead.</summary>
    private LeanKind _lean;

    /// <summary>The simulated address MemoryContextData.methods holds for AllocSet contexts.</summary>
    public const ulong MethodsAddress = SimMemory.StaticBase + (ulong)MemoryContextMethodID.MCTX_ASET_ID;

    /// <summary>A chunk header word with this method id.</summary>
    private const ulong AsetId = (ulong)MemoryContextMethodID.MCTX_ASET_ID;

    public AllocSet(Mcxt mcxt) : base(mcxt)
    {
        _mem = mcxt.Memory;
        _heap = mcxt.Heap;
        _hdr = mcxt.ChunkHdrSz;
        MemoryContextOptions o = mcxt.Options;
        _checking = o.MemoryContextChecking;
        _clobber = o.ClobberFreedMemory;
        _randomize = o.RandomizeAllocatedMemory;
        _assertChecking = o.AssertChecking;
        _canary = o.Canary;
        _lean = LeanKindFor(o, _hdr);
    }

    public override MemoryContextMethodID MethodId => MemoryContextMethodID.MCTX_ASET_ID;
    public override NodeTag Tag => NodeTag.T_AllocSetContext;
    public override string TypeName => "AllocSet";

    /// <summary>ALLOC_CHUNKHDRSZ of this process.</summary>
    public ulong ChunkHdrSz => _hdr;

    /// <summary>Test seam: take the general fast paths whatever the build (AllocSetLeanPathTests).</summary>
    internal void UseGeneralFastPaths() => _lean = LeanKind.None;

    /// <summary>True when the fast paths take a lean copy (AllocSet.Fast.cs).</summary>
    internal bool UsesLeanFastPaths => _lean != LeanKind.None;

    /// <summary>AllocSetIsValid(set): non-NULL and tagged T_AllocSetContext.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool AllocSetIsValid(ulong set) => set != 0 && _mem.ReadU32(set) == (uint)NodeTag.T_AllocSetContext;

    /// <summary>AllocBlockIsValid(block): non-NULL and its aset field points at an AllocSet.</summary>
    internal bool AllocBlockIsValid(ulong block) => block != 0 && AllocSetIsValid(_mem.ReadU64(block + BlkOffAset));

    // ------------------------------------------------------------------ alloc

    public override ulong Alloc(ulong context, ulong size, int flags) => AllocSetAlloc(context, size, flags);

    /// <summary>AllocSetAlloc: a chunk from the freelist of its size class, else carved from the
    /// head block, else from a new block; requests above allocChunkLimit get a dedicated block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong AllocSetAlloc(ulong set, ulong size, int flags)
    {
        SimMemory m = _mem;
        if (size > m.ReadU32(set + AsetOffAllocChunkLimit))
            return AllocSetAllocLarge(set, size, flags);

        int fidx = AllocSetFreeIndex(size);
        ulong head = set + AsetOffFreelist + ((ulong)fidx << 3);
        ulong chunk = m.ReadU64(head);
        if (chunk != 0)
        {
            ulong pointer = chunk + _hdr;
            if (_assertChecking) Pg.Assert(MemoryChunk.GetValue(m.ReadU64(pointer - 8)) == (ulong)fidx);
            m.WriteU64(head, m.ReadU64(pointer));     // pop: the link is the chunk's first data word
            if (_checking)
            {
                m.WriteU64(chunk, size);
                if (size < GetChunkSizeFromFreeListIdx(fidx)) m.WriteU8(pointer + size, SentinelByte);
            }
            if (_randomize) Mcxt.RandomizeMem(pointer, size);
            return pointer;
        }
        return AllocSetAllocFromHead(set, size, flags, fidx);
    }

    /// <summary>The second half of AllocSetAlloc: carve from the head block, or take a new block.</summary>
    private ulong AllocSetAllocFromHead(ulong set, ulong size, int flags, int fidx)
    {
        SimMemory m = _mem;
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ulong block = m.ReadU64(set + AsetOffBlocks);
        if (_assertChecking) Pg.Assert(block != 0);
        ulong freeptr = m.ReadU64(block + BlkOffFreeptr);
        ulong availspace = m.ReadU64(block + BlkOffEndptr) - freeptr;
        if (availspace < chunkSize + _hdr)
            return AllocSetAllocFromNewBlock(set, size, flags, fidx);
        return AllocSetAllocChunkFromBlock(block, freeptr, size, chunkSize, fidx);
    }

    /// <summary>AllocSetAllocChunkFromBlock: carve a chunk at the block's freeptr (which the caller
    /// has read and found to have room).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong AllocSetAllocChunkFromBlock(ulong block, ulong chunk, ulong size, ulong chunkSize, int fidx)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        m.WriteU64(block + BlkOffFreeptr, chunk + chunkSize + hdr);
        ulong blockoffset = chunk - block;
        Pg.Assert(blockoffset <= MEMORYCHUNK_MAX_BLOCKOFFSET);
        ulong pointer = chunk + hdr;
        m.WriteU64(pointer - 8, (blockoffset << MEMORYCHUNK_BLOCKOFFSET_BASEBIT) | ((ulong)fidx << MEMORYCHUNK_VALUE_BASEBIT) | AsetId);
        if (_checking)
        {
            m.WriteU64(chunk, size);
            if (size < chunkSize && _canary != AllocatorCanary.SentinelSkipped) m.WriteU8(pointer + size, SentinelByte);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);
        return pointer;
    }

    /// <summary>AllocSetAllocFromNewBlock: push the head block's leftover space onto freelists, malloc
    /// a new head block (doubling nextBlockSize up to maxBlockSize; halving and retrying above 1 MiB
    /// on failure) and carve the chunk from it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocSetAllocFromNewBlock(ulong set, ulong size, int flags, int fidx)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        ulong block = m.ReadU64(set + AsetOffBlocks);
        Pg.Assert(block != 0);
        ulong freeptr = m.ReadU64(block + BlkOffFreeptr);
        ulong availspace = m.ReadU64(block + BlkOffEndptr) - freeptr;

        // The old head block's remaining space becomes free chunks, largest power of two first; it is
        // smaller than chunk_size + hdr, so the loop runs at most ALLOCSET_NUM_FREELISTS - 1 times.
        while (availspace >= (1UL << ALLOC_MINBITS) + hdr)
        {
            ulong availchunk = availspace - hdr;
            int aFidx = AllocSetFreeIndex(availchunk);
            if (availchunk != GetChunkSizeFromFreeListIdx(aFidx))
            {
                aFidx--;
                Pg.Assert(aFidx >= 0);
                availchunk = GetChunkSizeFromFreeListIdx(aFidx);
            }
            ulong chunk = freeptr;
            freeptr += availchunk + hdr;
            availspace -= availchunk + hdr;
            m.WriteU64(block + BlkOffFreeptr, freeptr);
            MemoryChunk.SetHdrMask(m, chunk, hdr, block, (ulong)aFidx, MemoryContextMethodID.MCTX_ASET_ID);
            if (_checking) m.WriteU64(chunk, InvalidAllocSize);
            ulong head = set + AsetOffFreelist + ((ulong)aFidx << 3);
            m.WriteU64(chunk + hdr, m.ReadU64(head));
            m.WriteU64(head, chunk);
        }

        ulong blksize = Mcxt.TakeNextBlockSize(set, AsetOffNextBlockSize, AsetOffMaxBlockSize);

        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        Pg.Assert(chunkSize >= size);
        ulong requiredSize = chunkSize + ALLOC_BLOCKHDRSZ + hdr;
        while (blksize < requiredSize) blksize <<= 1;

        ulong newBlock = _heap.Malloc(blksize);
        // Under memory pressure, settle for a smaller block, but only for blocks over 1 MiB.
        while (newBlock == 0 && blksize > 1024 * 1024)
        {
            blksize >>= 1;
            if (blksize < requiredSize) break;
            newBlock = _heap.Malloc(blksize);
        }
        if (newBlock == 0)
            return Mcxt.MemoryContextAllocationFailure(set, size, flags);

        m.WriteU64(set + OffMemAllocated, m.ReadU64(set + OffMemAllocated) + blksize);
        m.WriteU64(newBlock + BlkOffAset, set);
        m.WriteU64(newBlock + BlkOffFreeptr, newBlock + ALLOC_BLOCKHDRSZ);
        m.WriteU64(newBlock + BlkOffEndptr, newBlock + blksize);
        m.WriteU64(newBlock + BlkOffPrev, 0);
        m.WriteU64(newBlock + BlkOffNext, block);
        if (block != 0) m.WriteU64(block + BlkOffPrev, newBlock);
        m.WriteU64(set + AsetOffBlocks, newBlock);

        return AllocSetAllocChunkFromBlock(newBlock, newBlock + ALLOC_BLOCKHDRSZ, size, chunkSize, fidx);
    }

    /// <summary>AllocSetAllocLarge: a dedicated block holding one external chunk, linked second in
    /// the block list so the head block keeps serving small chunks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocSetAllocLarge(ulong set, ulong size, int flags)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        Mcxt.MemoryContextCheckSize(set, size, flags);
        ulong chunkSize = _checking ? MAXALIGN(size + 1) : MAXALIGN(size);
        ulong blksize = chunkSize + ALLOC_BLOCKHDRSZ + hdr;
        ulong block = Mcxt.MallocBlock(set, blksize, size, flags);
        if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM

        m.WriteU64(block + BlkOffAset, set);
        m.WriteU64(block + BlkOffFreeptr, block + blksize);
        m.WriteU64(block + BlkOffEndptr, block + blksize);
        ulong chunk = block + ALLOC_BLOCKHDRSZ;
        ulong pointer = chunk + hdr;
        m.WriteU64(pointer - 8, MemoryChunk.EncodeExternal(MemoryContextMethodID.MCTX_ASET_ID));
        if (_checking)
        {
            m.WriteU64(chunk, size);
            Pg.Assert(size < chunkSize);
            m.WriteU8(pointer + size, SentinelByte);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);

        ulong head = m.ReadU64(set + AsetOffBlocks);
        if (head != 0)
        {
            ulong after = m.ReadU64(head + BlkOffNext);
            m.WriteU64(block + BlkOffPrev, head);
            m.WriteU64(block + BlkOffNext, after);
            if (after != 0) m.WriteU64(after + BlkOffPrev, block);
            m.WriteU64(head + BlkOffNext, block);
        }
        else
        {
            m.WriteU64(block + BlkOffPrev, 0);
            m.WriteU64(block + BlkOffNext, 0);
            m.WriteU64(set + AsetOffBlocks, block);
        }
        return pointer;
    }

    // ------------------------------------------------------------------ free

    public override void Free(ulong pointer) => AllocSetFree(pointer, _mem.ReadU64(pointer - 8));

    /// <summary>AllocSetFree, given the chunk's hdrmask word (already read by the dispatcher).
    /// Small chunks go onto their freelist; dedicated blocks go back to malloc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AllocSetFree(ulong pointer, ulong hdrmask)
    {
        if (MemoryChunk.HasExternalFlag(hdrmask))
        {
            AllocSetFreeExternal(pointer, hdrmask);
            return;
        }
        SimMemory m = _mem;
        ulong chunk = pointer - _hdr;
        ulong block = MemoryChunk.GetBlock(chunk, hdrmask);
        ulong set = m.ReadU64(block + BlkOffAset);
        if (_assertChecking) Pg.Assert(AllocSetIsValid(set), "AllocBlockIsValid(block)");
        ulong fidx = MemoryChunk.GetValue(hdrmask);
        Pg.Assert(FreeListIdxIsValid(fidx));
        if (_checking) CheckBeforeFree(set, chunk, pointer, (int)fidx);
        if (_clobber) m.Fill(pointer, GetChunkSizeFromFreeListIdx((int)fidx), ClobberByte);
        if (_canary == AllocatorCanary.FreelistIndexOffByOne && fidx + 1 < ALLOCSET_NUM_FREELISTS) fidx++;
        ulong head = set + AsetOffFreelist + (fidx << 3);
        m.WriteU64(pointer, m.ReadU64(head));
        m.WriteU64(head, chunk);
        if (_checking) m.WriteU64(chunk, InvalidAllocSize);
    }

    /// <summary>The MEMORY_CONTEXT_CHECKING part of a small-chunk free: double-free ERROR, then the
    /// sentinel WARNING.</summary>
    private void CheckBeforeFree(ulong set, ulong chunk, ulong pointer, int fidx)
    {
        ulong requested = _mem.ReadU64(chunk);
        if (requested == InvalidAllocSize)
            throw new PgErrorException($"detected double pfree in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
        if (requested < GetChunkSizeFromFreeListIdx(fidx) && _mem.ReadU8(pointer + requested) != SentinelByte)
            Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
    }

    /// <summary>The external half of AllocSetFree: validate the dedicated block, unlink it, free it.
    /// No double-free detection here (quirk Q8).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AllocSetFreeExternal(ulong pointer, ulong hdrmask)
    {
        SimMemory m = _mem;
        Pg.Assert(MemoryChunk.IsExternal(hdrmask));
        ulong chunk = pointer - _hdr;
        ulong block = chunk - ALLOC_BLOCKHDRSZ;
        if (!AllocBlockIsValid(block) || m.ReadU64(block + BlkOffFreeptr) != m.ReadU64(block + BlkOffEndptr))
            throw new PgErrorException($"could not find block containing chunk {Mcxt.Ptr(chunk)}");
        ulong set = m.ReadU64(block + BlkOffAset);
        ulong endptr = m.ReadU64(block + BlkOffEndptr);
        if (_checking)
        {
            ulong requested = m.ReadU64(chunk);
            Pg.Assert(requested < endptr - pointer);
            if (!Mcxt.SentinelOk(pointer, requested))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
        }
        ulong prev = m.ReadU64(block + BlkOffPrev);
        ulong next = m.ReadU64(block + BlkOffNext);
        if (prev != 0) m.WriteU64(prev + BlkOffNext, next);
        else m.WriteU64(set + AsetOffBlocks, next);
        if (next != 0) m.WriteU64(next + BlkOffPrev, prev);
        m.WriteU64(set + OffMemAllocated, m.ReadU64(set + OffMemAllocated) - (endptr - block));
        Mcxt.WipeMem(block, m.ReadU64(block + BlkOffFreeptr) - block);
        _heap.Free(block);
    }
}
