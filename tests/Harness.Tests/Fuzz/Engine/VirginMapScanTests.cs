// Tests of VirginMap's fast scan (zero-stretch skipping, word-wise bucket classification) against
// a plain cell-by-cell reference, on random sparse and dense traces over a growing campaign: the
// counts, the committed bits, HasNews and a captured (sparse) trace all agree bit for bit.
using Allocator.Common;
using Harness.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class VirginMapScanTests
{
    // The obvious definition: every cell, one at a time.
    private static Novelty Reference(byte[] seen, ReadOnlySpan<byte> trace, bool commit)
    {
        int edges = 0, buckets = 0;
        for (int i = 0; i < trace.Length; i++)
        {
            byte b = HitCountBuckets.Of(trace[i]);
            if ((b & ~seen[i]) == 0) continue;
            if (seen[i] == 0) edges++;
            else buckets++;
            if (commit) seen[i] |= b;
        }
        return new Novelty(edges, buckets);
    }

    private static byte[] RandomTrace(Prng rng, int size, int nonZero, int clusterOf)
    {
        var t = new byte[size];
        for (int k = 0; k < nonZero;)
        {
            int at = rng.Index(size);
            for (int c = 0; c < clusterOf && k < nonZero; c++, k++)
            {
                // Mostly small counts (the common case), sometimes the bucket edges and saturation.
                int cell = (at + c) % size;
                t[cell] = rng.Chance(1, 8) ? (byte)rng.Index(256) : (byte)(1 + rng.Index(4));
            }
        }
        return t;
    }

    [Theory]
    [InlineData(1, 65536, 3000, 6)]
    [InlineData(2, 65536, 40, 1)]
    [InlineData(3, 4096, 4000, 16)]   // dense: most words non-zero
    [InlineData(4, 64, 10, 3)]
    [InlineData(5, 16384, 0, 1)]      // empty traces
    public void FastScan_AgreesWithCellByCellReference(ulong seed, int size, int nonZero, int clusterOf)
    {
        var rng = new Prng(seed);
        var map = new VirginMap(size);
        var seen = new byte[size];
        for (int round = 0; round < 60; round++)
        {
            byte[] trace = RandomTrace(rng, size, nonZero, clusterOf);
            bool commit = rng.Chance(2, 3);
            Novelty expected = Reference((byte[])seen.Clone(), trace, commit: false);
            Assert.Equal(expected.IsNew, map.HasNews(trace));
            Novelty viaCapture = new VirginMap(size).Evaluate(VirginMap.Capture(trace), commit: false);
            Assert.Equal(Reference(new byte[size], trace, false), viaCapture);
            Assert.Equal(Reference(seen, trace, commit), map.Evaluate(trace, commit));
            Assert.Equal(seen, map.Seen.ToArray());
        }
        Assert.Equal(seen.Count(b => b != 0), map.Edges);
        Assert.Equal(seen.Sum(b => System.Numerics.BitOperations.PopCount(b)), map.Features);
    }

    [Fact]
    public void CommitOfCapture_EqualsCommitOfFullTrace_InOrder()
    {
        // The parallel engine's split: judge against a snapshot, capture, commit captures in order.
        var rng = new Prng(11);
        var direct = new VirginMap(65536);
        var split = new VirginMap(65536);
        var traces = Enumerable.Range(0, 40).Select(_ => RandomTrace(rng, 65536, 500, 8)).ToList();
        var captures = traces.Select(t => split.HasNews(t) ? VirginMap.Capture(t) : null).ToList();
        for (int i = 0; i < traces.Count; i++)
        {
            Novelty d = direct.Evaluate(traces[i], commit: true);
            Novelty s = captures[i] is SparseTrace c ? split.Evaluate(c, commit: true) : default;
            Assert.Equal(d, s);
        }
        Assert.Equal(direct.Seen.ToArray(), split.Seen.ToArray());
        Assert.Equal(direct.Features, split.Features);
    }

    [Fact]
    public void Capture_ListsNonZeroCellsAscending_WithBuckets()
    {
        var trace = new byte[32];
        trace[0] = 1;
        trace[7] = 3;
        trace[8] = 200;
        trace[31] = 16;
        SparseTrace s = VirginMap.Capture(trace);
        Assert.Equal([0, 7, 8, 31], s.Cells);
        Assert.Equal([(byte)1, (byte)4, (byte)128, (byte)32], s.Buckets);
    }

    [Fact]
    public void Table16_ClassifiesBothBytes()
    {
        for (int v = 0; v < 65536; v += 257)
            Assert.Equal(HitCountBuckets.Of((byte)v) | HitCountBuckets.Of((byte)(v >> 8)) << 8, HitCountBuckets.Table16[v]);
    }

    [Fact]
    public void Evaluate_RejectsWrongLengthAndOutOfRangeCells()
    {
        var v = new VirginMap(64);
        Assert.Throws<ArgumentException>(() => v.Evaluate(new byte[128], commit: false));
        Assert.Throws<ArgumentException>(() => v.HasNews(new byte[8]));
        Assert.Throws<ArgumentException>(() => v.Evaluate(new SparseTrace([64], [1]), commit: true));
    }
}
