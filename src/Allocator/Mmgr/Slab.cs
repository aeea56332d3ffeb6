// Slab: the Slab memory-context type's method table (slab.c), for many equally sized chunks.
//
// Ports src/backend/utils/mmgr/slab.c: SlabAlloc (+ SlabAllocFromNewBlock, SlabAllocSetupNewChunk,
// SlabGetNextFreeChunk, SlabAllocInvalidSize), SlabFree, SlabRealloc, SlabReset, SlabDelete,
// SlabGetChunkContext, SlabGetChunkSpace, SlabIsEmpty, SlabStats, SlabBlocklistIndex and
// SlabFindNextBlockListIndex. This file holds the allocation paths; reset, delete, queries and
// list helpers are in Slab.Lifecycle.cs, SlabContextCreate in Mcxt.Slab.cs, SlabCheck in Slab.Check.cs,
// the invariant walker (SL1-SL5) in Slab.Verify.cs.
//
// Lifecycle: blocks of blockSize bytes are carved into chunksPerBlock chunks of fullChunkSize.
// Blocks that have free chunks sit on blocklist[1..2] by how many they have (fuller blocks at the
// lower index, so allocations fill them first and emptier blocks can drain); full blocks on
// blocklist[0]. A block whose chunks are all free goes to `emptyblocks` (up to 10 kept) or back to
// malloc. Within a block a chunk comes from the block's free list first, then from the never-used
// tail (`unused`). There is no keeper block, and the header is not counted in mem_allocated.
//
// Everything lives in simulated memory; this object holds only per-process constants (the
// checking build's layout), never per-context state.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Mmgr;

public sealed partial class Slab : MemoryContextMethods
{
    private readonly SimMemory _mem;
    private readonly SimHeap _heap;
    private readonly ulong _hdr;          // Slab_CHUNKHDRSZ = sizeof(MemoryChunk)
    private readonly bool _checking;
    private readonly bool _clobber;
    private readonly bool _randomize;
    private readonly AllocatorCanary _canary;

    /// <summary>Offsets that move with MEMORY_CONTEXT_CHECKING (the isChunkFree pointer).</summary>
    internal ulong OffShift { get; }
    internal ulong OffEmpty { get; }
    internal ulong OffLists { get; }
    /// <summary>sizeof(SlabContext) in this build: 176 or 192.</summary>
    internal ulong SizeOfContext { get; }

    public Slab(Mcxt mcxt) : base(mcxt)
    {
        _mem = mcxt.Memory;
        _heap = mcxt.Heap;
        _hdr = mcxt.ChunkHdrSz;
        _checking = mcxt.Options.MemoryContextChecking;
        _clobber = mcxt.Options.ClobberFreedMemory;
        _randomize = mcxt.Options.RandomizeAllocatedMemory;
        _canary = mcxt.Options.Canary;
        OffShift = _checking ? OffBlocklistShiftChecking : OffBlocklistShift;
        OffEmpty = _checking ? OffEmptyBlocksChecking : OffEmptyBlocks;
        OffLists = _checking ? OffBlocklistChecking : OffBlocklist;
        SizeOfContext = _checking ? SizeOfSlabContextChecking : SizeOfSlabContext;
    }

    public override MemoryContextMethodID MethodId => MemoryContextMethodID.MCTX_SLAB_ID;
    public override NodeTag Tag => NodeTag.T_SlabContext;
    public override string TypeName => "Slab";

    /// <summary>Slab_CONTEXT_HDRSZ(chunksPerBlock): the header plus, with checking, isChunkFree.</summary>
    internal ulong ContextHdrSz(int chunksPerBlock) => SizeOfContext + (_checking ? unchecked((ulong)(long)chunksPerBlock) : 0);

    // ------------------------------------------------------------------ field access

    [MethodImpl(MethodImplOptions.AggressiveInlining)] private uint ChunkSize(ulong s) => _mem.ReadU32(s + OffChunkSize);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private uint FullChunkSize(ulong s) => _mem.ReadU32(s + OffFullChunkSize);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private int ChunksPerBlock(ulong s) => (int)_mem.ReadU32(s + OffChunksPerBlock);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private int CurIndex(ulong s) => (int)_mem.ReadU32(s + OffCurBlocklistIndex);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private void SetCurIndex(ulong s, int i) => _mem.WriteU32(s + OffCurBlocklistIndex, (uint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private ulong ListHead(ulong s, int i) => s + OffLists + (ulong)i * SizeOfDlistHead;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private int NFree(ulong block) => (int)_mem.ReadU32(block + OffBlkNFree);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private void SetNFree(ulong block, int n) => _mem.WriteU32(block + OffBlkNFree, (uint)n);

    /// <summary>SlabBlockGetChunk(slab, block, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong BlockGetChunk(ulong slab, ulong block, long n) => unchecked(block + Slab_BLOCKHDRSZ + (ulong)(n * FullChunkSize(slab)));

    /// <summary>SlabBlocklistIndex: ceil(nfree / 2^shift) by an arithmetic shift of -nfree, so 0
    /// free chunks (a full block) is index 0 and anything else is 1 or 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int BlocklistIndex(ulong slab, int nfree)
    {
        Pg.Assert(nfree >= 0 && nfree <= ChunksPerBlock(slab));
        int shift = (int)_mem.ReadU32(slab + OffShift);
        int index = -((-nfree) >> shift);
        if (nfree == 0) Pg.Assert(index == 0);
        else Pg.Assert(index >= 1 && index < SLAB_BLOCKLIST_COUNT);
        return index;
    }

    /// <summary>SlabFindNextBlockListIndex: the lowest non-empty list among 1..2 (fuller blocks
    /// first, so emptier ones get the chance to drain), or 0.</summary>
    private int FindNextBlockListIndex(ulong slab)
    {
        if (_canary == AllocatorCanary.SlabEmptierBlocksFirst)
            return FindNextBlockListIndexEmptiestFirst(slab);
        for (int i = 1; i < SLAB_BLOCKLIST_COUNT; i++)
            if (!_mem.DlistIsEmpty(ListHead(slab, i))) return i;
        return 0;
    }

    /// <summary>The planted bug AllocatorCanary.SlabEmptierBlocksFirst: the highest non-empty list.</summary>
    private int FindNextBlockListIndexEmptiestFirst(ulong slab)
    {
        for (int i = SLAB_BLOCKLIST_COUNT - 1; i > 0; i--)
            if (!_mem.DlistIsEmpty(ListHead(slab, i))) return i;
        return 0;
    }

    /// <summary>SlabGetNextFreeChunk: pop the block's free list, else take the next unused chunk.</summary>
    private ulong GetNextFreeChunk(ulong slab, ulong block)
    {
        Pg.Assert(NFree(block) > 0);
        ulong chunk = _mem.ReadU64(block + OffBlkFreeHead);
        if (chunk != 0)
        {
            // The next-free link lives in the free chunk's first data bytes.
            ulong next = _mem.ReadU64(chunk + _hdr);
            _mem.WriteU64(block + OffBlkFreeHead, next);
            Pg.Assert(next == 0 || (next >= BlockGetChunk(slab, block, 0)
                                    && next <= BlockGetChunk(slab, block, ChunksPerBlock(slab) - 1)
                                    && (next - BlockGetChunk(slab, block, 0)) % FullChunkSize(slab) == 0));
        }
        else
        {
            int nunused = (int)_mem.ReadU32(block + OffBlkNUnused);
            Pg.Assert(nunused > 0);
            chunk = _mem.ReadU64(block + OffBlkUnused);
            _mem.WriteU64(block + OffBlkUnused, chunk + FullChunkSize(slab));
            _mem.WriteU32(block + OffBlkNUnused, (uint)(nunused - 1));
        }
        SetNFree(block, NFree(block) - 1);
        return chunk;
    }

    // ------------------------------------------------------------------ alloc

    /// <summary>SlabAlloc. The size test doubles as the size validity check.</summary>
    public override ulong Alloc(ulong context, ulong size, int flags)
    {
        ulong slab = context;
        Pg.Assert(Mcxt.GetTag(slab) == NodeTag.T_SlabContext);
        int cur = CurIndex(slab);
        Pg.Assert(cur >= 0);
        Pg.Assert(cur <= BlocklistIndex(slab, ChunksPerBlock(slab)));

        if (size != ChunkSize(slab))
            throw new PgErrorException($"unexpected alloc chunk size {size} (expected {ChunkSize(slab)})");

        if (cur == 0)
            return AllocFromNewBlock(slab, size, flags);

        ulong blocklist = ListHead(slab, cur);
        Pg.Assert(!_mem.DlistIsEmpty(blocklist));
        ulong block = _mem.DlistHeadNode(blocklist) - OffBlkNode;   // dlist_head_element
        Pg.Assert(cur == BlocklistIndex(slab, NFree(block)));
        Pg.Assert(NFree(block) > 0);

        ulong chunk = GetNextFreeChunk(slab, block);
        int newIdx = BlocklistIndex(slab, NFree(block));
        if (cur != newIdx)
        {
            _mem.DlistDelete(block + OffBlkNode);
            _mem.DlistPushHead(ListHead(slab, newIdx), block + OffBlkNode);
            if (_mem.DlistIsEmpty(blocklist))
                SetCurIndex(slab, FindNextBlockListIndex(slab));
        }
        return AllocSetupNewChunk(slab, block, chunk, size);
    }

    /// <summary>SlabAllocFromNewBlock: reuse a retained empty block, else malloc a new one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocFromNewBlock(ulong slab, ulong size, int flags)
    {
        ulong block;
        ulong chunk;
        ulong empty = slab + OffEmpty;
        if (_mem.DclistCount(empty) > 0)
        {
            block = _mem.DclistPopHeadNode(empty) - OffBlkNode;
            Pg.Assert(NFree(block) == ChunksPerBlock(slab));
            chunk = GetNextFreeChunk(slab, block);
        }
        else
        {
            block = Mcxt.MallocBlock(slab, _mem.ReadU32(slab + OffBlockSize), size, flags);
            if (block == 0) return 0;   // MCXT_ALLOC_NO_OOM
            _mem.WriteU64(block + OffBlkSlab, slab);
            int cpb = ChunksPerBlock(slab);
            chunk = BlockGetChunk(slab, block, 0);
            SetNFree(block, cpb - 1);
            _mem.WriteU64(block + OffBlkUnused, BlockGetChunk(slab, block, 1));
            _mem.WriteU64(block + OffBlkFreeHead, 0);
            _mem.WriteU32(block + OffBlkNUnused, (uint)(cpb - 1));
        }

        int idx = BlocklistIndex(slab, NFree(block));
        ulong blocklist = ListHead(slab, idx);
        // With chunksPerBlock == 1 a new block is full at once, goes to blocklist[0] next to the
        // other full blocks, and this assertion fails from the second block on: PostgreSQL's
        // assert builds trap there and its production builds carry on. Both are reproduced,
        // through AssertChecking (see SlabTests.OneChunkPerBlock_*).
        if (Mcxt.Options.AssertChecking) Pg.Assert(_mem.DlistIsEmpty(blocklist));
        _mem.DlistPushHead(blocklist, block + OffBlkNode);
        SetCurIndex(slab, idx);
        return AllocSetupNewChunk(slab, block, chunk, size);
    }

    /// <summary>SlabAllocSetupNewChunk: header, requested size, sentinel and randomization.</summary>
    private ulong AllocSetupNewChunk(ulong slab, ulong block, ulong chunk, ulong size)
    {
        Pg.Assert(chunk >= BlockGetChunk(slab, block, 0));
        Pg.Assert(chunk <= BlockGetChunk(slab, block, ChunksPerBlock(slab) - 1));
        Pg.Assert((chunk - BlockGetChunk(slab, block, 0)) % FullChunkSize(slab) == 0);

        MemoryChunk.SetHdrMask(_mem, chunk, _hdr, block, MAXALIGN(ChunkSize(slab)), MemoryContextMethodID.MCTX_SLAB_ID);
        ulong pointer = chunk + _hdr;
        if (_checking)
        {
            _mem.WriteU64(chunk, size);
            Pg.Assert(ChunkSize(slab) < FullChunkSize(slab) - _hdr);
            Mcxt.SetSentinel(pointer, size);
        }
        if (_randomize) Mcxt.RandomizeMem(pointer, size);
        return pointer;
    }

    // ------------------------------------------------------------------ free and realloc

    /// <summary>SlabFree: push the chunk on its block's free list and move the block between lists.</summary>
    public override void Free(ulong pointer)
    {
        SimMemory m = _mem;
        ulong chunk = pointer - _hdr;
        ulong block = MemoryChunk.GetBlock(chunk, m.ReadU64(pointer - 8));
        Pg.Assert(BlockIsValid(block));
        ulong slab = m.ReadU64(block + OffBlkSlab);
        uint chunkSize = ChunkSize(slab);

        if (_checking)
        {
            if (m.ReadU64(chunk) == InvalidAllocSize)
                throw new PgErrorException($"detected double pfree in {Mcxt.GetName(slab)} {Mcxt.Ptr(chunk)}");
            Pg.Assert(chunkSize < FullChunkSize(slab) - _hdr);
            if (!Mcxt.SentinelOk(pointer, chunkSize))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(slab)} {Mcxt.Ptr(chunk)}");
            m.WriteU64(chunk, InvalidAllocSize);
        }

        m.WriteU64(pointer, m.ReadU64(block + OffBlkFreeHead));
        m.WriteU64(block + OffBlkFreeHead, chunk);
        int nfree = NFree(block) + 1;
        SetNFree(block, nfree);
        int cpb = ChunksPerBlock(slab);
        Pg.Assert(nfree > 0);
        Pg.Assert(nfree <= cpb);

        // Keep the free-list link stored in the first 8 data bytes.
        if (_clobber) Mcxt.WipeMem(pointer + 8, chunkSize - 8);

        int curIdx = BlocklistIndex(slab, nfree - 1);
        int newIdx = BlocklistIndex(slab, nfree);
        if (curIdx != newIdx)
        {
            m.DlistDelete(block + OffBlkNode);
            m.DlistPushHead(ListHead(slab, newIdx), block + OffBlkNode);
            // The old list may be empty now, or a lower list may have gained a block: recompute
            // whenever the list left is at or below the current index.
            if (CurIndex(slab) >= curIdx)
            {
                SetCurIndex(slab, FindNextBlockListIndex(slab));
                Pg.Assert(CurIndex(slab) > 0);
            }
        }

        if (nfree == cpb)
        {
            m.DlistDelete(block + OffBlkNode);
            ulong empty = slab + OffEmpty;
            if (m.DclistCount(empty) < SLAB_MAXIMUM_EMPTY_BLOCKS)
            {
                m.DclistPushHead(empty, block + OffBlkNode);
            }
            else
            {
                ulong blockSize = m.ReadU32(slab + OffBlockSize);
                if (_clobber) Mcxt.WipeMem(block, blockSize);
                _heap.Free(block);
                Mcxt.SetMemAllocated(slab, Mcxt.GetMemAllocated(slab) - blockSize);
            }
            if (CurIndex(slab) == newIdx && m.DlistIsEmpty(ListHead(slab, newIdx)))
                SetCurIndex(slab, FindNextBlockListIndex(slab));
        }
    }

    /// <summary>SlabRealloc: only the same size is allowed (and returns the same chunk).</summary>
    public override ulong Realloc(ulong pointer, ulong size, int flags)
    {
        ulong chunk = pointer - _hdr;
        ulong block = MemoryChunk.GetBlock(chunk, _mem.ReadU64(pointer - 8));
        // A real test, not an Assert: a realloc on a slab chunk is likely a mistake to begin with.
        if (!BlockIsValid(block))
            throw new PgErrorException($"could not find block containing chunk {Mcxt.Ptr(chunk)}");
        ulong slab = _mem.ReadU64(block + OffBlkSlab);
        if (size == ChunkSize(slab)) return pointer;
        throw new PgErrorException("slab allocator does not support realloc()");
    }
}
