// FpmRunScratch: what FpmRunner's checks reuse from one run to the next, so that a fuzz target
// (a run per input, a check after every op) does not make its garbage per op: the page marks, page
// set and run lists of the comparison after every op (FpmRunner.Execution.After) and the walker's
// error list.
//
// What it deliberately does not reuse: the run's SimMemory and region, and the snapshots'
// ReservedPages sets. Both are the port's code (Allocator.Sim, Allocator.Dsa), which the
// instrumented build covers: calling it differently (a remapped region instead of a new memory, a
// set built here instead of by FpmSnapshot) changes the IL edges an execution reaches, and with
// them what an instrumented campaign of a given seed keeps. Allocation may change; coverage of
// the port may not.
//
// Invariants:
//   1. every collection is handed out empty, so a run sees exactly what a fresh one would;
//   2. one run at a time: not thread-safe; a target owns one (its worker thread), and nothing of
//      it outlives the run that uses it (results hold no reference to it).
namespace Harness.Systems.Dsa.Oracle;

public sealed class FpmRunScratch
{
    /// <summary>The walker's own collections (FpmCheckOptions.Scratch).</summary>
    public Allocator.Dsa.FpmCheckScratch Check { get; } = new();

    private readonly HashSet<ulong> _expectedFree = new();
    private readonly List<(ulong First, ulong Npages)> _runs = new(), _getRuns = new();
    private readonly List<ulong> _lost = new();
    private readonly List<string> _errors = new();
    private bool[] _held = [];

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
