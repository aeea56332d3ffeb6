// Tests of the engine's coverage bookkeeping: AFL hit-count buckets, virgin-map novelty, FeatureMap.
using Harness.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class CoverageTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(7, 8)]
    [InlineData(8, 16)]
    [InlineData(15, 16)]
    [InlineData(16, 32)]
    [InlineData(31, 32)]
    [InlineData(32, 64)]
    [InlineData(127, 64)]
    [InlineData(128, 128)]
    [InlineData(255, 128)]
    public void HitCountBuckets_MatchAflClasses(int count, int bucket) =>
        Assert.Equal((byte)bucket, HitCountBuckets.Of((byte)count));

    [Fact]
    public void VirginMap_NewEdge_ThenNewBucket_ThenNothing()
    {
        var v = new VirginMap(64);
        var trace = new byte[64];
        trace[5] = 1;
        Assert.Equal(new Novelty(1, 0), v.Evaluate(trace, commit: true));
        Assert.False(v.Evaluate(trace, commit: true).IsNew);
        trace[5] = 2; // same edge, new bucket
        Assert.Equal(new Novelty(0, 1), v.Evaluate(trace, commit: false));
        Assert.Equal(new Novelty(0, 1), v.Evaluate(trace, commit: true)); // not committed before
        trace[5] = 9; // 8-15
        v.Evaluate(trace, commit: true);
        trace[5] = 14; // same bucket as 9: nothing new
        Assert.False(v.Evaluate(trace, commit: false).IsNew);
        trace[63] = 200;
        Assert.Equal(new Novelty(1, 0), v.Evaluate(trace, commit: true));
        Assert.Equal(2, v.Edges);
        Assert.Equal(4, v.Features);
    }

    [Fact]
    public void VirginMap_FeaturesOf_ListsCellAndBucketBit()
    {
        var trace = new byte[16];
        trace[0] = 1;
        trace[9] = 5;
        var list = new List<int>();
        VirginMap.FeaturesOf(trace, 100, list);
        Assert.Equal([100 * 8 + 0, 109 * 8 + 3], list);
    }

    [Fact]
    public void FeatureMap_RecordsEdgesNotJustNodes_AndSaturates()
    {
        var a = new FeatureMap(10);
        a.Hit(1);
        a.Hit(2);
        var ab = a.Current.ToArray();
        a.Reset();
        a.Hit(2);
        a.Hit(1);
        Assert.False(ab.AsSpan().SequenceEqual(a.Current)); // order matters: edges, not sets
        a.Reset();
        for (int i = 0; i < 1000; i++) a.HitAlone(7);
        Assert.Equal(255, a.Current.ToArray().Max());
    }
}
