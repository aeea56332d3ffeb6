// MmgrReach: the memory-context events a campaign should reach sometimes. All are seen from the
// oracle's side (AllocatorRunner): the simulated heap's live-block count around one operation,
// its failed-call counters, the address a create returned against the model's recycled list, and
// the accounting model's Slab blocklists and Generation freeblock before a palloc, so the port
// carries no hook for them.
using Harness.Core;

namespace Harness.Systems.Mmgr;

public static class MmgrReach
{
    public static readonly ReachGoal AsetBlockFreed = new(MmgrSystem.SystemName, "aset-block-freed",
        "pfree in an AllocSet returned a block to malloc (a chunk above allocChunkLimit had a block of its own)");

    public static readonly ReachGoal SlabEmptyBlockFreed = new(MmgrSystem.SystemName, "slab-empty-block-freed",
        "pfree in a Slab emptied a block beyond SLAB_MAXIMUM_EMPTY_BLOCKS and free() took it");

    public static readonly ReachGoal SlabBlocklistChoice = new(MmgrSystem.SystemName, "slab-blocklist-choice",
        "palloc in a Slab that had partly used blocks on blocklists 1 and 2 (SlabFindNextBlockListIndex chose the fuller ones)");

    public static readonly ReachGoal GenerationBlockFreed = new(MmgrSystem.SystemName, "generation-block-freed",
        "pfree in a Generation context emptied a block that was neither keeper nor freeblock, and free() took it");

    public static readonly ReachGoal GenerationFreeblockExactFit = new(MmgrSystem.SystemName, "generation-freeblock-exact-fit",
        "palloc in a Generation context whose current block lacked room took the freeblock, which had exactly the bytes the chunk needed");

    public static readonly ReachGoal ResetKeptKeeper = new(MmgrSystem.SystemName, "reset-kept-keeper",
        "MemoryContextReset/ResetOnly returned blocks to malloc while the context lived on (keeper block reset)");

    public static readonly ReachGoal AsetContextRecycled = new(MmgrSystem.SystemName, "aset-context-recycled",
        "AllocSetContextCreate reused a deleted context from aset.c's context freelists");

    public static readonly ReachGoal MallocFailed = new(MmgrSystem.SystemName, "malloc-failed",
        "a simulated malloc failed inside an operation (scripted or capacity) and the port reported out of memory");

    public static IReadOnlyList<ReachGoal> Goals { get; } =
        [AsetBlockFreed, SlabEmptyBlockFreed, GenerationBlockFreed, ResetKeptKeeper, AsetContextRecycled, MallocFailed, SlabBlocklistChoice, GenerationFreeblockExactFit];
}
