// DsaReach: the DSA and FreePageManager events a campaign should reach sometimes. The runners'
// goals are seen from DsaRunner and FpmRunner: the segment count of the walker's snapshot before
// and after an op (a segment made or freed), the result of dsa_allocate, the request size against
// the largest size class, and for the FreePageManager the btree pages and free runs of the
// walker's snapshot around a Put or Get. The scenarios' goals come from what each scenario already
// counts for its checks.
using Harness.Core;

namespace Harness.Systems.Dsa;

public static class DsaReach
{
    private const string S = DsaSystem.SystemName;

    // ---- DsaRunner (the dsa-area fuzz target and properties)

    public static readonly ReachGoal SegmentFreed = new(S, "segment-freed",
        "dsa_free or dsa_trim emptied a segment and the area gave it back (destroy_superblock / dsa_trim freed a DSM segment)");

    public static readonly ReachGoal SegmentAdded = new(S, "segment-added",
        "an allocation found no room and make_new_segment created another DSM segment");

    public static readonly ReachGoal AllocOutOfMemory = new(S, "alloc-out-of-memory",
        "dsa_allocate ran into the size limit or the segment slots: ERROR out of memory, or Invalid under DSA_ALLOC_NO_OOM");

    public static readonly ReachGoal LargeObject = new(S, "large-object",
        "an allocation above the largest size class (8192 bytes) got a span of its own pages");

    public static IReadOnlyList<ReachGoal> AreaGoals { get; } = [SegmentFreed, SegmentAdded, AllocOutOfMemory, LargeObject];

    // ---- FpmRunner (the dsa fuzz target on the FreePageManager and its properties)

    public static readonly ReachGoal FpmBtreeSplit = new(S, "fpm-btree-split",
        "a FreePageManager Put or Get added a btree page (a leaf or the root split)");

    public static readonly ReachGoal FpmBtreeShrunk = new(S, "fpm-btree-shrunk",
        "a FreePageManager op gave btree pages back (pages merged or the root collapsed)");

    public static readonly ReachGoal FpmMergedWithPrevious = new(S, "fpm-merged-with-previous",
        "FreePageManagerPut joined the freed pages onto the free run just before them");

    public static readonly ReachGoal FpmGetRefused = new(S, "fpm-get-refused",
        "FreePageManagerGet found no run long enough and returned false");

    public static IReadOnlyList<ReachGoal> FpmGoals { get; } = [FpmBtreeSplit, FpmBtreeShrunk, FpmMergedWithPrevious, FpmGetRefused];

    // ---- scenarios

    public static readonly ReachGoal AttachRefused = new(S, "attach-refused",
        "dsa-attach-detach: dsa_attach mapped the control segment but found refcnt 0 and refused (could not attach)");

    public static readonly ReachGoal SlotReused = new(S, "slot-reused",
        "dsa-slot-reuse: a backend saw a new segment in the slot of one freed while it still mapped the old one");
}
