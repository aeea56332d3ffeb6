// DsaScenarios: DSA's concurrency scenarios for the explorer (issue 14), one per interleaving of
// spec 9.15, the canary scenarios (the same scenarios over an area with a planted DsaCanary) and
// what must catch each canary. Budgets are measured (DsaScenarioTests and docs/time-to-bug.md);
// the correct scenario a canary shadows must pass the same budget with no failure.
using Allocator.Dsa;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public static class DsaScenarios
{
    public static IReadOnlyList<IScenario> Correct { get; } =
    [
        new ScenarioDef("dsa-one-class", "allocation and free racing in one size class, with superblock creation and destruction: every object intact, DSA1-DSA14 at the end", 2, 3, 2, 3,
            (c, rt) => new DsaOneClassScenario(c, rt)),
        new ScenarioDef("dsa-large", "large allocations and frees racing (pool 1, pool 0, the area lock, new segments): every object intact, DSA1-DSA14 at the end", 2, 3, 2, 2,
            (c, rt) => new DsaLargeScenario(c, rt)),
        new ScenarioDef("dsa-slot-reuse", "a segment freed and its slot reused while another backend maps the old one: check_for_freed_segments sends it to the new segment (38763d6778)", 2, 3, 2, 2,
            (c, rt) => new DsaSlotReuseScenario(c, rt)),
        new ScenarioDef("dsa-attach-detach", "dsa_attach racing with the last detach: refused at refcnt 0 (fddf45b380), no segment left behind", 2, 3, 2, 1,
            (c, rt) => new DsaAttachDetachScenario(c, rt)),
        new ScenarioDef("dsa-rebin", "segments rebinned by large frees while other backends walk the bins: bin lists intact (DSA8), every object intact", 2, 3, 2, 2,
            (c, rt) => new DsaRebinScenario(c, rt)),
    ];

    public static IReadOnlyList<IScenario> Canaries { get; } =
    [
        new ScenarioDef("canary-dsa-free-push-before-lock", "CANARY: dsa_free links a small object into its span's free list before taking the pool lock (DsaCanary.FreeListPushBeforePoolLock)", 2, 3, 2, 3,
            (c, rt) => new DsaOneClassScenario(c, rt, DsaCanary.FreeListPushBeforePoolLock), isCanary: true),
        new ScenarioDef("canary-dsa-large-unlink-unlocked", "CANARY: dsa_free unlinks a large span from pool 1 without pool 1's lock (DsaCanary.LargeUnlinkWithoutPoolLock)", 2, 3, 2, 2,
            (c, rt) => new DsaLargeScenario(c, rt, DsaCanary.LargeUnlinkWithoutPoolLock), isCanary: true),
        new ScenarioDef("canary-dsa-skip-freed-check", "CANARY: dsa_get_address skips check_for_freed_segments (DsaCanary.SkipFreedSegmentCheck)", 2, 3, 2, 2,
            (c, rt) => new DsaSlotReuseScenario(c, rt, DsaCanary.SkipFreedSegmentCheck), isCanary: true),
        new ScenarioDef("canary-dsa-attach-at-zero", "CANARY: attach_internal takes a reference at refcnt 0 (DsaCanary.AttachIgnoresZeroRefcnt)", 2, 3, 2, 1,
            (c, rt) => new DsaAttachDetachScenario(c, rt, DsaCanary.AttachIgnoresZeroRefcnt), isCanary: true),
        new ScenarioDef("canary-dsa-rebin-unlocked", "CANARY: dsa_free rebins a segment after releasing the area lock (DsaCanary.RebinWithoutAreaLock)", 2, 3, 2, 2,
            (c, rt) => new DsaRebinScenario(c, rt, DsaCanary.RebinWithoutAreaLock), isCanary: true),
    ];

    /// <summary>What must catch each canary. Measured over seeds 1..20 (1-based iteration of the
    /// first failure, explorer, default configuration; harness time-to-bug dsa and the per-strategy
    /// table in docs/time-to-bug.md):
    ///   free-push-before-lock: random median 11, worst 29; pct catches 13 of 20 seeds within 1000
    ///     (PCT's few change points rarely land inside alloc_object's window). Caught as DSA5 (the
    ///     span's free list one short of nallocatable) and DSA13 (an object allocated but not live).
    ///   large-unlink-unlocked: random median 10, worst 28; pct similar. Caught as DSA6 (a span
    ///     listed twice or with a wrong prevspan on pool 1's list).
    ///   skip-freed-check: iteration 1 from every seed under every strategy (the scenario forces
    ///     the stale mapping). Caught as dsa-content through the freed segment's mapping.
    ///   attach-at-zero: random median 18, worst 64; pct median 6. Caught as
    ///     dsa-attached-area-unusable (the resurrected area's segment is gone, or its second
    ///     release unpins an unpinned segment).
    ///   rebin-unlocked: pct median 57, worst 346; random misses it within 1000 iterations on every
    ///     seed (the window is one rebin inside another backend's bin walk, and both hold the area
    ///     lock but for the planted bug). Caught as DSA8 (a bin list's prev links broken).
    /// The budgets leave room above the worst seed measured.</summary>
    public static IReadOnlyList<CanaryExpectation> Expectations { get; } =
    [
        new("canary-dsa-free-push-before-lock", "dsa-one-class", "random", 60, OutcomeKind.InvariantFailed),
        new("canary-dsa-large-unlink-unlocked", "dsa-large", "random", 60, OutcomeKind.InvariantFailed),
        new("canary-dsa-skip-freed-check", "dsa-slot-reuse", "random", 10, OutcomeKind.InvariantFailed),
        new("canary-dsa-attach-at-zero", "dsa-attach-detach", "random", 130, OutcomeKind.InvariantFailed),
        new("canary-dsa-rebin-unlocked", "dsa-rebin", "pct", 400, OutcomeKind.InvariantFailed),
    ];

    /// <summary>The DsaCanary each canary scenario plants.</summary>
    public static IReadOnlyDictionary<string, DsaCanary> Planted { get; } = new Dictionary<string, DsaCanary>(StringComparer.Ordinal)
    {
        ["canary-dsa-free-push-before-lock"] = DsaCanary.FreeListPushBeforePoolLock,
        ["canary-dsa-large-unlink-unlocked"] = DsaCanary.LargeUnlinkWithoutPoolLock,
        ["canary-dsa-skip-freed-check"] = DsaCanary.SkipFreedSegmentCheck,
        ["canary-dsa-attach-at-zero"] = DsaCanary.AttachIgnoresZeroRefcnt,
        ["canary-dsa-rebin-unlocked"] = DsaCanary.RebinWithoutAreaLock,
    };

    public static ScenarioSet Set { get; } = new([.. Correct, .. Canaries], Expectations);
}
