// AllocSet.Verify: the harness's invariant walker for AllocSet contexts, AS1-AS10 of
// pg-mmgr-dsa.md 2.12 (plus the AllocSet side of MC2, MC3 and MC4), and AS11 (ours, from
// aset.c: initBlockSize <= maxBlockSize and nextBlockSize on the doubling sequence from
// initBlockSize capped at maxBlockSize; BlockSizeBounds). Stronger than AllocSetCheck:
// it also validates the freelists, the recycled-context lists and the post-reset shape.
//
// Reads only, never throws for corruption (a read that faults is reported by the caller), and
// bounds every walk: blocks by the live heap block count, chunk tiling by the block's bounds,
// freelists by the number of tiled chunks. Allocation-free when nothing is wrong: collections come
// from the Mcxt's VerifyScratch, and names and texts are formatted only for a violation.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class AllocSet : IMemoryContextVerifier
{
    /// <summary>True if <paramref name="context"/> is parked on a recycled-context list.</summary>
    [ExcludeFromCodeCoverage]
    public bool IsRecycled(ulong context)
    {
        for (int i = 0; i < 2; i++)
        {
            int n = 0;
            for (ulong c = _firstFree[i]; c != 0 && n <= MAX_FREE_CONTEXTS; c = _mem.ReadU64(c + OffNextChild), n++)
                if (c == context) return true;
        }
        return false;
    }

    /// <summary>IMemoryContextVerifier.Verify: AS1-AS8 and AS10 (and MC2-MC4 for AllocSet) for one
    /// context; a read that faults (a wild block or chunk pointer) is reported as an AS1 violation.</summary>
    [ExcludeFromCodeCoverage]
    public void Verify(ulong context, List<string> problems)
    {
        try
        {
            VerifyInto(context, problems);
        }
        catch (SimFaultException e)
        {
            problems.Add($"AS1: AllocSet {Mcxt.Ptr(context)}: walking its blocks faulted: {e.Message}");
        }
    }

    /// <summary>Records one violation; the name and text are built only here, once one is found.</summary>
    [ExcludeFromCodeCoverage]
    private void Add(List<string> problems, ulong set, string id, string text) =>
        problems.Add($"{id}: AllocSet {Mcxt.Ptr(set)} ({Mcxt.GetName(set)}): {text}");

    [ExcludeFromCodeCoverage]
    private void VerifyInto(ulong set, List<string> problems)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        Mcxt.TouchName(set);   // read up front, as before: a bad name pointer faults here (AS1)
        ulong keeper = KeeperBlock(set);
        // Scratch collections reused across walks (handed out cleared; walks never nest).
        VerifyScratch scratch = Mcxt.VerifyScratch;
        Dictionary<ulong, int> tiled = scratch.AsetTiled();   // small chunk -> fidx (lookups)
        List<ulong> order = scratch.AsetOrder();              // small chunks in address-walk order (reports)
        List<ulong> blocks = scratch.AsetBlocks();
        HashSet<ulong> blockSet = scratch.AsetBlockSet();
        int maxFidx = -1;   // the largest fidx tiled, so AS6 scans the chunks only when one may exceed the limit
        ulong sum = 0;
        bool keeperSeen = false;

        // AS1 (list shape), AS2 (tiling), AS3 (dedicated blocks), AS7 (accounting).
        long blocksMax = _heap.OutstandingBlocks + 1;
        ulong prev = 0;
        for (ulong block = m.ReadU64(set + AsetOffBlocks); block != 0; prev = block, block = m.ReadU64(block + BlkOffNext))
        {
            if (blocks.Count > blocksMax || !blockSet.Add(block)) { Add(problems, set, "AS1", $"block list does not end (cycle at {Mcxt.Ptr(block)})"); break; }
            blocks.Add(block);
            ulong freeptr = m.ReadU64(block + BlkOffFreeptr), endptr = m.ReadU64(block + BlkOffEndptr);
            ulong data = block + ALLOC_BLOCKHDRSZ;
            bool isKeeper = block == keeper;
            keeperSeen |= isKeeper;
            ulong aset = m.ReadU64(block + BlkOffAset);
            if (aset != set) Add(problems, set, "AS1", $"block {Mcxt.Ptr(block)} has aset {Mcxt.Ptr(aset)}");
            ulong blockPrev = m.ReadU64(block + BlkOffPrev);
            if (blockPrev != prev) Add(problems, set, "AS1", $"block {Mcxt.Ptr(block)} has prev {Mcxt.Ptr(blockPrev)}, expected {Mcxt.Ptr(prev)}");
            if (!(data <= freeptr && freeptr <= endptr)) { Add(problems, set, "AS1", $"block {Mcxt.Ptr(block)} has freeptr {Mcxt.Ptr(freeptr)} outside [{Mcxt.Ptr(data)}, {Mcxt.Ptr(endptr)}]"); continue; }
            ulong mallocBase = isKeeper ? set : block;
            ulong? mallocSize = _heap.RequestedSize(mallocBase);
            if (mallocSize is null || endptr > mallocBase + mallocSize.Value) { Add(problems, set, "AS1", $"block {Mcxt.Ptr(block)} ends at {Mcxt.Ptr(endptr)}, outside its malloc'd memory"); continue; }
            sum += isKeeper ? endptr - set : endptr - block;

            if (freeptr - data >= hdr && MemoryChunk.HasExternalFlag(m.ReadU64(data + hdr - 8)))
            {
                VerifyDedicated(set, block, data, freeptr, endptr, isKeeper, problems);
                continue;
            }
            VerifyTiling(set, block, data, freeptr, tiled, order, ref maxFidx, problems);
        }
        if (!keeperSeen) Add(problems, set, "AS1", "the keeper block is not in the block list");
        if (m.ReadU64(set + AsetOffBlocks) == 0) Add(problems, set, "AS1", "blocks is NULL");
        ulong memAllocated = Mcxt.GetMemAllocated(set);
        if (sum != memAllocated) Add(problems, set, "AS7", $"mem_allocated is {memAllocated}, blocks add up to {sum}");

        VerifyFreelists(set, tiled, order, scratch, problems);
        VerifyParameters(set, tiled, order, maxFidx, problems);

        // MC2 / AS8: a context marked reset is in its post-reset shape.
        if (Mcxt.GetIsReset(set))
        {
            if (blocks.Count != 1 || blocks[0] != keeper) Add(problems, set, "AS8", $"marked reset but has {blocks.Count} blocks");
            if (m.ReadU64(keeper + BlkOffFreeptr) != keeper + ALLOC_BLOCKHDRSZ) Add(problems, set, "AS8", "marked reset but the keeper's freeptr is not at its data start");
            if (tiled.Count != 0) Add(problems, set, "AS8", $"marked reset but {tiled.Count} chunks are carved");
            if (m.ReadU32(set + AsetOffNextBlockSize) != m.ReadU32(set + AsetOffInitBlockSize)) Add(problems, set, "AS8", "marked reset but nextBlockSize != initBlockSize");
        }
    }

    /// <summary>AS3 (and AS10 for the dedicated chunk).</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyDedicated(ulong set, ulong block, ulong data, ulong freeptr, ulong endptr, bool isKeeper, List<string> problems)
    {
        ulong pointer = data + _hdr;
        if (isKeeper) Add(problems, set, "AS3", "the keeper block holds an external chunk");
        if (freeptr != endptr) Add(problems, set, "AS3", $"dedicated block {Mcxt.Ptr(block)} has freeptr != endptr");
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        if (hdrmask != MemoryChunk.EncodeExternal(MemoryContextMethodID.MCTX_ASET_ID))
            Add(problems, set, "AS3", $"dedicated chunk {Mcxt.Ptr(data)} has header 0x{hdrmask:x16}");
        if (_checking && endptr > pointer)
        {
            ulong requested = _mem.ReadU64(data);
            if (requested >= endptr - pointer) Add(problems, set, "AS4", $"dedicated chunk {Mcxt.Ptr(data)} has requested_size {requested} >= its size {endptr - pointer}");
            else if (_mem.ReadU8(pointer + requested) != SentinelByte) Add(problems, set, "AS10", $"sentinel of dedicated chunk {Mcxt.Ptr(data)} (requested {requested}) is damaged");
        }
    }

    /// <summary>AS2: chunks tile [data, freeptr) exactly and decode to this block; AS6's chunk-size
    /// bound; AS10 for live chunks (checking). Raises <paramref name="maxFidx"/> to the largest
    /// freelist index tiled.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyTiling(ulong set, ulong block, ulong data, ulong freeptr, Dictionary<ulong, int> tiled, List<ulong> order, ref int maxFidx, List<string> problems)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        bool checking = _checking;
        ulong pos = data;
        while (pos < freeptr)
        {
            if (freeptr - pos < hdr) { Add(problems, set, "AS2", $"block {Mcxt.Ptr(block)}: {freeptr - pos} bytes before freeptr are too few for a chunk header"); return; }
            ulong hdrmask = m.ReadU64(pos + hdr - 8);
            ulong fidx = MemoryChunk.GetValue(hdrmask);
            if ((hdrmask & MEMORY_CONTEXT_METHODID_MASK) != AsetId || MemoryChunk.HasExternalFlag(hdrmask) || !FreeListIdxIsValid(fidx))
            {
                Add(problems, set, "AS2", $"chunk {Mcxt.Ptr(pos)} in block {Mcxt.Ptr(block)} has header 0x{hdrmask:x16}");
                return;
            }
            ulong owner = MemoryChunk.GetBlock(pos, hdrmask);
            if (owner != block)
                Add(problems, set, "AS2", $"chunk {Mcxt.Ptr(pos)} decodes to block {Mcxt.Ptr(owner)}, lies in {Mcxt.Ptr(block)}");
            ulong chsize = GetChunkSizeFromFreeListIdx((int)fidx);
            if (chsize > freeptr - pos - hdr) { Add(problems, set, "AS2", $"chunk {Mcxt.Ptr(pos)} of size {chsize} runs past freeptr of block {Mcxt.Ptr(block)}"); return; }
            tiled[pos] = (int)fidx;
            order.Add(pos);
            if ((int)fidx > maxFidx) maxFidx = (int)fidx;
            if (checking)
            {
                ulong requested = m.ReadU64(pos);
                if (requested != InvalidAllocSize)
                {
                    if (requested > chsize) Add(problems, set, "AS4", $"live chunk {Mcxt.Ptr(pos)} has requested_size {requested} > chunk size {chsize}");
                    else if (requested < chsize && m.ReadU8(pos + hdr + requested) != SentinelByte)
                        Add(problems, set, "AS10", $"sentinel of chunk {Mcxt.Ptr(pos)} (requested {requested}, size {chsize}) is damaged");
                }
            }
            pos += hdr + chsize;
        }
    }

    /// <summary>AS4 and AS5: freelists hold only free, tiled chunks of their own class, each once.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyFreelists(ulong set, Dictionary<ulong, int> tiled, List<ulong> order, VerifyScratch scratch, List<string> problems)
    {
        SimMemory m = _mem;
        HashSet<ulong> onList = scratch.AsetOnList();
        for (int k = 0; k < ALLOCSET_NUM_FREELISTS; k++)
        {
            int steps = 0;
            for (ulong chunk = m.ReadU64(set + AsetOffFreelist + (ulong)k * 8); chunk != 0; chunk = m.ReadU64(chunk + _hdr))
            {
                if (++steps > tiled.Count + 1) { Add(problems, set, "AS4", $"freelist {k} does not end (cycle)"); break; }
                if (!tiled.TryGetValue(chunk, out int fidx)) { Add(problems, set, "AS4", $"freelist {k} holds {Mcxt.Ptr(chunk)}, which is not a chunk of this set"); break; }
                if (fidx != k) Add(problems, set, "AS4", $"freelist {k} holds chunk {Mcxt.Ptr(chunk)} with value {fidx}");
                if (!onList.Add(chunk)) { Add(problems, set, "AS4", $"chunk {Mcxt.Ptr(chunk)} is on the freelists twice (double free?)"); break; }
                if (_checking)
                {
                    ulong requested = m.ReadU64(chunk);
                    if (requested != InvalidAllocSize)
                        Add(problems, set, "AS4", $"freelist {k} holds chunk {Mcxt.Ptr(chunk)} whose requested_size {requested} marks it live");
                }
            }
        }
        if (!_checking) return;
        foreach (ulong chunk in order)
        {
            if (m.ReadU64(chunk) == InvalidAllocSize && !onList.Contains(chunk))
                Add(problems, set, "AS5", $"free chunk {Mcxt.Ptr(chunk)} (size {GetChunkSizeFromFreeListIdx(tiled[chunk])}) is on no freelist (leaked)");
        }
    }

    /// <summary>AS6: allocChunkLimit and nextBlockSize are in range; no small chunk exceeds the limit.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyParameters(ulong set, Dictionary<ulong, int> tiled, List<ulong> order, int maxFidx, List<string> problems)
    {
        ulong limit = _mem.ReadU32(set + AsetOffAllocChunkLimit);
        ulong init = _mem.ReadU32(set + AsetOffInitBlockSize), max = _mem.ReadU32(set + AsetOffMaxBlockSize), next = _mem.ReadU32(set + AsetOffNextBlockSize);
        if (limit == 0 || (limit & (limit - 1)) != 0 || limit > ALLOC_CHUNK_LIMIT) Add(problems, set, "AS6", $"allocChunkLimit {limit} is not a power of two <= {ALLOC_CHUNK_LIMIT}");
        if (next < init || next > max) Add(problems, set, "AS6", $"nextBlockSize {next} is outside [{init}, {max}]");
        BlockSizeBounds.CheckNextBlockSize("AS11", set, init, max, next, problems);
        // Chunk size grows with fidx: if the largest fidx tiled fits, no chunk exceeds the limit.
        if (maxFidx < 0 || GetChunkSizeFromFreeListIdx(maxFidx) <= limit) return;
        foreach (ulong chunk in order)
        {
            if (GetChunkSizeFromFreeListIdx(tiled[chunk]) > limit)
            {
                Add(problems, set, "AS6", $"chunk {Mcxt.Ptr(chunk)} has size {GetChunkSizeFromFreeListIdx(tiled[chunk])} > allocChunkLimit {limit}");
                break;
            }
        }
    }

    /// <summary>AS9: the recycled-context lists are short, counted right, and hold reset, unlinked AllocSets.</summary>
    [ExcludeFromCodeCoverage]
    internal void VerifyRecycledLists(List<string> problems)
    {
        for (int i = 0; i < 2; i++)
        {
            int n = 0;
            try
            {
                for (ulong c = _firstFree[i]; c != 0; c = _mem.ReadU64(c + OffNextChild))
                {
                    if (++n > MAX_FREE_CONTEXTS) { problems.Add($"AS9: recycled-context list {i} holds more than {MAX_FREE_CONTEXTS} contexts (or is cyclic)"); break; }
                    if (!AllocSetIsValid(c)) { problems.Add($"AS9: recycled-context list {i} holds {Mcxt.Ptr(c)}, which is not an AllocSet"); break; }
                    ulong keeper = KeeperBlock(c);
                    if (!Mcxt.GetIsReset(c) || _mem.ReadU64(c + AsetOffBlocks) != keeper || _mem.ReadU64(keeper + BlkOffNext) != 0
                        || _mem.ReadU64(keeper + BlkOffFreeptr) != keeper + ALLOC_BLOCKHDRSZ)
                        problems.Add($"AS9: recycled context {Mcxt.Ptr(c)} on list {i} is not in its reset shape");
                    if (Mcxt.GetParent(c) != 0 || Mcxt.GetPrevChild(c) != 0 || Mcxt.GetFirstChild(c) != 0)
                        problems.Add($"AS9: recycled context {Mcxt.Ptr(c)} on list {i} is still linked into a context tree");
                    if (unchecked((int)_mem.ReadU32(c + AsetOffFreeListIndex)) != i)
                        problems.Add($"AS9: recycled context {Mcxt.Ptr(c)} on list {i} has freeListIndex {unchecked((int)_mem.ReadU32(c + AsetOffFreeListIndex))}");
                }
            }
            catch (SimFaultException e)
            {
                problems.Add($"AS9: recycled-context list {i} leads to unmapped memory: {e.Message}");
            }
            if (n <= MAX_FREE_CONTEXTS && n != _numFree[i])
                problems.Add($"AS9: recycled-context list {i} holds {n} contexts but num_free is {_numFree[i]}");
        }
    }
}
