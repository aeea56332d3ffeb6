// Slab.Verify: the harness's invariant walker for one Slab context, stronger than SlabCheck
// (pg-mmgr-dsa.md 4.7 SL1-SL5, 1.12 MC2-MC4). Each violation is one string starting with its
// invariant id. Checked:
//   SL1  every block on blocklist[i] has idx(nfree) == i and 0 <= nfree < chunksPerBlock; every
//        block on emptyblocks has nfree == chunksPerBlock; the emptyblocks count matches the list
//        and is at most 10; all lists are proper circular dlists; no block is on two lists; every
//        block links back to the context.
//   SL2  per block: nfree == |free list| + nunused; unused == chunk(cpb - nunused); free-list
//        entries are distinct, aligned slots below cpb - nunused (with checking, marked freed);
//        the header's derived fields (fullChunkSize, chunksPerBlock, blocklist_shift,
//        isChunkFree) agree with chunkSize and blockSize.
//   SL3  curBlocklistIndex is 0 exactly when lists 1 and 2 are empty, and otherwise names a
//        non-empty list.
//   SL4  every block is a live malloc chunk of blockSize bytes; (listed + empty) * blockSize
//        equals mem_allocated (also reported as MC3).
//   SL5  every live chunk (a used slot not on the free list) decodes to its own block with the
//        Slab method id and value MAXALIGN(chunkSize) (MC4); with checking its requested size is
//        chunkSize and its sentinel is intact.
//   MC2  a context marked isReset owns no block.
// It never throws for corruption (a fault is reported as an SL1 violation), never allocates from
// the context, and bounds every walk. The list walk and the entry point are VerifyWalk's, shared
// with Generation and Bump.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Mmgr;

public sealed partial class Slab : IMemoryContextVerifier, IVerifyWalkBody
{
    /// <summary>IMemoryContextVerifier.Verify, called by MemoryContextVerify for each context of
    /// this type: appends one string per violation to <paramref name="problems"/>.</summary>
    [ExcludeFromCodeCoverage]
    public void Verify(ulong context, List<string> problems) => VerifyWalk.Run(this, context, problems);

    [ExcludeFromCodeCoverage]
    string IVerifyWalkBody.WalkInvariant => "SL1";

    [ExcludeFromCodeCoverage]
    ulong IVerifyWalkBody.ContextHeaderSize => SizeOfContext;

    // Allocation-free when nothing is wrong: the block list, the block set and the free-slot marks
    // come from the Mcxt's VerifyScratch, and pointers and list names are formatted only inside a
    // violation's text.
    [ExcludeFromCodeCoverage]
    void IVerifyWalkBody.VerifyBody(ulong slab, List<string> v)
    {
        uint chunkSize = ChunkSize(slab);
        ulong full = FullChunkSize(slab);
        ulong blockSize = _mem.ReadU32(slab + OffBlockSize);
        int cpb = ChunksPerBlock(slab);
        if (!VerifyGeometry(slab, chunkSize, full, blockSize, cpb, v)) return;

        ulong? hdrMalloc = _heap.RequestedSize(slab);
        if (hdrMalloc != ContextHdrSz(cpb))
            v.Add($"SL4: Slab header {Mcxt.Ptr(slab)} is not a live malloc chunk of {ContextHdrSz(cpb)} bytes");

        VerifyScratch scratch = Mcxt.VerifyScratch;
        HashSet<ulong> seen = scratch.BlockSeen();      // across all lists: a block on two lists is a cycle
        List<ulong> blocks = scratch.Blocks();          // one list at a time
        bool[] free = scratch.SlabFreeMarks(cpb);
        ulong empty = slab + OffEmpty;
        WalkList(empty, seen, EmptyBlocksList, blocks, v);
        int emptyBlocks = blocks.Count;
        uint emptyCount = _mem.DclistCount(empty);
        if (emptyCount != (ulong)emptyBlocks)
            v.Add($"SL1: emptyblocks of {Mcxt.Ptr(slab)} holds {emptyBlocks} blocks but its count says {emptyCount}");
        if (emptyBlocks > SLAB_MAXIMUM_EMPTY_BLOCKS)
            v.Add($"SL1: emptyblocks of {Mcxt.Ptr(slab)} holds {emptyBlocks} blocks, more than {SLAB_MAXIMUM_EMPTY_BLOCKS}");
        foreach (ulong block in blocks)
        {
            int nfree = NFree(block);
            if (nfree != cpb)
                v.Add($"SL1: empty block {Mcxt.Ptr(block)} has nfree {nfree}, not {cpb}");
            VerifyBlock(slab, block, cpb, full, blockSize, chunkSize, free, v);
        }

        long listed = 0;
        Span<bool> nonEmpty = stackalloc bool[SLAB_BLOCKLIST_COUNT];
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
        {
            WalkList(ListHead(slab, i), seen, i, blocks, v);
            nonEmpty[i] = blocks.Count > 0;
            listed += blocks.Count;
            foreach (ulong block in blocks)
            {
                int nfree = NFree(block);
                if (nfree < 0 || nfree >= cpb)
                    v.Add($"SL1: block {Mcxt.Ptr(block)} on blocklist[{i}] has nfree {nfree} outside [0, {cpb})");
                else if (BlocklistIndex(slab, nfree) != i)
                    v.Add($"SL1: block {Mcxt.Ptr(block)} with nfree {nfree} is on blocklist[{i}], not [{BlocklistIndex(slab, nfree)}]");
                VerifyBlock(slab, block, cpb, full, blockSize, chunkSize, free, v);
            }
        }

        int cur = CurIndex(slab);
        if (cur < 0 || cur >= SLAB_BLOCKLIST_COUNT)
            v.Add($"SL3: curBlocklistIndex of {Mcxt.Ptr(slab)} is {cur}");
        else if (cur == 0 && (nonEmpty[1] || nonEmpty[2]))
            v.Add($"SL3: curBlocklistIndex of {Mcxt.Ptr(slab)} is 0 but a partially free block exists");
        else if (cur != 0 && !nonEmpty[cur])
            v.Add($"SL3: curBlocklistIndex of {Mcxt.Ptr(slab)} is {cur} but that blocklist is empty");

        ulong expected = unchecked((ulong)(listed + emptyBlocks) * blockSize);
        ulong memAllocated = Mcxt.GetMemAllocated(slab);
        if (memAllocated != expected)
        {
            v.Add($"SL4: mem_allocated {memAllocated} of Slab context {Mcxt.Ptr(slab)} differs from ({listed} listed + {emptyBlocks} empty) * {blockSize} = {expected}");
            v.Add(VerifyWalk.MemAllocatedMismatch(TypeName, slab, memAllocated, expected));
        }
        if (Mcxt.GetIsReset(slab) && listed + emptyBlocks != 0)
            v.Add($"MC2: Slab context {Mcxt.Ptr(slab)} is marked reset but owns {listed + emptyBlocks} blocks");
    }

    /// <summary>The header fields derived at creation; false when they are too broken to walk.</summary>
    [ExcludeFromCodeCoverage]
    private bool VerifyGeometry(ulong slab, uint chunkSize, ulong full, ulong blockSize, int cpb, List<string> v)
    {
        ulong expectFull = _hdr + (_checking ? MAXALIGN((ulong)chunkSize + 1) : MAXALIGN(chunkSize));
        bool ok = true;
        if (blockSize > MEMORYCHUNK_MAX_BLOCKOFFSET) { v.Add($"SL2: blockSize {blockSize} of {Mcxt.Ptr(slab)} exceeds {MEMORYCHUNK_MAX_BLOCKOFFSET}"); ok = false; }
        if (chunkSize < SlabMinChunkSize) { v.Add($"SL2: chunkSize {chunkSize} of {Mcxt.Ptr(slab)} is below {SlabMinChunkSize}"); ok = false; }
        if (full != expectFull) { v.Add($"SL2: fullChunkSize {full} of {Mcxt.Ptr(slab)} should be {expectFull}"); ok = false; }
        if (ok && blockSize >= Slab_BLOCKHDRSZ && (ulong)(long)cpb != (blockSize - Slab_BLOCKHDRSZ) / full)
        {
            v.Add($"SL2: chunksPerBlock {cpb} of {Mcxt.Ptr(slab)} should be {(blockSize - Slab_BLOCKHDRSZ) / full}");
            ok = false;
        }
        if (cpb <= 0) { v.Add($"SL2: chunksPerBlock {cpb} of {Mcxt.Ptr(slab)} is not positive"); ok = false; }
        if (!ok) return false;

        int shift = 0;
        while ((cpb >> shift) >= SLAB_BLOCKLIST_COUNT - 1) shift++;
        int storedShift = (int)_mem.ReadU32(slab + OffShift);
        if (storedShift != shift)
        {
            v.Add($"SL2: blocklist_shift of {Mcxt.Ptr(slab)} is {storedShift}, should be {shift}");
            return false;
        }
        if (_checking && _mem.ReadU64(slab + OffIsChunkFreeChecking) != slab + SizeOfSlabContextChecking)
            v.Add($"SL2: isChunkFree of {Mcxt.Ptr(slab)} does not point right after the header");
        return true;
    }

    /// <summary>WalkList's list number for emptyblocks (0..SLAB_BLOCKLIST_COUNT-1 are blocklist[i]).</summary>
    private const int EmptyBlocksList = -1;

    /// <summary>The list's name in violation texts.</summary>
    [ExcludeFromCodeCoverage]
    private static string ListName(int list) => list == EmptyBlocksList ? "emptyblocks" : $"blocklist[{list}]";

    /// <summary>Walks one circular list of block nodes, checking links; leaves its blocks, in list
    /// order, in <paramref name="blocks"/> (cleared first). A zeroed head is an empty list.</summary>
    [ExcludeFromCodeCoverage]
    private void WalkList(ulong head, HashSet<ulong> seen, int list, List<ulong> blocks, List<string> v)
    {
        blocks.Clear();
        if (_mem.ReadU64(head + Dlist.OffNext) == 0 && _mem.ReadU64(head + Dlist.OffPrev) == 0) return;
        VerifyWalk.BlockList(_mem, head, OffBlkNode, Slab_BLOCKHDRSZ, MaxListSteps(), seen, blocks, v, new ListTexts(list));
    }

    /// <summary>The SL1 texts of WalkList, naming the list.</summary>
    [ExcludeFromCodeCoverage]
    private readonly struct ListTexts(int list) : IBlockListTexts
    {
        public string Cycle(ulong block) =>
            $"SL1: {ListName(list)} reaches block {Mcxt.Ptr(block)} twice (cycle or block on two lists)";

        public string Unmapped(ulong block) =>
            $"SL1: {ListName(list)} reaches unmapped block {Mcxt.Ptr(block)}";

        public string PrevLink(ulong block, ulong prevLink, ulong expected) =>
            $"SL1: block {Mcxt.Ptr(block)} on {ListName(list)} has prev link {Mcxt.Ptr(prevLink)}, expected {Mcxt.Ptr(expected)}";

        public string HeadPrevLink(ulong prevLink, ulong expected) =>
            $"SL1: head of {ListName(list)} has prev link {Mcxt.Ptr(prevLink)}, expected {Mcxt.Ptr(expected)}";
    }

    [ExcludeFromCodeCoverage]
    private void VerifyBlock(ulong slab, ulong block, int cpb, ulong full, ulong blockSize, uint chunkSize, bool[] free, List<string> v)
    {
        ulong owner = _mem.ReadU64(block + OffBlkSlab);
        if (owner != slab)
            v.Add($"SL1: block {Mcxt.Ptr(block)} links to context {Mcxt.Ptr(owner)}, not {Mcxt.Ptr(slab)}");
        if (_heap.RequestedSize(block) != blockSize || !_mem.IsMapped(block, blockSize))
        {
            v.Add($"SL4: block {Mcxt.Ptr(block)} is not a live malloc chunk of blockSize {blockSize}");
            return;
        }

        int nfree = NFree(block);
        int nunused = (int)_mem.ReadU32(block + OffBlkNUnused);
        if (nunused < 0 || nunused > cpb || nunused > nfree)
        {
            v.Add($"SL2: block {Mcxt.Ptr(block)} has nunused {nunused} (nfree {nfree}, chunksPerBlock {cpb})");
            return;
        }
        int used = cpb - nunused;   // slots below the high-water mark
        ulong unused = _mem.ReadU64(block + OffBlkUnused);
        if (unused != BlockGetChunk(slab, block, used))
            v.Add($"SL2: block {Mcxt.Ptr(block)} has unused {Mcxt.Ptr(unused)}, expected chunk {used}");

        Array.Clear(free, 0, cpb);
        ulong first = BlockGetChunk(slab, block, 0);
        ulong hdr = _hdr;
        bool checking = _checking;
        int onList = 0;
        ulong cur = _mem.ReadU64(block + OffBlkFreeHead);
        while (cur != 0)
        {
            ulong off = cur - first;
            if (cur < first || off % full != 0 || off / full >= (ulong)used)
            {
                v.Add($"SL2: free list of block {Mcxt.Ptr(block)} links to {Mcxt.Ptr(cur)}, not a used slot");
                break;
            }
            int slot = (int)(off / full);
            if (free[slot])
            {
                v.Add($"SL2: free list of block {Mcxt.Ptr(block)} reaches chunk {Mcxt.Ptr(cur)} twice");
                break;
            }
            free[slot] = true;
            onList++;
            if (checking)
            {
                ulong requested = _mem.ReadU64(cur);
                if (requested != InvalidAllocSize)
                    v.Add($"SL2: chunk {Mcxt.Ptr(cur)} on the free list of block {Mcxt.Ptr(block)} has requested size {requested}");
            }
            cur = _mem.ReadU64(cur + hdr);
        }
        if (onList + nunused != nfree)
            v.Add($"SL2: block {Mcxt.Ptr(block)} has nfree {nfree} but {onList} listed + {nunused} unused chunks are free");

        ulong value = MAXALIGN(chunkSize);
        for (int j = 0; j < used; j++)
        {
            if (free[j]) continue;
            ulong chunk = first + (ulong)j * full;   // BlockGetChunk(slab, block, j); full is the header's fullChunkSize
            ulong hdrmask = _mem.ReadU64(chunk + hdr - 8);
            if ((MemoryContextMethodID)(hdrmask & MEMORY_CONTEXT_METHODID_MASK) != MemoryContextMethodID.MCTX_SLAB_ID
                || MemoryChunk.HasExternalFlag(hdrmask)
                || MemoryChunk.GetBlock(chunk, hdrmask) != block
                || MemoryChunk.GetValue(hdrmask) != value)
            {
                v.Add($"MC4: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has header {MemoryChunk.FormatHeader(hdrmask)}, which does not decode to this Slab block");
                v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} does not decode to its own block");
            }
            if (checking)
            {
                ulong requested = _mem.ReadU64(chunk);
                if (requested != chunkSize)
                    v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has requested size {requested}, not {chunkSize}");
                else if (!Mcxt.SentinelOk(chunk + hdr, chunkSize))
                    v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has a damaged sentinel at +{chunkSize}");
            }
        }
    }
}
