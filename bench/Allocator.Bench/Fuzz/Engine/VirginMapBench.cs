// VirginMapBench: the engine's per-execution novelty scan on a realistic IL trace: a 64 KiB map
// with a few thousand non-zero cells in clusters (an allocator execution sets ~2,800 IL edges) and
// a campaign that has already seen all of them (the common "nothing new" case). Baseline is the
// scan as it was before (skip zero 8-byte words, then cell by cell through the byte bucket table),
// kept here verbatim in behaviour; Evaluate and HasNews are today's VirginMap, in the same run.
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*VirginMapBench*' --job short
using System.Runtime.InteropServices;
using Allocator.Common;
using BenchmarkDotNet.Attributes;
using Harness.Fuzz.Engine;

namespace Allocator.Bench.Fuzz.Engine;

[MemoryDiagnoser]
public class VirginMapBench
{
    private const int Size = 1 << 16;
    private byte[] _trace = null!;
    private byte[] _seenCopy = null!;
    private VirginMap _map = null!;

    /// <summary>Non-zero cells of the trace.</summary>
    [Params(300, 3000)]
    public int NonZero { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Prng(42);
        _trace = new byte[Size];
        for (int k = 0; k < NonZero;)
        {
            int at = rng.Index(Size);
            for (int c = 0; c < 6 && k < NonZero; c++, k++) _trace[(at + c) % Size] = (byte)(1 + rng.Index(rng.Chance(1, 4) ? 200 : 3));
        }
        _map = new VirginMap(Size);
        _map.Evaluate(_trace, commit: true);
        _seenCopy = _map.Seen.ToArray();
        if (_map.HasNews(_trace) || BaselineEvaluate(_seenCopy, _trace, commit: false) != default)
            throw new InvalidOperationException("the benchmark trace must be old news");
    }

    [Benchmark(Baseline = true)]
    public Novelty Baseline() => BaselineEvaluate(_seenCopy, _trace, commit: false);

    [Benchmark]
    public Novelty Evaluate() => _map.Evaluate(_trace, commit: false);

    [Benchmark]
    public bool HasNews() => _map.HasNews(_trace);

    // The previous VirginMap.Evaluate, unchanged in behaviour and shape: the baseline.
    private static Novelty BaselineEvaluate(byte[] seenMap, ReadOnlySpan<byte> trace, bool commit)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(trace);
        ReadOnlySpan<byte> table = HitCountBuckets.Table;
        int newEdges = 0, newBuckets = 0;
        for (int w = 0; w < words.Length; w++)
        {
            if (words[w] == 0) continue;
            int baseIndex = w * 8;
            for (int i = baseIndex; i < baseIndex + 8; i++)
            {
                byte raw = trace[i];
                if (raw == 0) continue;
                byte bucket = table[raw];
                byte seen = seenMap[i];
                if ((bucket & ~seen) == 0) continue;
                if (seen == 0) newEdges++;
                else newBuckets++;
                if (commit) seenMap[i] = (byte)(seen | bucket);
            }
        }
        return new Novelty(newEdges, newBuckets);
    }
}
