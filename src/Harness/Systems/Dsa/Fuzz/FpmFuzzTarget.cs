// FpmFuzzTarget: the FreePageManager as a fuzz target. Bytes -> FpmCodec (total) -> a workload and
// op list -> FpmRunner (Get/Put against FreePageModel after every op, FreePageManagerCheck's walk
// after every op, PostgreSQL's root-page leak recognised) -> an Outcome.
//
// Its own features, so the engine climbs without IL coverage: each op's kind and result, op
// bigrams, the btree depth and recycle-list length reached, the workload's shape, and each F1 loss.
using Allocator.Common;
using Allocator.Dsa;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa.Fuzz;

public sealed class FpmFuzzTarget : IFuzzTarget, IStructureAware, ITargetFeatures, ITraceableTarget, IReachReporter
{
    public const string TargetName = "dsa";

    private readonly FeatureMap _features = new(14);
    private readonly FpmCanary _canary;

    public FpmFuzzTarget(FuzzTargetConfig config)
    {
        Config = config;
        _canary = FpmProperties.ParseCanary(config.Canary);
    }

    public FuzzTargetConfig Config { get; }

    public string Name => TargetName;

    public ICoverageSource Features => _features;

    /// <summary>The goals of the current execution (one set for every runner this target makes).</summary>
    public ReachHits Reach { get; } = new(DsaReach.FpmGoals);

    public IReadOnlyList<byte[]> Dictionary => FpmDictionary.Tokens;

    // Memory and check collections every execution's runner reuses (one runner per input, one
    // input at a time on this target's thread).
    private readonly FpmRunScratch _scratch = new();

    private FpmCodec.Decoded Decode(ReadOnlySpan<byte> input) => FpmCodec.Decode(input, Config.OpsMax, checking: true, _canary);

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        FpmCodec.Decoded d = Decode(input);
        int prev = 0xFF;
        FpmRunResult r = new FpmRunner(d.Workload, Reach, _scratch).Run(d.Ops, null, s =>
        {
            int code = s.Op.Code == FpmOpCode.Get ? (s.Done ? 0 : 1) : 2;
            int size = s.Op.Code == FpmOpCode.Get ? Bucket(s.Op.N) : Bucket(s.Op.Length);
            _features.Hit(code << 6 | size);
            _features.HitAlone(0x40000 + (prev << 4 | code));
            _features.HitAlone(0x10000 + ((int)Math.Min(s.Depth, 15) << 8 | Bucket(s.Recycled)));
            if (s.Lost) _features.HitAlone(0x60000 + code);
            prev = code;
        });
        _features.HitAlone(0x20000 + (int)r.Outcome.Kind);
        _features.HitAlone(0x30000 + ((int)d.Workload.Start << 4 | (int)d.Workload.Profile << 2 | (d.Workload.FixRootPageLeak ? 1 : 0)) << 4
            | Array.IndexOf(FpmCodec.PageCounts, d.Workload.Pages));
        if (r.Outcome.IsFailure) _features.HitAlone(0x50000 + (StableName.Hash31(r.Outcome.Site) & 0xFFFF));
        return r.Outcome;
    }

    public Outcome ExecuteTraced(ReadOnlySpan<byte> input, TextWriter trace)
    {
        FpmCodec.Decoded d = Decode(input);
        trace.WriteLine($"# {Describe(d.Workload)}");
        return new FpmRunner(d.Workload).Run(d.Ops, trace).Outcome;
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input)
    {
        FpmCodec.Decoded d = Decode(input);
        var lines = new List<string>(d.Ops.Count + 1) { $"# {Describe(d.Workload)}" };
        for (int i = 0; i < d.Ops.Count; i++) lines.Add($"{i,3}: {FpmOpText.Instance.Format(d.Ops[i])}");
        return lines;
    }

    private static string Describe(FpmWorkload w) =>
        $"{w.Pages} pages, start {w.Start.ToString().ToLowerInvariant()}, {(w.Profile == PointerProfile.Bits64 ? "64" : "32")}-bit{(w.FixRootPageLeak ? ", root-page leak fixed" : "")}";

    private static int Bucket(ulong n) => n <= 3 ? (int)n : Math.Min(2 + System.Numerics.BitOperations.Log2(n), 63);

    // ------------------------------------------------------------------ structure-aware mutation

    public byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength) =>
        RecordMutations.Mutate(input, other, rng, maxLength, FpmCodec.HeaderSize, FpmCodec.RecordSize);

    public int UnitCount(ReadOnlySpan<byte> input) => Decode(input).Ops.Count;

    public byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count) =>
        RecordMutations.WithoutRecords(input, start, count, FpmCodec.HeaderSize, FpmCodec.RecordSize);

    /// <summary>Simpler forms of one record: a whole put, the first held allocation, smaller counts.</summary>
    public IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index) =>
        RecordMutations.RecordVariants(input, index, FpmCodec.HeaderSize, FpmCodec.RecordSize,
            (c, at) => c[at] &= 1, (c, at) => c[at + 1] = 0, (c, at) => c[at + 1] /= 2, (c, at) => c[at + 2] = 0, (c, at) => c[at + 3] = 0);
}
