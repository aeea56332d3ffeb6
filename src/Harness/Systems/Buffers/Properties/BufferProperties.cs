// BufferProperties: the buffer manager's FsCheck properties, run by the generic property engine
// from xunit, `harness check buffers` and the gate. Each is a function from an op list to an
// Outcome (BufferRunner), wrapped in FsCheck with BufferGen's shrinking arbitrary:
//   model   port == model after every op (values, hints, predicted ERRORs, cleanup-lock answers,
//           one buffer per page), pins compared every op, no pin left at commit; BufMgrCheck's
//           walk of the pool after every op in checking mode
//   faults  the same with storage faults armed (read/short-read/write errors: the ERROR path and
//           AbortBufferIO) and power losses (a crash, or a torn write): after recovery every page
//           holds a value the model allows and passes verification
// The workload: 4 backends over 16 buffers of 1 KiB (PostgreSQL's smallest pool) and four relations
// of 8, 10, 4 and 6 blocks, so 28 pages compete for 16 buffers: misses evict, dirty victims are
// written, and "no unpinned buffers available" is reachable.
using Allocator.Buffers;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Properties;

public static class BufferProperties
{
    public static readonly string[] Names = ["model", "faults", "policy"];

    public static BufferWorkload Workload { get; } = new(4, 16, 1024, [8, 10, 4, 6]);

    private static readonly PropertyGateCase[] GateCases =
    [
        new("model", true, 1500, 64),
        new("model", false, 1500, 64),
        new("faults", true, 1500, 64),
        new("policy", false, POLICY_CASES, 64),
    ];

    /// <summary>The policy property's gate budget (see docs/mutation-campaign.md for how many cases
    /// each policy mutant needs).</summary>
    private const int POLICY_CASES = 2000;

    private static readonly string[] Descriptions =
    [
        "port == model after every op; pins exact; §19 invariants after every op in checking mode",
        "with storage faults and power losses: the ERROR path leaves nothing behind; recovery loses no durable write",
        "replacement policy == ReplacementPolicyModel after every op: victims, usage counts, rings, clock hand, free list, bgwprocno",
    ];

    /// <summary>Each planted bug, the property that must catch it and how it shows (budgets are
    /// fixed seeds' worth of cases; the gate and BufferPropertyTests both run them). The one left
    /// out, UsageCountUncapped, needs the same page pinned and released six times before the clock
    /// passes: random op lists rarely do that, the fuzzer's dictionary and duplications do, so it is
    /// the fuzz target's gate canary (BuffersSystem).</summary>
    private static readonly PropertyGateCanary[] GateCanaries =
    [
        new(nameof(BufferCanary.AbortKeepsIoInProgress), "faults", true, 400, 64, OutcomeKind.InvariantFailed),
        new(nameof(BufferCanary.InvalidateKeepsMapping), "model", true, 400, 64, OutcomeKind.InvariantFailed),
        new(nameof(BufferCanary.CheckpointSkipsWrite), "faults", false, 400, 64, OutcomeKind.ModelMismatch),
        new(nameof(BufferCanary.FlushSkipsWalFlush), "faults", true, 400, 64, OutcomeKind.InvariantFailed),
        new(nameof(BufferCanary.DropSkipsDirty), "model", true, 400, 64, OutcomeKind.InvariantFailed),
    ];

    public static PropertySuite Suite { get; } = new(
        Names.Select((n, i) => new PropertyDef(n, Descriptions[i], CheckingModes.Both,
            (checking, canary) => Create(n, checking, BuffersSystem.ParseCanary(canary)))).ToList(),
        GateCases,
        BuffersSystem.CanaryNames,
        GateCanaries);

    internal static FsCheckProperty<BufferOp> Create(string property, bool checking, BufferCanary canary = BufferCanary.None)
    {
        if (Array.IndexOf(Names, property) < 0) throw new UnknownNameException("property", property, Names);
        bool policy = property == "policy";
        var runner = new BufferRunner(new BufferRunOptions(Workload, checking, canary) { Policy = policy });
        bool faults = property == "faults";
        return new FsCheckProperty<BufferOp>(BuffersSystem.SystemName, property, checking, canary.ToString(),
            maxOps => policy ? BufferGen.PolicyArbitrary(maxOps, Workload.InitialBlocks) : BufferGen.Arbitrary(maxOps, faults),
            (ops, trace) => runner.Run(ops, trace).Outcome, BufferOpText.Instance, runner.Reach);
    }

    /// <summary>Evaluates one property on one op list.</summary>
    public static Outcome Evaluate(string property, bool checking, IReadOnlyList<BufferOp> ops, TextWriter? trace = null, BufferCanary canary = BufferCanary.None) =>
        Create(property, checking, canary).Evaluate(ops, trace);
}
