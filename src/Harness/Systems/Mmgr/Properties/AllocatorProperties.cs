// AllocatorProperties: the memory-context system's FsCheck properties, run by the generic property
// engine (Properties/FsCheckProperty) from xunit, `harness check mmgr` and the gate. Each property
// is a function from an op list to an Outcome (Evaluator.Run), wrapped in FsCheck with the
// shrinking arbitrary of AllocatorGen:
//   model       port == model after every op (contents, tree, errors, and with the accounting
//               model each pointer's placement and every context's MemoryContextStats figures
//               and mem_allocated), walkers silent (checking on or off)
//   oom         for each malloc call the ops make, FailOnCall = that call: the right ERROR
//               "out of memory" (or NULL under NO_OOM), a consistent tree, and no leak at the end
//   leak        after deleting everything, the heap holds exactly what PostgreSQL keeps
//   corruption  hostile ops (checking builds): overruns reported by the walkers and pfree, double
//               frees and bogus pointers raising PostgreSQL's ERRORs, nothing else disturbed
//   slab        the model property on Slab-shaped lists (SlabGen): small blocks filled and drained
//               in runs, so blocks move between slab.c's blocklists and past its ten kept empty
//               blocks, with every placement and figure checked against the accounting model
//   generation  the model property on Generation-shaped lists (GenerationGen): requests that fill
//               the keeper, a new block or the freeblock exactly, and blocks emptied into the
//               freeblock, so generation.c's >= tests and its freeblock reuse are at their edges
// Runs are deterministic for (seed, gamma): FsCheck's Replay starts from them.
using Allocator.Mmgr;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Properties;

public static class AllocatorProperties
{
    public static readonly string[] Names = ["model", "oom", "leak", "corruption", "slab", "generation"];

    /// <summary>The fixed gamma used with a seed given on the command line.</summary>
    public const ulong DefaultGamma = PropertyRunSpec.DefaultGamma;

    /// <summary>At most this many malloc calls are failed in turn per OOM case.</summary>
    public const int OomCallsMax = 48;

    /// <summary>Cases per (property, checking) at gate scale 1, and the longest op list. Sized to
    /// keep the suite well under a minute on 2 cores (the OOM property reruns each case once per malloc).</summary>
    private static readonly PropertyGateCase[] GateCases =
    [
        new("model", true, 3000, 64),
        new("model", false, 3000, 64),
        new("oom", true, 300, 32),
        new("oom", false, 300, 32),
        new("leak", true, 3000, 64),
        new("leak", false, 3000, 64),
        new("corruption", true, 3000, 64),
        // Appended, so the runs above keep their seeds. Longer lists than the others: emptying
        // eleven blocks of two chunks takes 21 allocations and 21 frees. 3000 cases: the planted
        // Slab blocklist bug needs a median of 673 and at most 1144 over seeds 1..20 on this
        // schedule (docs/time-to-bug.md), so the gate catches it whatever its seed.
        new("slab", true, 3000, 160),
        new("slab", false, 3000, 160),
        // Appended too. 3000 cases: the planted exact-fit refusal needs a median of 528 and at most
        // 1112 over seeds 1..20 on this schedule (harness time-to-bug mmgr, docs/time-to-bug.md).
        new("generation", true, 3000, 96),
        new("generation", false, 3000, 96),
    ];

    /// <summary>Planted bugs the gate's property suite must catch: the Slab blocklist policy
    /// reversed and the Generation freeblock refusing an exact fit, which only the slab and
    /// generation properties' lists reach within the gate's budgets.</summary>
    private static readonly PropertyGateCanary[] GateCanaries =
    [
        new(nameof(AllocatorCanary.SlabEmptierBlocksFirst), "slab", false, 3000, 160, OutcomeKind.ModelMismatch),
        new(nameof(AllocatorCanary.GenerationFreeblockExactFitRefused), "generation", false, 3000, 96, OutcomeKind.ModelMismatch),
    ];

    private static readonly string[] Descriptions =
    [
        "port == model after every op, walkers silent",
        "every malloc call failed in turn: the right ERROR or NULL, a consistent tree, no leak",
        "after deleting everything the heap holds exactly what PostgreSQL keeps",
        "hostile ops: overruns, double frees, bogus pointers get PostgreSQL's reactions, nothing else disturbed",
        "port == model on Slab-shaped lists: blocks filled and drained across blocklists and past the ten kept empty blocks",
        "port == model on Generation-shaped lists: exact fits of the keeper, new blocks and the freeblock",
    ];

    /// <summary>The suite the Mmgr system registers.</summary>
    public static PropertySuite Suite { get; } = new(
        Names.Select((n, i) => new PropertyDef(n, Descriptions[i], n == "corruption" ? CheckingModes.OnOnly : CheckingModes.Both,
            (checking, canary) => Create(n, checking, ParseCanary(canary)))).ToList(),
        GateCases,
        Enum.GetNames<AllocatorCanary>().Where(n => n != nameof(AllocatorCanary.None)).ToList(),
        GateCanaries);

    public static bool IsKnown(string name) => Array.IndexOf(Names, name) >= 0;

    /// <summary>Whether a property's generator mixes in hostile ops.</summary>
    public static bool Hostile(string property) => property == "corruption";

    /// <summary>The shrinking generator of a property's op lists, by longest list.</summary>
    public static FsCheck.Arbitrary<AllocatorOp[]> Arbitrary(string property, int maxOps) =>
        property switch
        {
            "slab" => SlabGen.Arbitrary(maxOps),
            "generation" => GenerationGen.Arbitrary(maxOps),
            _ => AllocatorGen.Arbitrary(maxOps, Hostile(property)),
        };

    internal static AllocatorCanary ParseCanary(string name) => CanaryName.Parse<AllocatorCanary>(name);

    /// <summary>One property bound to a build and a canary, on the generic FsCheck engine.</summary>
    internal static FsCheckProperty<AllocatorOp> Create(string property, bool checking, AllocatorCanary canary = AllocatorCanary.None)
    {
        var evaluator = new Evaluator(property, checking, canary);
        return new FsCheckProperty<AllocatorOp>(MmgrSystem.SystemName, property, evaluator.Checking, canary.ToString(),
            maxOps => Arbitrary(property, maxOps), evaluator.Run, AllocatorOpTextForm.Instance, evaluator.Reach);
    }

    /// <summary>Runs a property with FsCheck and returns what happened (never throws for a failing property).</summary>
    public static PropertyReport Check(string property, bool checking, ulong seed, ulong gamma, int cases, int maxOps, int? replaySize = null) =>
        Create(property, checking).Check(new PropertyRunSpec(seed, gamma, cases, maxOps, replaySize));

    /// <summary>Evaluates one property on one op list (a fresh runner each call).</summary>
    public static Outcome Evaluate(string property, bool checking, IReadOnlyList<AllocatorOp> ops, TextWriter? trace = null) =>
        new Evaluator(property, checking, AllocatorCanary.None).Run(ops, trace);

    /// <summary>The runners of one (property, checking, canary): the properties as functions from an op list to an Outcome.</summary>
    private sealed class Evaluator
    {
        private readonly string _property;
        private readonly AllocatorRunner _runner;

        public Evaluator(string property, bool checking, AllocatorCanary canary)
        {
            if (!IsKnown(property)) throw new UnknownNameException("property", property, Names);
            _property = property;
            Checking = checking || property == "corruption";
            var options = RunnerOptions.ForChecking(Checking, hostile: property == "corruption") with
            {
                VerifyEvery = property == "leak" ? 0 : 1,
            };
            if (canary != AllocatorCanary.None) options = options with { Mcxt = options.Mcxt with { Canary = canary } };
            _runner = new AllocatorRunner(options);
        }

        public bool Checking { get; }

        public ReachHits Reach => _runner.Reach;

        public Outcome Run(IReadOnlyList<AllocatorOp> ops, TextWriter? trace = null)
        {
            RunResult first = _runner.Run(ops, trace);
            if (!first.Passed || _property != "oom") return first.Outcome;
            long calls = Math.Min(first.HeapCalls, OomCallsMax);
            for (long n = 1; n <= calls; n++)
            {
                var heap = new Allocator.Sim.SimHeapOptions { FailOnCall = n };
                RunResult r = _runner.RunWithHeap(ops, heap, trace is null ? null : TextWriter.Null);
                if (!r.Passed)
                {
                    trace?.WriteLine($"with FailOnCall={n}:");
                    if (trace is not null) _runner.RunWithHeap(ops, heap, trace);
                    return r.Outcome with { Reason = $"FailOnCall={n}: {r.Outcome.Reason}" };
                }
            }
            return first.Outcome;
        }
    }
}
