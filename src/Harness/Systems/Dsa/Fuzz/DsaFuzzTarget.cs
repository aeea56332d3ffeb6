// DsaFuzzTarget: dsa_area as a fuzz target ("dsa-area"). Bytes -> DsaCodec (total) -> a workload
// and op list -> DsaRunner (allocation results against DsaModel's must-succeed / must-fail regions,
// pointers, contents, refcnt and the limit after every op, DsaCheck's DSA1-DSA14 walk after every
// op, PostgreSQL's D1 and F1 leaks recognised) -> an Outcome.
//
// Its own features, so the engine climbs without IL coverage: each op's kind, size bucket and
// result, op bigrams, the segment count and live count reached, the workload's shape, and each D1
// leak.
using Allocator.Common;
using Allocator.Dsa;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa.Fuzz;

public sealed class DsaFuzzTarget : IFuzzTarget, IStructureAware, ITargetFeatures, ITraceableTarget, IReachReporter
{
    public const string TargetName = "dsa-area";

    private readonly FeatureMap _features = new(15);
    private readonly DsaFuzzCanary _canary;

    public DsaFuzzTarget(FuzzTargetConfig config)
    {
        Config = config;
        _canary = ParseCanary(config.Canary);
    }

    /// <summary>The fuzz target's planted bugs are dsa.c's (DsaFuzzCanary).</summary>
    public static DsaFuzzCanary ParseCanary(string name) => CanaryName.Parse<DsaFuzzCanary>(name);

    public FuzzTargetConfig Config { get; }

    public string Name => TargetName;

    public ICoverageSource Features => _features;

    /// <summary>The goals of the current execution (one set for every runner this target makes).</summary>
    public ReachHits Reach { get; } = new(DsaReach.AreaGoals);

    public IReadOnlyList<byte[]> Dictionary => DsaDictionary.Tokens;

    private DsaCodec.Decoded Decode(ReadOnlySpan<byte> input) => DsaCodec.Decode(input, Config.OpsMax, checking: true, _canary);

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        DsaCodec.Decoded d = Decode(input);
        int prev = 0xFF;
        DsaRunResult r = new DsaRunner(d.Workload, Reach).Run(d.Ops, null, s =>
        {
            int code = (int)s.Op.Code;
            int size = s.Op.Code == DsaOpCode.Alloc ? Bucket(s.Op.Size) : 0;
            _features.Hit(code << 8 | size << 2 | s.Result);
            _features.HitAlone(0x40000 + (prev << 6 | code << 2 | s.Result));
            _features.HitAlone(0x10000 + (Math.Min(s.Segments, 31) << 8 | Bucket((ulong)s.Live)));
            if (s.Leaked) _features.HitAlone(0x60000 + code);
            prev = code << 2 | s.Result;
        });
        _features.HitAlone(0x20000 + (int)r.Outcome.Kind);
        DsaWorkload w = d.Workload;
        _features.HitAlone(0x30000 + ((int)w.Profile << 4 | (w.FixSuperblockSpanLeak ? 2 : 0) | (w.FixRootPageLeak ? 1 : 0)) << 8
            | Array.IndexOf(DsaCodec.Shapes, (w.InitSegmentSize, w.Limit)) << 2 | w.Backends);
        if (r.LostPages > 0) _features.HitAlone(0x70000 + (int)Math.Min(r.LostPages, 255));
        if (r.Outcome.IsFailure) _features.HitAlone(0x50000 + (StableName.Hash31(r.Outcome.Site) & 0xFFFF));
        return r.Outcome;
    }

    public Outcome ExecuteTraced(ReadOnlySpan<byte> input, TextWriter trace) =>
        new DsaRunner(Decode(input).Workload).Run(Decode(input).Ops, trace).Outcome;

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input)
    {
        DsaCodec.Decoded d = Decode(input);
        var lines = new List<string>(d.Ops.Count + 1) { $"# {d.Workload}" };
        for (int i = 0; i < d.Ops.Count; i++) lines.Add($"{i,3}: {DsaOpText.Instance.Format(d.Ops[i])}");
        return lines;
    }

    private static int Bucket(ulong n) => n <= 3 ? (int)n : Math.Min(2 + System.Numerics.BitOperations.Log2(n), 63);

    // ------------------------------------------------------------------ structure-aware mutation

    private static int Records(int length) => Math.Max(0, (length - DsaCodec.HeaderSize) / DsaCodec.RecordSize);

    public byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength) =>
        RecordMutations.Mutate(input, other, rng, maxLength, DsaCodec.HeaderSize, DsaCodec.RecordSize);

    public int UnitCount(ReadOnlySpan<byte> input) => Records(input.Length);

    public byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count) =>
        RecordMutations.WithoutRecords(input, start, count, DsaCodec.HeaderSize, DsaCodec.RecordSize);

    /// <summary>Simpler forms of one record: backend 0 and the smallest size form, smaller
    /// parameters, no flags.</summary>
    public IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index) =>
        RecordMutations.RecordVariants(input, index, DsaCodec.HeaderSize, DsaCodec.RecordSize,
            (c, at) => c[at] &= 0xCF, (c, at) => c[at + 1] = 0, (c, at) => c[at + 1] /= 2, (c, at) => c[at + 2] = 0, (c, at) => c[at + 3] = 0);
}
