// AllocatorFuzzTarget: the allocator as a fuzz target. Bytes -> AllocatorCodec -> AllocatorOp
// list -> AllocatorRunner (port vs model after every operation, walkers, leak and corruption
// checks at the end) -> a classified Outcome.
//
// The port runs in a MEMORY_CONTEXT_CHECKING build (PostgreSQL's cassert configuration), so the
// hostile ops have PostgreSQL's documented reactions as their oracle; the input's header decides
// whether hostile ops may appear. A planted bug (FuzzTargetConfig.Canary) is switched on through
// the port's internal MemoryContextOptions.Canary, for the canary runs only.
//
// Besides the IL edge map of an instrumented port, the target records semantic features in its
// own FeatureMap: the sequence of (operation kind, size class) pairs and the run's result (outcome
// site, executed and skipped counts, heap calls), so the engine has feedback in any process.
using Allocator.Common;
using Allocator.Mmgr;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Fuzz;

public sealed class AllocatorFuzzTarget : IFuzzTarget, IStructureAware, ITargetFeatures, ITraceableTarget, IReachReporter
{
    public const string TargetName = "mmgr";

    /// <summary>The target's name before the harness had several systems; artifacts and commands use it.</summary>
    public const string OldName = "allocator";

    /// <summary>The simulated heap's maximum for fuzzed inputs. Small, so an input's large sizes
    /// (blocks doubling towards a 1 GiB maxBlockSize) reach "out of memory" after a few
    /// operations instead of making every execution map and clear hundreds of MiB; the oracle
    /// accepts such capacity failures (AllocatorRunner.Match).</summary>
    public const ulong HeapMax = 16UL << 20;

    private readonly AllocatorCodec _codec = new();
    private readonly OpMutator _mutator;
    private readonly AllocatorRunner _polite;
    private readonly AllocatorRunner _hostile;
    private readonly FeatureMap _features = new(14);
    // Execute's operations, decoded anew into the same list for every input (the runner keeps
    // no reference to them once Run returns).
    private readonly List<AllocatorOp> _ops = new();
    private static readonly IReadOnlyList<byte[]> s_dictionary = BoundarySizes.Tokens();

    /// <summary>The check walkers (MemoryContextCheck, MemoryContextVerify) run after every k-th
    /// operation and at the end; the model is compared after every operation regardless.</summary>
    public const int DefaultWalkEvery = 8;

    public AllocatorFuzzTarget(FuzzTargetConfig config) : this(config, DefaultWalkEvery)
    {
    }

    /// <param name="walkEvery">RunnerOptions.WalkEvery (1: walkers after every operation).</param>
    public AllocatorFuzzTarget(FuzzTargetConfig config, int walkEvery)
    {
        if (walkEvery < 1) throw new ArgumentOutOfRangeException(nameof(walkEvery));
        Config = config;
        AllocatorCanary canary = Properties.AllocatorProperties.ParseCanary(config.Canary);
        MemoryContextOptions mcxt = MemoryContextOptions.Checking with { Canary = canary };
        _polite = new AllocatorRunner(new RunnerOptions { Mcxt = mcxt, AllowHostile = false, HeapMax = HeapMax, WalkEvery = walkEvery });
        _hostile = new AllocatorRunner(new RunnerOptions { Mcxt = mcxt, AllowHostile = true, HeapMax = HeapMax, WalkEvery = walkEvery });
        _hostile.Reach = _polite.Reach;   // one set of hits, whichever runner an input picks
        _mutator = new OpMutator(_codec, config.OpsMax);
    }

    public FuzzTargetConfig Config { get; }

    public string Name => TargetName;

    public ICoverageSource Features => _features;

    public ReachHits Reach => _polite.Reach;

    public IReadOnlyList<byte[]> Dictionary => s_dictionary;

    /// <summary>Decodes an input with this target's operation limit.</summary>
    public DecodedInput Decode(ReadOnlySpan<byte> input) => _codec.Decode(input, Config.OpsMax);

    /// <summary>Encodes operations under a header (canonical wire form).</summary>
    public byte[] Encode(SwarmHeader header, IReadOnlyList<AllocatorOp> ops) => _codec.Encode(header, ops);

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        SwarmHeader header = _codec.DecodeInto(input, Config.OpsMax, _ops);
        // Which operation follows which (edges between op codes), and each operation's size class
        // on its own. Edges between (op code, size class) pairs made a space of ~100k features in
        // which nearly every mutant was "new": the corpus bloated and writing it to disk became
        // half of the engine's time, while IL coverage had long stopped growing.
        for (int i = 0; i < _ops.Count; i++)
        {
            AllocatorOp op = _ops[i];
            _features.Hit((int)op.Code);
            _features.HitAlone(0x60000 + ((int)op.Code << 8 | SizeClass(op)));
        }
        RunResult r = (header.Hostile ? _hostile : _polite).Run(_ops);
        _features.HitAlone(0x10000 + (int)r.Outcome.Kind);
        // Counts are recorded by magnitude (AFL-style buckets), not exactly: an exact heap-call or
        // executed-op count made almost every input "new", bloating the corpus and the disk writes.
        _features.HitAlone(0x20000 + CountBucket(r.Executed));
        _features.HitAlone(0x30000 + CountBucket(r.Skipped));
        _features.HitAlone(0x40000 + CountBucket(r.HeapCalls));
        if (r.Outcome.IsFailure) _features.HitAlone(0x50000 + (StableName.Hash31(r.Outcome.Site) & 0xFFFF));
        return r.Outcome;
    }

    /// <summary>Runs the input with a readable per-operation trace (for repro and show --run).</summary>
    public Outcome ExecuteTraced(ReadOnlySpan<byte> input, TextWriter trace)
    {
        DecodedInput d = _codec.Decode(input, Config.OpsMax);
        return (d.Header.Hostile ? _hostile : _polite).Run(d.Ops, trace).Outcome;
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input)
    {
        DecodedInput d = _codec.Decode(input, Config.OpsMax);
        var lines = new List<string>(d.Ops.Count + 1) { $"# header: {d.Header} ops={d.Ops.Count}" };
        for (int i = 0; i < d.Ops.Count; i++) lines.Add($"{i,3}: {d.Ops[i]}");
        return lines;
    }

    public byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength) =>
        _mutator.Mutate(input, other, rng, maxLength);

    public int UnitCount(ReadOnlySpan<byte> input) => _codec.Decode(input, Config.OpsMax).Ops.Count;

    public byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count)
    {
        DecodedInput d = _codec.Decode(input, Config.OpsMax);
        var ops = d.Ops.ToList();
        ops.RemoveRange(start, Math.Min(count, ops.Count - start));
        return _codec.Encode(d.Header, ops);
    }

    public IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index)
    {
        DecodedInput d = _codec.Decode(input, Config.OpsMax);
        if (index >= d.Ops.Count) return [];
        var result = new List<byte[]>();
        foreach (AllocatorOp simpler in OpSimplifier.Simpler(d.Ops[index]))
        {
            var ops = d.Ops.ToList();
            ops[index] = simpler;
            result.Add(_codec.Encode(d.Header, ops));
        }
        // A header with hostile mode off is simpler when no hostile op is left.
        if (d.Header.Hostile && !d.Ops.Any(o => o.IsHostile)) result.Add(_codec.Encode(d.Header with { Hostile = false }, d.Ops));
        return result;
    }

    /// <summary>0, 1, 2 and 3 exactly, then one bucket per power of two (4-7, 8-15, ...).</summary>
    private static int CountBucket(long n) => n <= 3 ? (int)Math.Max(n, 0) : 2 + System.Numerics.BitOperations.Log2((ulong)n);

    // log2 bucket of the op's main size (0 for ops without one), so "the same op at another size
    // class" is a new feature.
    private static int SizeClass(AllocatorOp op)
    {
        ulong size = op switch
        {
            Alloc a => a.Size,
            Realloc r => r.Size,
            CreateContext c => c.Kind == ContextKind.Slab ? c.ChunkSize : c.MaxBlockSize,
            _ => 0,
        };
        int cls = size == 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount(size);
        return op is CreateContext cc ? cls << 2 | (int)cc.Kind : cls;
    }
}
