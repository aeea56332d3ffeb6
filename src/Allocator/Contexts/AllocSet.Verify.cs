// AllocSet.Verify: the harness's invariant walker for AllocSet contexts, AS1-AS10 of
// pg-mmgr-dsa.md 2.12 (plus the AllocSet side of MC2, MC3 and MC4). Stronger than AllocSetCheck:
// it also validates the freelists, the recycled-context lists and the post-reset shape.
//
// Reads only, never throws for corruption (a read that faults is reported by the caller), and
// bounds every walk: blocks by the live heap block count, chunk tiling by the block's bounds,
// freelists by the number of tiled chunks.
using Allocator.Errors;
using Allocator.Sim;
using static Allocator.Contexts.AllocSetConstants;
using static Allocator.Contexts.McxtConstants;

namespace Allocator.Contexts;

public sealed partial class AllocSet : IMemoryContextVerifier
{
    /// <summary>True if <paramref name="context"/> is parked on a recycled-context list.</summary>
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

    private Dictionary<ulong, int>? _verifyTiled;
    private List<ulong>? _verifyOrder, _verifyBlocks;
    private HashSet<ulong>? _verifyBlockSet, _verifyOnList;

    /// <summary>The scratch collection in <paramref name="field"/>, emptied; replaced by a new one
    /// when an earlier walk grew it large, so clearing never costs more than a big walk did.</summary>
    private static T Scratch<T>(ref T? field) where T : class, ICollection<ulong>, new()
    {
        if (field is null || field.Count > ScratchKeep) field = new T();
        else field.Clear();
        return field;
    }

    private static Dictionary<ulong, int> Scratch(ref Dictionary<ulong, int>? field)
    {
        if (field is null || field.Count > ScratchKeep) field = new Dictionary<ulong, int>();
        else field.Clear();
        return field;
    }

    private const int ScratchKeep = 4096;

    private void VerifyInto(ulong set, List<string> problems)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        string name = Mcxt.GetName(set);   // read up front, as before: a bad name pointer faults here
        void Add(string id, string text) => problems.Add($"{id}: AllocSet {Mcxt.Ptr(set)} ({name}): {text}");
        ulong keeper = KeeperBlock(set);
        // Scratch collections reused across calls (cleared here; the walker is never re-entered), so
        // a walk after every fuzz operation does not allocate and grow them afresh.
        Dictionary<ulong, int> tiled = Scratch(ref _verifyTiled);   // small chunk -> fidx (lookups)
        List<ulong> order = Scratch(ref _verifyOrder);              // small chunks in address-walk order (reports)
        List<ulong> blocks = Scratch(ref _verifyBlocks);
        HashSet<ulong> blockSet = Scratch(ref _verifyBlockSet);
        ulong sum = 0;
        bool keeperSeen = false;

        // AS1 (list shape), AS2 (tiling), AS3 (dedicated blocks), AS7 (accounting).
        long blocksMax = _heap.OutstandingBlocks + 1;
        ulong prev = 0;
        for (ulong block = m.ReadU64(set + AsetOffBlocks); block != 0; prev = block, block = m.ReadU64(block + BlkOffNext))
        {
            if (blocks.Count > blocksMax || !blockSet.Add(block)) { Add("AS1", $"block list does not end (cycle at {Mcxt.Ptr(block)})"); break; }
            blocks.Add(block);
            ulong freeptr = m.ReadU64(block + BlkOffFreeptr), endptr = m.ReadU64(block + BlkOffEndptr);
            ulong data = block + ALLOC_BLOCKHDRSZ;
            bool isKeeper = block == keeper;
            keeperSeen |= isKeeper;
            if (m.ReadU64(block + BlkOffAset) != set) Add("AS1", $"block {Mcxt.Ptr(block)} has aset {Mcxt.Ptr(m.ReadU64(block + BlkOffAset))}");
            if (m.ReadU64(block + BlkOffPrev) != prev) Add("AS1", $"block {Mcxt.Ptr(block)} has prev {Mcxt.Ptr(m.ReadU64(block + BlkOffPrev))}, expected {Mcxt.Ptr(prev)}");
            if (!(data <= freeptr && freeptr <= endptr)) { Add("AS1", $"block {Mcxt.Ptr(block)} has freeptr {Mcxt.Ptr(freeptr)} outside [{Mcxt.Ptr(data)}, {Mcxt.Ptr(endptr)}]"); continue; }
            ulong mallocBase = isKeeper ? set : block;
            ulong? mallocSize = _heap.RequestedSize(mallocBase);
            if (mallocSize is null || endptr > mallocBase + mallocSize.Value) { Add("AS1", $"block {Mcxt.Ptr(block)} ends at {Mcxt.Ptr(endptr)}, outside its malloc'd memory"); continue; }
            sum += isKeeper ? endptr - set : endptr - block;

            if (freeptr - data >= hdr && MemoryChunk.HasExternalFlag(m.ReadU64(data + hdr - 8)))
            {
                VerifyDedicated(block, data, freeptr, endptr, isKeeper, Add);
                continue;
            }
            VerifyTiling(block, data, freeptr, tiled, order, Add);
        }
        if (!keeperSeen) Add("AS1", "the keeper block is not in the block list");
        if (m.ReadU64(set + AsetOffBlocks) == 0) Add("AS1", "blocks is NULL");
        ulong memAllocated = Mcxt.GetMemAllocated(set);
        if (sum != memAllocated) Add("AS7", $"mem_allocated is {memAllocated}, blocks add up to {sum}");

        VerifyFreelists(set, tiled, order, Add);
        VerifyParameters(set, tiled, order, Add);

        // MC2 / AS8: a context marked reset is in its post-reset shape.
        if (Mcxt.GetIsReset(set))
        {
            if (blocks.Count != 1 || blocks[0] != keeper) Add("AS8", $"marked reset but has {blocks.Count} blocks");
            if (m.ReadU64(keeper + BlkOffFreeptr) != keeper + ALLOC_BLOCKHDRSZ) Add("AS8", "marked reset but the keeper's freeptr is not at its data start");
            if (tiled.Count != 0) Add("AS8", $"marked reset but {tiled.Count} chunks are carved");
            if (m.ReadU32(set + AsetOffNextBlockSize) != m.ReadU32(set + AsetOffInitBlockSize)) Add("AS8", "marked reset but nextBlockSize != initBlockSize");
        }
    }

    /// <summary>AS3 (and AS10 for the dedicated chunk).</summary>
    private void VerifyDedicated(ulong block, ulong data, ulong freeptr, ulong endptr, bool isKeeper, Action<string, string> add)
    {
        ulong pointer = data + _hdr;
        if (isKeeper) add("AS3", "the keeper block holds an external chunk");
        if (freeptr != endptr) add("AS3", $"dedicated block {Mcxt.Ptr(block)} has freeptr != endptr");
        ulong hdrmask = _mem.ReadU64(pointer - 8);
        if (hdrmask != MemoryChunk.EncodeExternal(MemoryContextMethodID.MCTX_ASET_ID))
            add("AS3", $"dedicated chunk {Mcxt.Ptr(data)} has header 0x{hdrmask:x16}");
        if (_checking && endptr > pointer)
        {
            ulong requested = _mem.ReadU64(data);
            if (requested >= endptr - pointer) add("AS4", $"dedicated chunk {Mcxt.Ptr(data)} has requested_size {requested} >= its size {endptr - pointer}");
            else if (_mem.ReadU8(pointer + requested) != SentinelByte) add("AS10", $"sentinel of dedicated chunk {Mcxt.Ptr(data)} (requested {requested}) is damaged");
        }
    }

    /// <summary>AS2: chunks tile [data, freeptr) exactly and decode to this block; AS6's chunk-size
    /// bound; AS10 for live chunks (checking).</summary>
    private void VerifyTiling(ulong block, ulong data, ulong freeptr, Dictionary<ulong, int> tiled, List<ulong> order, Action<string, string> add)
    {
        ulong hdr = _hdr;
        ulong pos = data;
        while (pos < freeptr)
        {
            if (freeptr - pos < hdr) { add("AS2", $"block {Mcxt.Ptr(block)}: {freeptr - pos} bytes before freeptr are too few for a chunk header"); return; }
            ulong hdrmask = _mem.ReadU64(pos + hdr - 8);
            ulong fidx = MemoryChunk.GetValue(hdrmask);
            if ((hdrmask & MEMORY_CONTEXT_METHODID_MASK) != AsetId || MemoryChunk.HasExternalFlag(hdrmask) || !FreeListIdxIsValid(fidx))
            {
                add("AS2", $"chunk {Mcxt.Ptr(pos)} in block {Mcxt.Ptr(block)} has header 0x{hdrmask:x16}");
                return;
            }
            if (MemoryChunk.GetBlock(pos, hdrmask) != block)
                add("AS2", $"chunk {Mcxt.Ptr(pos)} decodes to block {Mcxt.Ptr(MemoryChunk.GetBlock(pos, hdrmask))}, lies in {Mcxt.Ptr(block)}");
            ulong chsize = GetChunkSizeFromFreeListIdx((int)fidx);
            if (chsize > freeptr - pos - hdr) { add("AS2", $"chunk {Mcxt.Ptr(pos)} of size {chsize} runs past freeptr of block {Mcxt.Ptr(block)}"); return; }
            tiled[pos] = (int)fidx;
            order.Add(pos);
            if (_checking)
            {
                ulong requested = _mem.ReadU64(pos);
                if (requested != InvalidAllocSize)
                {
                    if (requested > chsize) add("AS4", $"live chunk {Mcxt.Ptr(pos)} has requested_size {requested} > chunk size {chsize}");
                    else if (requested < chsize && _mem.ReadU8(pos + hdr + requested) != SentinelByte)
                        add("AS10", $"sentinel of chunk {Mcxt.Ptr(pos)} (requested {requested}, size {chsize}) is damaged");
                }
            }
            pos += hdr + chsize;
        }
    }

    /// <summary>AS4 and AS5: freelists hold only free, tiled chunks of their own class, each once.</summary>
    private void VerifyFreelists(ulong set, Dictionary<ulong, int> tiled, List<ulong> order, Action<string, string> add)
    {
        HashSet<ulong> onList = Scratch(ref _verifyOnList);
        for (int k = 0; k < ALLOCSET_NUM_FREELISTS; k++)
        {
            int steps = 0;
            for (ulong chunk = _mem.ReadU64(set + AsetOffFreelist + (ulong)k * 8); chunk != 0; chunk = _mem.ReadU64(chunk + _hdr))
            {
                if (++steps > tiled.Count + 1) { add("AS4", $"freelist {k} does not end (cycle)"); break; }
                if (!tiled.TryGetValue(chunk, out int fidx)) { add("AS4", $"freelist {k} holds {Mcxt.Ptr(chunk)}, which is not a chunk of this set"); break; }
                if (fidx != k) add("AS4", $"freelist {k} holds chunk {Mcxt.Ptr(chunk)} with value {fidx}");
                if (!onList.Add(chunk)) { add("AS4", $"chunk {Mcxt.Ptr(chunk)} is on the freelists twice (double free?)"); break; }
                if (_checking && _mem.ReadU64(chunk) != InvalidAllocSize)
                    add("AS4", $"freelist {k} holds chunk {Mcxt.Ptr(chunk)} whose requested_size {_mem.ReadU64(chunk)} marks it live");
            }
        }
        if (!_checking) return;
        foreach (ulong chunk in order)
        {
            if (_mem.ReadU64(chunk) == InvalidAllocSize && !onList.Contains(chunk))
                add("AS5", $"free chunk {Mcxt.Ptr(chunk)} (size {GetChunkSizeFromFreeListIdx(tiled[chunk])}) is on no freelist (leaked)");
        }
    }

    /// <summary>AS6: allocChunkLimit and nextBlockSize are in range; no small chunk exceeds the limit.</summary>
    private void VerifyParameters(ulong set, Dictionary<ulong, int> tiled, List<ulong> order, Action<string, string> add)
    {
        ulong limit = _mem.ReadU32(set + AsetOffAllocChunkLimit);
        ulong init = _mem.ReadU32(set + AsetOffInitBlockSize), max = _mem.ReadU32(set + AsetOffMaxBlockSize), next = _mem.ReadU32(set + AsetOffNextBlockSize);
        if (limit == 0 || (limit & (limit - 1)) != 0 || limit > ALLOC_CHUNK_LIMIT) add("AS6", $"allocChunkLimit {limit} is not a power of two <= {ALLOC_CHUNK_LIMIT}");
        if (next < init || next > max) add("AS6", $"nextBlockSize {next} is outside [{init}, {max}]");
        foreach (ulong chunk in order)
        {
            if (GetChunkSizeFromFreeListIdx(tiled[chunk]) > limit)
            {
                add("AS6", $"chunk {Mcxt.Ptr(chunk)} has size {GetChunkSizeFromFreeListIdx(tiled[chunk])} > allocChunkLimit {limit}");
                break;
            }
        }
    }

    /// <summary>AS9: the recycled-context lists are short, counted right, and hold reset, unlinked AllocSets.</summary>
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
