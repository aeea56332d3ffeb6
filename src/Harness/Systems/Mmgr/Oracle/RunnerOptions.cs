// RunnerOptions: how AllocatorRunner builds the port and how hard it checks.
using Allocator.Mmgr;
using Allocator.Sim;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Oracle;

public sealed record RunnerOptions
{
    /// <summary>The port's build options (checking, clobber, randomize; canaries in tests).</summary>
    public MemoryContextOptions Mcxt { get; init; } = MemoryContextOptions.Checking;

    /// <summary>Scripted malloc failures (FailOnCall counts calls made after MemoryContextInit and
    /// the runner's own setup, starting at 1). Null: never fail.</summary>
    public SimHeapOptions? Heap { get; init; }

    /// <summary>Run the hostile ops (they need MEMORY_CONTEXT_CHECKING; otherwise they are skipped,
    /// because PostgreSQL's reaction without checking is undefined).</summary>
    public bool AllowHostile { get; init; }

    /// <summary>Compare port and model after every k-th op (1 = every op; 0 = only at the end).
    /// Op results (errors, pointers, spaces of the touched chunk) are always compared.</summary>
    public int VerifyEvery { get; init; } = 1;

    /// <summary>Run MemoryContextVerify (the port's numbered invariants) at each verification point.</summary>
    public bool InvariantWalk { get; init; } = true;

    /// <summary>Run the check walkers (MemoryContextCheck, and MemoryContextVerify when
    /// InvariantWalk) only at every k-th verification point (1 = at every one). They always run at
    /// the final verification, and PostgreSQL's own checks (sentinels at pfree/repalloc, the check
    /// walker before every reset and delete in checking builds) still run inside every op; the
    /// model comparison keeps its own VerifyEvery. For speed (the walkers are the costliest part
    /// of a verification point).</summary>
    public int WalkEvery { get; init; } = 1;

    /// <summary>Keep the accounting model (Models.Mmgr.AccountingModel) beside the contents model:
    /// every returned pointer must be where PostgreSQL places it (once the block's address is
    /// known), and at every verification point every context's MemoryContextStats counters and
    /// mem_allocated must be the predicted ones.</summary>
    public bool PredictAccounting { get; init; } = true;

    /// <summary>Delete everything at the end and require the heap back at its baseline.</summary>
    public bool CheckLeaks { get; init; } = true;

    /// <summary>The simulated heap's size limit (mallocs above it certainly fail).</summary>
    public ulong HeapMax { get; init; } = 1UL << 30;

    public static RunnerOptions ForChecking(bool checking, bool hostile = false) => new()
    {
        Mcxt = checking ? MemoryContextOptions.Checking : MemoryContextOptions.Production,
        AllowHostile = hostile,
    };

    public override string ToString() =>
        $"{Mcxt} hostile={(AllowHostile ? "on" : "off")} verify-every={VerifyEvery} walk-every={WalkEvery} accounting={(PredictAccounting ? "on" : "off")} failOnCall={Heap?.FailOnCall ?? 0}";
}
