// FpmRunScratch: what FpmRunner's checks reuse from one run to the next, so that a fuzz target
// (a run per input, a check after every op) does not make its garbage per op: the simulated
// memory and the zeroed backing of the manager's region, the page sets and run lists of the
// comparison after every op (FpmRunner.Execution.After), and the walker's error list.
//
// Why: before it, the dsa fuzz target allocated about 6.9 MB per execution (a fresh 256 KiB
// SimMemory, the region's pages, and per op several page sets and run lists), which made about
// 2.4 gen0 collections per execution (docs/engine-throughput.md, 2026-12-03 evening).
//
// Invariants:
//   1. a run sees exactly what a fresh one would: the region is zeroed and mapped at the address a
//      new SimMemory gives its first region (SimMemory.RegionBase), and every collection is handed
//      out empty;
//   2. one run at a time: not thread-safe; a target owns one (its worker thread), and nothing of
//      it outlives the run that uses it (results hold no reference to it).
using Allocator.Sim;

namespace Harness.Systems.Dsa.Oracle;

public sealed class FpmRunScratch
{
    // The runner's memory holds nothing but the one region (the manager uses neither heap nor
    // static data), so reusing it is a matter of remapping a zeroed region.
    private readonly SimMemory _memory = new(heapMax: FpmRunner.HeapMax, initialHeapCapacity: FpmRunner.HeapInitial);
    private SimRegion? _region;
    // Backing arrays by length (the workloads use four page counts); cleared before each reuse.
    private readonly Dictionary<ulong, byte[]> _backing = new();
    private const int BackingKept = 8;

    /// <summary>The memory with a zeroed region of <paramref name="length"/> bytes mapped where a new
    /// SimMemory would map its first region.</summary>
    public (SimMemory Memory, SimRegion Region) MapZeroed(string name, ulong length)
    {
        if (_region is not null) _memory.UnmapRegion(_region);
        if (!_backing.TryGetValue(length, out byte[]? bytes))
        {
            if (_backing.Count >= BackingKept) _backing.Clear();
            bytes = new byte[length];
            _backing.Add(length, bytes);
        }
        else Array.Clear(bytes);
        _region = _memory.MapRegion(name, bytes, SimMemory.RegionBase);
        return (_memory, _region);
    }

    /// <summary>The walker's own collections (FpmCheckOptions.Scratch).</summary>
    public Allocator.Dsa.FpmCheckScratch Check { get; } = new();

    private readonly HashSet<ulong> _reserved = new(), _expectedFree = new();
    private readonly List<(ulong First, ulong Npages)> _runs = new(), _getRuns = new();
    private readonly List<ulong> _lost = new();
    private readonly List<string> _errors = new();
    private bool[] _held = [];

    /// <summary>The manager's own pages of a snapshot (FpmSnapshot.ReservedPages, into a reused set).</summary>
    public HashSet<ulong> Reserved(Allocator.Dsa.FpmSnapshot s)
    {
        _reserved.Clear();
        foreach (ulong p in s.BtreePages) _reserved.Add(p);
        foreach (ulong p in s.RecycledPages) _reserved.Add(p);
        return _reserved;
    }

    /// <summary>An emptied set for the model's free pages (FpmCheckOptions.ExpectedFreePages).</summary>
    public HashSet<ulong> ExpectedFree()
    {
        _expectedFree.Clear();
        return _expectedFree;
    }

    /// <summary>An emptied list for the model's runs after an op.</summary>
    public List<(ulong First, ulong Npages)> Runs()
    {
        _runs.Clear();
        return _runs;
    }

    /// <summary>An emptied list for the model's runs before a Get (alive beside Runs' list).</summary>
    public List<(ulong First, ulong Npages)> GetRuns()
    {
        _getRuns.Clear();
        return _getRuns;
    }

    /// <summary>An emptied list for lost pages.</summary>
    public List<ulong> Lost()
    {
        _lost.Clear();
        return _lost;
    }

    /// <summary>An emptied list for the walker's errors.</summary>
    public List<string> Errors()
    {
        _errors.Clear();
        return _errors;
    }

    /// <summary>A cleared page mark per page 0..pages-1.</summary>
    public bool[] Held(ulong pages)
    {
        if ((ulong)_held.Length < pages) _held = new bool[pages];
        else Array.Clear(_held, 0, (int)pages);
        return _held;
    }
}
