// SimHeap: the simulated malloc/free/realloc that the memory-context allocators sit on
// (PostgreSQL calls the C library's; spec pg-mmgr-dsa.md section 0.4).
//
// Deterministic: the same sequence of calls gives the same addresses. Blocks are 16-byte aligned
// and carry a glibc-shaped 16-byte header: [prev_size (0)][size | flags], so the word just before a
// user pointer has its low bits 0b001 (an in-use chunk, PREV_INUSE) or 0b010 (a block of 128 KiB
// or more, IS_MMAPPED). That is what makes pfree() of a malloc'd pointer hit PostgreSQL's reserved
// method IDs 1 and 2, as it does in a real backend.
//
// Placement: a freed block goes to a bin of blocks of exactly its size and is reused LIFO by the
// next request of that size; otherwise the heap grows at the top. Freeing the top block trims the
// heap, and realloc of the top block grows in place (as glibc does for the block at the heap top).
// There is no splitting or coalescing: simpler, still deterministic, and the allocators above only
// malloc whole blocks, whose sizes repeat.
//
// Failure: a call fails either because it was scripted to (SimHeapOptions; counted in FailedCalls)
// or for capacity, when the request cannot be placed below the heap's maximum (counted in
// CapacityFailedCalls; LastFailureWasCapacity tells the two apart for the latest failure). Reset()
// turns a used heap back into a fresh one without reallocating its tables.
//
// The authoritative record of live blocks is kept outside simulated memory, so a corrupted header
// cannot make free() misbehave silently: free() or realloc() of anything but a live block raises
// SimFaultException (glibc would abort with "free(): invalid pointer").
using Allocator.Common;

namespace Allocator.Sim;

public sealed class SimHeap
{
    /// <summary>Header bytes before each user pointer.</summary>
    public const ulong HeaderSize = 16;
    /// <summary>Alignment of every returned pointer (glibc's MALLOC_ALIGNMENT on x86-64).</summary>
    public const ulong Alignment = 16;
    /// <summary>glibc's default M_MMAP_THRESHOLD: blocks this large are flagged IS_MMAPPED.</summary>
    public const ulong MmapThreshold = 128 * 1024;
    /// <summary>glibc's PREV_INUSE flag in the size word.</summary>
    public const ulong PREV_INUSE = 0x1;
    /// <summary>glibc's IS_MMAPPED flag in the size word.</summary>
    public const ulong IS_MMAPPED = 0x2;
    /// <summary>Written over freed blocks when PoisonOnFree is set.</summary>
    public const byte PoisonByte = 0xDD;

    /// <summary>Footprints up to this size have their bin in an array (no hashing on the hot path).</summary>
    private const ulong SmallBinLimit = 1 << 20;

    private readonly SimMemory _memory;
    // The authoritative record of live blocks, outside simulated memory so user corruption cannot
    // touch it: one entry per 16-byte granule of the heap, nonzero at the user pointer of a live
    // block, holding (requested size << 32) | (footprint >> 4). The heap is at most 2 GiB, so both
    // fit, and footprint >> 4 is at least 2, so a live entry is never 0. A table instead of a
    // dictionary because malloc/free sit on the W3/W4 hot paths.
    private ulong[] _meta;
    private ulong _metaUsed;         // granules [0, _metaUsed) may hold entries
    // Granules that became live since Reset, so Reset clears just those (a few hundred per fuzz
    // run) instead of the whole used table; past the cap it clears [0, _metaUsed) instead.
    private const int SetGranulesCap = 4096;
    private readonly List<ulong> _setGranules = new();
    private bool _setGranulesOverflow;
    private long _liveCount;
    private readonly Stack<ulong>?[] _smallBins = new Stack<ulong>?[SmallBinLimit >> 4];   // footprint >> 4 -> freed user pointers
    private readonly List<int> _filledSmallBins = new();   // small bins pushed to since Reset (what Reset empties)
    private readonly Dictionary<ulong, Stack<ulong>> _largeBins = new();

    private readonly record struct Block(ulong Requested, ulong Footprint);

    private bool TryGetLive(ulong user, out Block block)
    {
        ulong off = user - SimMemory.HeapBase;
        ulong g = off >> 4;
        if ((off & 15) != 0 || off >= _memory.HeapSize || g >= (ulong)_meta.LongLength || _meta[g] == 0)
        {
            block = default;
            return false;
        }
        ulong m = _meta[g];
        block = new Block(m >> 32, (m & 0xFFFF_FFFF) << 4);
        return true;
    }

    private void SetLive(ulong user, ulong requested, ulong footprint)
    {
        ulong g = (user - SimMemory.HeapBase) >> 4;
        if (g >= (ulong)_meta.LongLength)
        {
            // Grow with the heap's backing array, so a heap that fits its array never resizes this.
            ulong len = Math.Max((ulong)_meta.LongLength, _memory.HeapCapacity >> 4);
            while (len <= g) len *= 2;
            Array.Resize(ref _meta, (int)len);
        }
        if (_meta[g] == 0 && !_setGranulesOverflow)
        {
            if (_setGranules.Count < SetGranulesCap) _setGranules.Add(g);
            else _setGranulesOverflow = true;
        }
        _meta[g] = (requested << 32) | (footprint >> 4);
        if (g >= _metaUsed) _metaUsed = g + 1;
    }

    private void ClearLive(ulong user) => _meta[(user - SimMemory.HeapBase) >> 4] = 0;

    private Stack<ulong>? Bin(ulong footprint, bool create)
    {
        if (footprint < SmallBinLimit)
        {
            ref Stack<ulong>? slot = ref _smallBins[footprint >> 4];
            if (slot is null && create) slot = new Stack<ulong>();
            return slot;
        }
        if (!_largeBins.TryGetValue(footprint, out Stack<ulong>? bin) && create)
        {
            bin = new Stack<ulong>();
            _largeBins.Add(footprint, bin);
        }
        return bin;
    }

    public SimHeapOptions Options { get; private set; }

    public SimHeap(SimMemory memory, SimHeapOptions? options = null)
    {
        _memory = memory;
        Options = options ?? new SimHeapOptions();
        _meta = new ulong[Math.Max(memory.HeapCapacity >> 4, 64)];
    }

    /// <summary>Makes this a fresh heap again, cheaply: drops the whole simulated heap
    /// (SimMemory.ResetHeap), forgets every block, empties the bins and zeroes every counter, so
    /// the next calls give exactly the addresses a newly constructed SimHeap would. Only the used
    /// part of the live-block table and the bins used since the last reset are cleared, which is
    /// what lets a fuzz target reuse one heap per execution instead of allocating a table sized
    /// for the largest heap it ever saw. <paramref name="options"/> replaces the options (null:
    /// fresh defaults).</summary>
    public void Reset(SimHeapOptions? options = null)
    {
        _memory.ResetHeap();
        if (_setGranulesOverflow) Array.Clear(_meta, 0, (int)_metaUsed);
        else foreach (ulong g in _setGranules) _meta[g] = 0;
        _setGranules.Clear();
        _setGranulesOverflow = false;
        _metaUsed = 0;
        foreach (int i in _filledSmallBins) _smallBins[i]!.Clear();
        _filledSmallBins.Clear();
        foreach (Stack<ulong> bin in _largeBins.Values) bin.Clear();
        _liveCount = 0;
        OutstandingBytes = 0;
        OutstandingFootprint = 0;
        PeakBytes = 0;
        Calls = 0;
        FailedCalls = 0;
        CapacityFailedCalls = 0;
        LastFailureWasCapacity = false;
        LastFailedSize = 0;
        Options = options ?? new SimHeapOptions();
    }

    public SimMemory Memory => _memory;

    /// <summary>malloc/realloc calls made (successful or not) since creation or ResetCounters.</summary>
    public long Calls { get; private set; }

    /// <summary>Calls that were made to fail (scripted: FailOnCall, FailFromCall, ByteBudget, FailWhen).</summary>
    public long FailedCalls { get; private set; }

    /// <summary>Calls that failed for capacity: the request could not be placed below the heap's
    /// maximum (SimMemory.HeapMax), as a real malloc fails when the address space runs out.
    /// Not counted in FailedCalls.</summary>
    public long CapacityFailedCalls { get; private set; }

    /// <summary>True if the most recent failed malloc/realloc failed for capacity (not because it
    /// was scripted to fail). Lets an oracle accept "out of memory" exactly when the simulated heap
    /// really could not satisfy the request.</summary>
    public bool LastFailureWasCapacity { get; private set; }

    /// <summary>The size requested by the most recent failed malloc/realloc (scripted or capacity).</summary>
    public ulong LastFailedSize { get; private set; }

    /// <summary>Live blocks.</summary>
    public long OutstandingBlocks => _liveCount;

    /// <summary>Sum of the requested sizes of live blocks.</summary>
    public ulong OutstandingBytes { get; private set; }

    /// <summary>Sum of the footprints (header plus rounded size) of live blocks.</summary>
    public ulong OutstandingFootprint { get; private set; }

    /// <summary>The largest OutstandingBytes seen.</summary>
    public ulong PeakBytes { get; private set; }

    public void ResetCounters()
    {
        Calls = 0;
        FailedCalls = 0;
        CapacityFailedCalls = 0;
        LastFailureWasCapacity = false;
        LastFailedSize = 0;
    }

    /// <summary>A point-in-time count for leak checks.</summary>
    public HeapSnapshot Snapshot() => new(OutstandingBlocks, OutstandingBytes);

    public bool IsLive(ulong pointer) => TryGetLive(pointer, out _);

    /// <summary>Requested size of a live block, or null.</summary>
    public ulong? RequestedSize(ulong pointer) => TryGetLive(pointer, out Block b) ? b.Requested : null;

    /// <summary>Live blocks in address order (for leak reports).</summary>
    public IReadOnlyList<(ulong Pointer, ulong Size)> LiveBlocks()
    {
        var list = new List<(ulong, ulong)>((int)_liveCount);
        ulong granules = Math.Min((ulong)_meta.LongLength, _memory.HeapSize >> 4);
        for (ulong g = 0; g < granules; g++)
            if (_meta[g] != 0) list.Add((SimMemory.HeapBase + (g << 4), _meta[g] >> 32));
        return list;
    }

    private static ulong FootprintFor(ulong size)
    {
        if (size > ulong.MaxValue - 64) return ulong.MaxValue;
        ulong f = ((size + Alignment - 1) & ~(Alignment - 1)) + HeaderSize;
        return f < 32 ? 32 : f;
    }

    private bool ShouldFail(ulong size, ulong releasing)
    {
        long call = ++Calls;
        SimHeapOptions o = Options;
        bool fail = (o.FailOnCall != 0 && call == o.FailOnCall)
                    || (o.FailFromCall != 0 && call >= o.FailFromCall)
                    || (o.ByteBudget != 0 && OutstandingBytes - releasing + size > o.ByteBudget)
                    || (o.FailWhen != null && o.FailWhen(call, size));
        if (fail)
        {
            FailedCalls++;
            LastFailureWasCapacity = false;
            LastFailedSize = size;
        }
        return fail;
    }

    /// <summary>Records a failure for capacity and returns the NULL the caller hands back.</summary>
    private ulong CapacityFailure(ulong size)
    {
        CapacityFailedCalls++;
        LastFailureWasCapacity = true;
        LastFailedSize = size;
        return 0;
    }

    /// <summary>malloc(size): a 16-aligned pointer, or 0 when scripted to fail or out of space.</summary>
    public ulong Malloc(ulong size)
    {
        if (ShouldFail(size, 0)) return 0;
        return Place(size);
    }

    private ulong Place(ulong size)
    {
        ulong footprint = FootprintFor(size);
        if (footprint == ulong.MaxValue || footprint > _memory.HeapMax) return CapacityFailure(size);
        ulong user;
        Stack<ulong>? bin = Options.NeverReuse ? null : Bin(footprint, create: false);
        if (bin is { Count: > 0 })
        {
            user = bin.Pop();
        }
        else
        {
            ulong start = _memory.HeapEnd;
            ulong top = _memory.HeapSize;
            if (footprint > _memory.HeapMax - top || !_memory.SetHeapTop(top + footprint)) return CapacityFailure(size);
            user = start + HeaderSize;
        }
        WriteHeader(user, footprint);
        SetLive(user, size, footprint);
        _liveCount++;
        OutstandingBytes += size;
        OutstandingFootprint += footprint;
        if (OutstandingBytes > PeakBytes) PeakBytes = OutstandingBytes;
        return user;
    }

    private void WriteHeader(ulong user, ulong footprint)
    {
        _memory.WriteU64(user - 16, 0);
        _memory.WriteU64(user - 8, footprint | (footprint >= MmapThreshold ? IS_MMAPPED : PREV_INUSE));
    }

    /// <summary>free(ptr). free(0) does nothing, as in C.</summary>
    public void Free(ulong pointer)
    {
        if (pointer == 0) return;
        if (!TryGetLive(pointer, out Block b))
            throw new SimFaultException(pointer, 0, SimAccess.HeapMisuse, $"free(): invalid pointer 0x{pointer:x}");
        ClearLive(pointer);
        _liveCount--;
        OutstandingBytes -= b.Requested;
        OutstandingFootprint -= b.Footprint;
        Release(pointer, b.Footprint);
    }

    private void Release(ulong user, ulong footprint)
    {
        if (Options.PoisonOnFree) _memory.Fill(user, footprint - HeaderSize, PoisonByte);
        if (Options.NeverReuse) return;
        ulong start = user - HeaderSize;
        if (start + footprint == _memory.HeapEnd)
        {
            _memory.SetHeapTop(start - SimMemory.HeapBase);
            return;
        }
        Stack<ulong> bin = Bin(footprint, create: true)!;
        if (bin.Count == 0 && footprint < SmallBinLimit) _filledSmallBins.Add((int)(footprint >> 4));
        bin.Push(user);
    }

    /// <summary>realloc(ptr, size): the (possibly moved) block, or 0 with the old block intact.
    /// realloc(0, n) is malloc(n). A shrink, or a growth of the top block, stays in place.</summary>
    public ulong Realloc(ulong pointer, ulong size)
    {
        if (pointer == 0) return Malloc(size);
        if (!TryGetLive(pointer, out Block b))
            throw new SimFaultException(pointer, 0, SimAccess.HeapMisuse, $"realloc(): invalid pointer 0x{pointer:x}");
        if (ShouldFail(size, b.Requested)) return 0;
        ulong footprint = FootprintFor(size);
        if (footprint == ulong.MaxValue || footprint > _memory.HeapMax) return CapacityFailure(size);
        bool grows = footprint > b.Footprint;
        if (!grows || (!Options.ForceReallocMove && !Options.NeverReuse && pointer - HeaderSize + b.Footprint == _memory.HeapEnd))
        {
            ulong newFootprint = b.Footprint;
            if (grows)
            {
                ulong top = _memory.HeapSize + (footprint - b.Footprint);
                if (top > _memory.HeapMax || !_memory.SetHeapTop(top)) return CapacityFailure(size);
                newFootprint = footprint;
                WriteHeader(pointer, newFootprint);
            }
            SetLive(pointer, size, newFootprint);
            OutstandingBytes = OutstandingBytes - b.Requested + size;
            OutstandingFootprint = OutstandingFootprint - b.Footprint + newFootprint;
            if (OutstandingBytes > PeakBytes) PeakBytes = OutstandingBytes;
            return pointer;
        }
        ulong moved = Place(size);
        if (moved == 0) return 0;
        _memory.Copy(moved, pointer, Math.Min(b.Requested, size));
        ClearLive(pointer);
        _liveCount--;
        OutstandingBytes -= b.Requested;
        OutstandingFootprint -= b.Footprint;
        Release(pointer, b.Footprint);
        return moved;
    }
}

/// <summary>Outstanding heap blocks and bytes at one moment.</summary>
public readonly record struct HeapSnapshot(long Blocks, ulong Bytes);
