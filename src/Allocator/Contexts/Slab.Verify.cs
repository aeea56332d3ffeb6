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
// the context, and bounds every walk.
using Allocator.Errors;
using static Allocator.Contexts.McxtConstants;
using static Allocator.Contexts.SlabConstants;

namespace Allocator.Contexts;

public sealed partial class Slab : IMemoryContextVerifier
{
    /// <summary>IMemoryContextVerifier.Verify, called by MemoryContextVerify for each context of
    /// this type: appends one string per violation to <paramref name="problems"/>.</summary>
    public void Verify(ulong context, List<string> problems)
    {
        try
        {
            VerifyInternal(context, problems);
        }
        catch (Exception e) when (e is SimFaultException or AssertionFailureException)
        {
            problems.Add(Mcxt.VerifyWalkFailure("SL1", "Slab", context, e));
        }
    }

    private void VerifyInternal(ulong slab, List<string> v)
    {
        string c = Mcxt.Ptr(slab);
        if (!_mem.IsMapped(slab, SizeOfContext))
        {
            v.Add($"SL1: Slab context header {c} is not mapped");
            return;
        }
        if (Mcxt.GetTag(slab) != NodeTag.T_SlabContext)
            v.Add($"SL1: context {c} does not carry the Slab tag (0x{(uint)Mcxt.GetTag(slab):x})");

        uint chunkSize = ChunkSize(slab);
        ulong full = FullChunkSize(slab);
        ulong blockSize = _mem.ReadU32(slab + OffBlockSize);
        int cpb = ChunksPerBlock(slab);
        if (!VerifyGeometry(slab, chunkSize, full, blockSize, cpb, v)) return;

        ulong? hdrMalloc = _heap.RequestedSize(slab);
        if (hdrMalloc != ContextHdrSz(cpb))
            v.Add($"SL4: Slab header {c} is not a live malloc chunk of {ContextHdrSz(cpb)} bytes");

        var seen = new HashSet<ulong>();
        bool[] free = FreeScratch(cpb);
        ulong empty = slab + OffEmpty;
        List<ulong> emptyBlocks = WalkList(empty, seen, "emptyblocks", v);
        uint emptyCount = _mem.ReadU32(empty + OffDclistCount);
        if (emptyCount != (ulong)emptyBlocks.Count)
            v.Add($"SL1: emptyblocks of {c} holds {emptyBlocks.Count} blocks but its count says {emptyCount}");
        if (emptyBlocks.Count > SLAB_MAXIMUM_EMPTY_BLOCKS)
            v.Add($"SL1: emptyblocks of {c} holds {emptyBlocks.Count} blocks, more than {SLAB_MAXIMUM_EMPTY_BLOCKS}");
        foreach (ulong block in emptyBlocks)
        {
            if (NFree(block) != cpb)
                v.Add($"SL1: empty block {Mcxt.Ptr(block)} has nfree {NFree(block)}, not {cpb}");
            VerifyBlock(slab, block, cpb, full, blockSize, chunkSize, free, v);
        }

        long listed = 0;
        var nonEmpty = new bool[SLAB_BLOCKLIST_COUNT];
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
        {
            List<ulong> blocks = WalkList(ListHead(slab, i), seen, $"blocklist[{i}]", v);
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
            v.Add($"SL3: curBlocklistIndex of {c} is {cur}");
        else if (cur == 0 && (nonEmpty[1] || nonEmpty[2]))
            v.Add($"SL3: curBlocklistIndex of {c} is 0 but a partially free block exists");
        else if (cur != 0 && !nonEmpty[cur])
            v.Add($"SL3: curBlocklistIndex of {c} is {cur} but that blocklist is empty");

        ulong expected = unchecked((ulong)(listed + emptyBlocks.Count) * blockSize);
        ulong memAllocated = Mcxt.GetMemAllocated(slab);
        if (memAllocated != expected)
        {
            v.Add($"SL4: mem_allocated {memAllocated} of Slab context {c} differs from ({listed} listed + {emptyBlocks.Count} empty) * {blockSize} = {expected}");
            v.Add($"MC3: mem_allocated {memAllocated} of Slab context {c} differs from the Slab formula {expected}");
        }
        if (Mcxt.GetIsReset(slab) && listed + emptyBlocks.Count != 0)
            v.Add($"MC2: Slab context {c} is marked reset but owns {listed + emptyBlocks.Count} blocks");
    }

    /// <summary>The header fields derived at creation; false when they are too broken to walk.</summary>
    private bool VerifyGeometry(ulong slab, uint chunkSize, ulong full, ulong blockSize, int cpb, List<string> v)
    {
        string c = Mcxt.Ptr(slab);
        ulong expectFull = _hdr + (_checking ? MAXALIGN((ulong)chunkSize + 1) : MAXALIGN(chunkSize));
        bool ok = true;
        if (blockSize > MEMORYCHUNK_MAX_BLOCKOFFSET) { v.Add($"SL2: blockSize {blockSize} of {c} exceeds {MEMORYCHUNK_MAX_BLOCKOFFSET}"); ok = false; }
        if (chunkSize < SlabMinChunkSize) { v.Add($"SL2: chunkSize {chunkSize} of {c} is below {SlabMinChunkSize}"); ok = false; }
        if (full != expectFull) { v.Add($"SL2: fullChunkSize {full} of {c} should be {expectFull}"); ok = false; }
        if (ok && blockSize >= Slab_BLOCKHDRSZ && (ulong)(long)cpb != (blockSize - Slab_BLOCKHDRSZ) / full)
        {
            v.Add($"SL2: chunksPerBlock {cpb} of {c} should be {(blockSize - Slab_BLOCKHDRSZ) / full}");
            ok = false;
        }
        if (cpb <= 0) { v.Add($"SL2: chunksPerBlock {cpb} of {c} is not positive"); ok = false; }
        if (!ok) return false;

        int shift = 0;
        while ((cpb >> shift) >= SLAB_BLOCKLIST_COUNT - 1) shift++;
        if ((int)_mem.ReadU32(slab + OffShift) != shift)
        {
            v.Add($"SL2: blocklist_shift of {c} is {(int)_mem.ReadU32(slab + OffShift)}, should be {shift}");
            return false;
        }
        if (_checking && _mem.ReadU64(slab + OffIsChunkFreeChecking) != slab + SizeOfSlabContextChecking)
            v.Add($"SL2: isChunkFree of {c} does not point right after the header");
        return true;
    }

    /// <summary>Walks one circular list of block nodes, checking links; returns the blocks.</summary>
    private List<ulong> WalkList(ulong head, HashSet<ulong> seen, string what, List<string> v)
    {
        var blocks = new List<ulong>();
        ulong maxSteps = MaxListSteps();
        ulong prev = head;
        ulong node = _mem.ReadU64(head + 8);
        if (node == 0 && _mem.ReadU64(head) == 0) return blocks;   // a zeroed head is an empty list
        while (node != head)
        {
            ulong block = node - OffBlkNode;
            if ((ulong)blocks.Count >= maxSteps || !seen.Add(block))
            {
                v.Add($"SL1: {what} reaches block {Mcxt.Ptr(block)} twice (cycle or block on two lists)");
                return blocks;
            }
            if (!_mem.IsMapped(block, Slab_BLOCKHDRSZ))
            {
                v.Add($"SL1: {what} reaches unmapped block {Mcxt.Ptr(block)}");
                return blocks;
            }
            if (_mem.ReadU64(node) != prev)
                v.Add($"SL1: block {Mcxt.Ptr(block)} on {what} has prev link {Mcxt.Ptr(_mem.ReadU64(node))}, expected {Mcxt.Ptr(prev)}");
            blocks.Add(block);
            prev = node;
            node = _mem.ReadU64(node + 8);
        }
        if (_mem.ReadU64(head) != prev)
            v.Add($"SL1: head of {what} has prev link {Mcxt.Ptr(_mem.ReadU64(head))}, expected {Mcxt.Ptr(prev)}");
        return blocks;
    }

    // The per-block "slot is on the free list" marks, reused across walks and processes on this
    // thread (a fresh cpb-sized array per walk cost up to 44 MiB for a 1 GiB block of 24-byte
    // chunks, even for a slab without blocks, and dominated the fuzzer, which builds a new Mcxt per
    // execution). VerifyBlock clears [0, cpb) and never indexes past it; walks do not nest.
    [ThreadStatic] private static bool[]? t_freeScratch;

    private static bool[] FreeScratch(int cpb)
    {
        bool[]? s = t_freeScratch;
        if (s is null || s.Length < cpb) t_freeScratch = s = new bool[cpb];
        return s;
    }

    private void VerifyBlock(ulong slab, ulong block, int cpb, ulong full, ulong blockSize, uint chunkSize, bool[] free, List<string> v)
    {
        string b = Mcxt.Ptr(block);
        if (_mem.ReadU64(block + OffBlkSlab) != slab)
            v.Add($"SL1: block {b} links to context {Mcxt.Ptr(_mem.ReadU64(block + OffBlkSlab))}, not {Mcxt.Ptr(slab)}");
        if (_heap.RequestedSize(block) != blockSize || !_mem.IsMapped(block, blockSize))
        {
            v.Add($"SL4: block {b} is not a live malloc chunk of blockSize {blockSize}");
            return;
        }

        int nfree = NFree(block);
        int nunused = (int)_mem.ReadU32(block + OffBlkNUnused);
        if (nunused < 0 || nunused > cpb || nunused > nfree)
        {
            v.Add($"SL2: block {b} has nunused {nunused} (nfree {nfree}, chunksPerBlock {cpb})");
            return;
        }
        int used = cpb - nunused;   // slots below the high-water mark
        if (_mem.ReadU64(block + OffBlkUnused) != BlockGetChunk(slab, block, used))
            v.Add($"SL2: block {b} has unused {Mcxt.Ptr(_mem.ReadU64(block + OffBlkUnused))}, expected chunk {used}");

        Array.Clear(free, 0, cpb);
        ulong first = BlockGetChunk(slab, block, 0);
        int onList = 0;
        ulong cur = _mem.ReadU64(block + OffBlkFreeHead);
        while (cur != 0)
        {
            ulong off = cur - first;
            if (cur < first || off % full != 0 || off / full >= (ulong)used)
            {
                v.Add($"SL2: free list of block {b} links to {Mcxt.Ptr(cur)}, not a used slot");
                break;
            }
            int slot = (int)(off / full);
            if (free[slot])
            {
                v.Add($"SL2: free list of block {b} reaches chunk {Mcxt.Ptr(cur)} twice");
                break;
            }
            free[slot] = true;
            onList++;
            if (_checking && _mem.ReadU64(cur) != InvalidAllocSize)
                v.Add($"SL2: chunk {Mcxt.Ptr(cur)} on the free list of block {b} has requested size {_mem.ReadU64(cur)}");
            cur = _mem.ReadU64(cur + _hdr);
        }
        if (onList + nunused != nfree)
            v.Add($"SL2: block {b} has nfree {nfree} but {onList} listed + {nunused} unused chunks are free");

        ulong value = MAXALIGN(chunkSize);
        for (int j = 0; j < used; j++)
        {
            if (free[j]) continue;
            ulong chunk = BlockGetChunk(slab, block, j);
            ulong hdrmask = _mem.ReadU64(chunk + _hdr - 8);
            if ((MemoryContextMethodID)(hdrmask & MEMORY_CONTEXT_METHODID_MASK) != MemoryContextMethodID.MCTX_SLAB_ID
                || MemoryChunk.HasExternalFlag(hdrmask)
                || MemoryChunk.GetBlock(chunk, hdrmask) != block
                || MemoryChunk.GetValue(hdrmask) != value)
            {
                v.Add($"MC4: live chunk {Mcxt.Ptr(chunk)} in block {b} has header {MemoryChunk.FormatHeader(hdrmask)}, which does not decode to this Slab block");
                v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {b} does not decode to its own block");
            }
            if (_checking)
            {
                ulong requested = _mem.ReadU64(chunk);
                if (requested != chunkSize)
                    v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {b} has requested size {requested}, not {chunkSize}");
                else if (!Mcxt.SentinelOk(chunk + _hdr, chunkSize))
                    v.Add($"SL5: live chunk {Mcxt.Ptr(chunk)} in block {b} has a damaged sentinel at +{chunkSize}");
            }
        }
    }
}
