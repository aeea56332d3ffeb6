// BufferFuzzTarget: the buffer manager as a fuzz target. Bytes -> BufferCodec (total) -> a workload
// and op list -> BufferRunner (port against BufferModel after every op, BufMgrCheck's walk of the
// pool in checking mode, pins compared every op, durability checked at every crash) -> an Outcome.
//
// Its own features, so the engine climbs even without IL coverage: which op follows which, what
// happened to each op (done, skipped, an expected ERROR, a fault's ERROR, a crash), the pool size
// and backend count, and bucketed counts of skips, errors and crashes.
using Allocator.Buffers;
using Allocator.Common;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Fuzz;

public sealed class BufferFuzzTarget : IFuzzTarget, IStructureAware, ITargetFeatures, ITraceableTarget, IReachReporter
{
    public const string TargetName = "buffers";

    private readonly FeatureMap _features = new(14);
    // One runner (and so one pool) per pool shape: at most 4 backend counts x 8 pool sizes.
    private readonly Dictionary<(int Backends, int NBuffers), BufferRunner> _runners = new();
    private readonly BufferCanary _canary;
    private readonly bool _checking;

    public BufferFuzzTarget(FuzzTargetConfig config, bool checking = true)
    {
        Config = config;
        _canary = BuffersSystem.ParseCanary(config.Canary);
        _checking = checking;
    }

    public FuzzTargetConfig Config { get; }

    public string Name => TargetName;

    public ICoverageSource Features => _features;

    public IReadOnlyList<byte[]> Dictionary => BufferDictionary.Tokens;

    /// <summary>One set of hits for every runner (an input picks its workload's runner).</summary>
    public ReachHits Reach { get; } = new(BuffersReach.RunnerGoals);

    private BufferRunner Runner(BufferWorkload w)
    {
        if (!_runners.TryGetValue((w.Backends, w.NBuffers), out BufferRunner? r))
            _runners[(w.Backends, w.NBuffers)] = r = new BufferRunner(new BufferRunOptions(w, _checking, _canary) { CheckEvery = CheckEvery }) { Reach = Reach };
        return r;
    }

    /// <summary>The pool walk (BufMgrCheck, W1) runs after every k-th operation and at the end; the
    /// model, the pins and the predicted ERRORs are compared after every operation regardless.</summary>
    public const int CheckEvery = 8;

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        BufferCodec.Decoded d = BufferCodec.Decode(input, Config.OpsMax);
        BufferRunner runner = Runner(d.Workload);
        int prev = 0xFF;
        BufferRunResult r = runner.Run(d.Workload, d.Ops, null, (op, result) =>
        {
            int code = (int)op.Code;
            _features.Hit(code * 8 + (int)result);
            _features.HitAlone(0x40000 + (prev << 8 | code));
            prev = code;
        });
        _features.HitAlone(0x10000 + (int)r.Outcome.Kind);
        _features.HitAlone(0x20000 + (d.Workload.NBuffers << 4 | d.Workload.Backends));
        _features.HitAlone(0x30000 + (CountBucket(r.Skipped) << 12 | CountBucket(r.Errors) << 6 | CountBucket(r.Crashes)));
        if (r.Outcome.IsFailure) _features.HitAlone(0x50000 + (StableName.Hash31(r.Outcome.Site) & 0xFFFF));
        return r.Outcome;
    }

    public Outcome ExecuteTraced(ReadOnlySpan<byte> input, TextWriter trace)
    {
        BufferCodec.Decoded d = BufferCodec.Decode(input, Config.OpsMax);
        return Runner(d.Workload).Run(d.Workload, d.Ops, trace).Outcome;
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input)
    {
        BufferCodec.Decoded d = BufferCodec.Decode(input, Config.OpsMax);
        var lines = new List<string>(d.Ops.Count + 1) { $"# {d.Workload}" };
        for (int i = 0; i < d.Ops.Count; i++) lines.Add($"{i,3}: {d.Ops[i]}");
        return lines;
    }

    // ------------------------------------------------------------------ structure-aware mutation

    public byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength) =>
        RecordMutations.Mutate(input, other, rng, maxLength, BufferCodec.HeaderSize, BufferCodec.RecordSize);

    public int UnitCount(ReadOnlySpan<byte> input) => BufferCodec.Decode(input, Config.OpsMax).Ops.Count;

    public byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count)
    {
        int records = Math.Max(0, (input.Length - BufferCodec.HeaderSize) / BufferCodec.RecordSize);
        var bytes = new List<byte>(input[..Math.Min(input.Length, BufferCodec.HeaderSize + records * BufferCodec.RecordSize)].ToArray());
        if (start >= records) return bytes.ToArray();
        count = Math.Min(count, records - start);
        bytes.RemoveRange(BufferCodec.HeaderSize + start * BufferCodec.RecordSize, count * BufferCodec.RecordSize);
        return bytes.ToArray();
    }

    /// <summary>Simpler forms of one record: backend 0, relation 0, mode 0, block/pin 0.</summary>
    public IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index)
    {
        int at = BufferCodec.HeaderSize + index * BufferCodec.RecordSize;
        if (at + BufferCodec.RecordSize > input.Length) return [];
        var result = new List<byte[]>();
        byte[] orig = input.ToArray();
        void Try(Action<byte[]> change)
        {
            byte[] c = (byte[])orig.Clone();
            change(c);
            if (!c.AsSpan().SequenceEqual(orig)) result.Add(c);
        }
        Try(c => c[at + 1] = 0);
        Try(c => c[at + 1] &= 0xF0);
        Try(c => c[at + 1] &= 0x0F);
        Try(c => c[at + 2] = 0);
        Try(c => c[at + 3] = 0);
        return result;
    }

    private static int CountBucket(int n) => n <= 3 ? Math.Max(n, 0) : Math.Min(2 + System.Numerics.BitOperations.Log2((uint)n), 63);
}
