// DiffFuzzTarget: live differential fuzzing of the memory contexts against PostgreSQL's own C.
// Every input (the mmgr target's byte codec: AllocatorCodec) is decoded to ops, replayed on the
// port (GoldenReplayer) and on a long-running C driver (CDriverProcess), and the two texts are
// compared line by line: any difference in a result, a stats counter, a chunk offset or space, or
// the heap is a finding (ModelMismatch at the differing op, site "diff/<op>/<line kind>").
//
// Structure-aware mutation and the dictionary are the mmgr target's (delegated), so the campaign
// mutates ops, not bytes. Feedback: the same op/size-class features as AllocatorFuzzTarget plus
// the observed results (each op's result word), so inputs reaching new ERRORs, NULLs or skips are
// kept. Hostile ops decode but both sides skip them (their reactions are the oracle runner's).
using Allocator.Common;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Mmgr.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Golden;

public sealed class DiffFuzzTarget : IFuzzTarget, IStructureAware, ITargetFeatures, IDisposable
{
    public const string TargetName = "mmgr-diff";

    private readonly AllocatorFuzzTarget _codecs;
    private readonly GoldenReplayer _port;
    private readonly CDriverProcess _c;
    private readonly FeatureMap _features = new(14);

    /// <param name="driverPath">driver-prod or driver-chk (tools/pg-golden/mmgr/build.sh).</param>
    /// <param name="build">That driver's build (prod, chk, cas); the port is built alike.</param>
    /// <param name="heapMax">Both heaps' limit (DefaultHeapMax keeps fuzzed sizes cheap to run).</param>
    public DiffFuzzTarget(FuzzTargetConfig config, string driverPath, string build, ulong heapMax = DefaultHeapMax)
    {
        _codecs = new AllocatorFuzzTarget(config);
        _port = GoldenVectors.ReplayerFor(build, heapMax);
        _c = new CDriverProcess(driverPath, heapMax);
        Build = build;
        HeapMax = heapMax;
    }

    /// <summary>The mmgr target's heap limit, for the same reason: large sizes reach "out of
    /// memory" after a few ops instead of making every execution touch hundreds of MiB.</summary>
    public const ulong DefaultHeapMax = AllocatorFuzzTarget.HeapMax;

    public string Build { get; }

    /// <summary>Executions on which both sides died at the same op (GoldenVectors.BothCrashAtSameOp).</summary>
    public long BothCrashed { get; private set; }

    public ulong HeapMax { get; }

    public string Name => TargetName;

    public ICoverageSource Features => _features;

    /// <summary>The last execution's two texts (for writing a finding's vector).</summary>
    public string LastC { get; private set; } = "";
    public string LastPort { get; private set; } = "";

    public IReadOnlyList<AllocatorOp> Ops(ReadOnlySpan<byte> input) => _codecs.Decode(input).Ops;

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        IReadOnlyList<AllocatorOp> ops = Ops(input);
        foreach (AllocatorOp op in ops) _features.Hit((int)op.Code);
        try
        {
            LastPort = _port.Run(ops);
            LastC = _c.Run(ops);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            return new Outcome(OutcomeKind.Crash, -1, "diff/driver", $"the C driver failed: {e.Message}");
        }
        // results seen (ok, skip, null, p, ERROR <first words>), as features
        int opIndex = 0;
        foreach (string line in LastC.Split('\n'))
        {
            if (!line.StartsWith("  = ", StringComparison.Ordinal)) continue;
            string word = line.Length > 4 && line[4] == 'p' && line.Length > 5 && char.IsDigit(line[5]) ? "p" : line.Length > 40 ? line[..40] : line;
            _features.HitAlone(0x70000 + ((int)(StableName.Hash31(word) & 0xFFF) << 4 | (int)ops[Math.Min(opIndex, ops.Count - 1)].Code & 0xF));
            opIndex++;
        }
        string? diff = GoldenVectors.FirstDifference(LastC, LastPort);
        if (diff is null) return Outcome.Ok;
        if (GoldenVectors.BothCrashAtSameOp(LastC, LastPort))
        {
            // the same death on both sides is agreement (counted as a feature, not a finding)
            _features.HitAlone(0x7F000);
            BothCrashed++;
            return Outcome.Ok;
        }
        var (step, site) = Locate(LastC, LastPort, ops);
        _features.HitAlone(0x50000 + (StableName.Hash31(site) & 0xFFFF));
        return new Outcome(OutcomeKind.ModelMismatch, step, site, diff);
    }

    /// <summary>The differing op's index and a site naming the op and the kind of line
    /// (result, ctx, chunks, heap, stats, WARNING, crash, end).</summary>
    private static (int Step, string Site) Locate(string c, string port, IReadOnlyList<AllocatorOp> ops)
    {
        string[] a = c.Split('\n'), b = port.Split('\n');
        int step = -1;
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "", y = i < b.Length ? b[i] : "";
            if (x.Length > 0 && x[0] != ' ' && x != "end") step++;   // a "crash" line stands for the op that crashed
            if (x == y) continue;
            string kind = x.StartsWith("crash", StringComparison.Ordinal) ? "crash"
                : x.StartsWith("  = ", StringComparison.Ordinal) ? "result"
                : x.Length > 2 && x[0] == ' ' ? x.TrimStart().Split(' ', '=')[0]
                : x == "end" || y == "end" ? "end" : "op";
            string op = step >= 0 && step < ops.Count ? ops[step].Code.ToString() : "end";
            return (step, $"diff/{op}/{kind}");
        }
        return (step, "diff/none");
    }

    public IReadOnlyList<byte[]> Dictionary => _codecs.Dictionary;

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input) => _codecs.Disassemble(input);

    public byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength) =>
        _codecs.MutateStructure(input, other, rng, maxLength);

    public int UnitCount(ReadOnlySpan<byte> input) => _codecs.UnitCount(input);

    public byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count) => _codecs.WithoutUnits(input, start, count);

    public IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index) => _codecs.SimplifyUnit(input, index);

    public void Dispose() => _c.Dispose();
}
