// Strategy self-tests: PCT learns k and places d-1 change points; yields demote; fair PCT turns
// random after its prefix; every strategy only ever picks an enabled backend.
using Harness.Explore.Strategies;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class StrategyTests
{
    [Fact]
    public void Pct_learns_the_step_count_and_uses_d_minus_one_change_points()
    {
        var pct = new PctStrategy(5, depth: 3);
        pct.BeginIteration(0, 3);
        Assert.Contains("change-points=[]", pct.Describe(), StringComparison.Ordinal);
        pct.EndIteration(40);
        Assert.Equal(40, pct.LearnedSteps);
        pct.BeginIteration(1, 3);
        string d = pct.Describe();
        Assert.Contains("k=40", d, StringComparison.Ordinal);
        Assert.Equal(2, d[(d.IndexOf('[') + 1)..d.IndexOf(']')].Split(',').Length);
    }

    [Fact]
    public void Pct_demotes_a_yielding_backend()
    {
        var pct = new PctStrategy(9, depth: 1);
        pct.BeginIteration(0, 2);
        int first = pct.Choose(0b11, -1, false, 0);
        Assert.Equal(first, pct.Choose(0b11, first, false, 1));
        Assert.Equal(1 - first, pct.Choose(0b11, first, true, 2));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("probabilistic")]
    [InlineData("pct")]
    [InlineData("fair-pct")]
    [InlineData("portfolio")]
    public void Strategies_choose_only_enabled_backends(string name)
    {
        ISchedulingStrategyCheck(StrategyFactory.Create(name, 17));
    }

    private static void ISchedulingStrategyCheck(Harness.Explore.ISchedulingStrategy s)
    {
        var prng = new Allocator.Common.Prng(3);
        for (int it = 0; it < 20; it++)
        {
            s.BeginIteration(it, 5);
            int prev = -1;
            for (int d = 0; d < 200; d++)
            {
                ulong enabled;
                do enabled = prng.NextU64() & 0x1F; while (System.Numerics.BitOperations.PopCount(enabled) < 2);
                int c = s.Choose(enabled, prev, prng.Chance(1, 8), d);
                Assert.True((enabled & (1UL << c)) != 0);
                prev = c;
            }
            s.EndIteration(200);
        }
    }

    [Fact]
    public void Fair_pct_is_fair_and_pct_is_not()
    {
        Assert.True(new FairPctStrategy(1).IsFair);
        Assert.False(new PctStrategy(1).IsFair);
        Assert.True(new RandomStrategy(1).IsFair);
    }
}
