// FpmCheckScratch: the reusable collections of FreePageManagerCheck's walk, so that a caller that
// walks after every operation (the dsa fuzz target's runner: FpmRunner, through
// FpmCheckOptions.Scratch) does not build a dozen sets, a dictionary and a page set per walk. The
// same idea as Mmgr/VerifyScratch, for the same reason: the walk is the oracle's, and its garbage
// was almost all of what the dsa fuzz target allocated (docs/engine-throughput.md, 2026-12-03
// evening).
//
// Invariants:
//   1. it holds no state between walks: every accessor hands its collection out emptied; what a
//      walk returns (FpmSnapshot's lists) is never taken from here, since a snapshot outlives the walk;
//   2. the walk only ever reads these collections in sorted or membership order, never in a
//      container's own enumeration order, so a reused one (whose order may differ from a new one's)
//      gives the same findings;
//   3. one walk at a time (not thread-safe); a collection grown past KeepCapacity is replaced by a
//      new one instead of kept, so one freak walk does not pin its memory.
// Oracle code, not the system under test: [ExcludeFromCodeCoverage] (probestrip keeps SharpFuzz's
// probes out of it).
using System.Diagnostics.CodeAnalysis;

namespace Allocator.Dsa;

[ExcludeFromCodeCoverage]
public sealed class FpmCheckScratch
{
    /// <summary>Largest capacity a collection may have and still be reused.</summary>
    public const int KeepCapacity = 1 << 16;

    private HashSet<ulong>? _visited, _seen, _inList, _keyed, _held;
    private Dictionary<ulong, ulong>? _leaders;
    private List<(ulong First, ulong Npages)>? _keys;
    private List<FpmInterval>? _intervals;

    /// <summary>Btree pages visited (cycle detection).</summary>
    public HashSet<ulong> Visited() => Take(ref _visited);

    /// <summary>Recycle-list pages seen (cycle detection).</summary>
    public HashSet<ulong> Seen() => Take(ref _seen);

    /// <summary>Pages of one freelist (cycle detection; taken again for each list).</summary>
    public HashSet<ulong> InList() => Take(ref _inList);

    /// <summary>Run starts that have a key.</summary>
    public HashSet<ulong> Keyed() => Take(ref _keyed);

    /// <summary>Pages held by the manager (FPM1 against the caller's set).</summary>
    public HashSet<ulong> Held() => Take(ref _held);

    /// <summary>Span leaders found on the freelists: page -> npages.</summary>
    public Dictionary<ulong, ulong> Leaders()
    {
        if (_leaders is null || _leaders.EnsureCapacity(0) > KeepCapacity) _leaders = new Dictionary<ulong, ulong>();
        else _leaders.Clear();
        return _leaders;
    }

    /// <summary>Leaf keys (or the singleton) in walk order.</summary>
    public List<(ulong First, ulong Npages)> Keys() => Take(ref _keys);

    /// <summary>Runs, btree pages and recycled pages as page intervals (FPM1).</summary>
    public List<FpmInterval> Intervals() => Take(ref _intervals);

    private static List<T> Take<T>(ref List<T>? field) => Common.ScratchCollections.Take(ref field, KeepCapacity);

    private static HashSet<ulong> Take(ref HashSet<ulong>? field) => Common.ScratchCollections.Take(ref field, KeepCapacity);
}

/// <summary>Pages [First, End) of a free run, a btree page or a recycled page; named (for an FPM1
/// violation) only when one is reported.</summary>
[ExcludeFromCodeCoverage]
public readonly record struct FpmInterval(ulong First, ulong End, FpmIntervalKind Kind)
{
    public override string ToString() => Kind switch
    {
        FpmIntervalKind.Run => $"run {First}({End - First})",
        FpmIntervalKind.BtreePage => $"btree page {First}",
        _ => $"recycled page {First}",
    };
}

public enum FpmIntervalKind : byte { Run, BtreePage, Recycled }
