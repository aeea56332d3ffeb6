// GenReach: runs lists sampled from an mmgr op-list generator on the faithful port and tallies the
// reach goals they hit, for the tests that show a shaped generator (SlabGen, GenerationGen) gets
// where the general one does not. Every list must pass: the faithful port never fails a case.
using FsCheck.Fluent;
using FsCheck;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Properties;

internal static class GenReach
{
    /// <summary>The fixed start every such test samples from.</summary>
    public static Rnd FixedStart => new(20261203, 0x9E3779B97F4A7C15);

    /// <summary>Samples <paramref name="lists"/> lists at FsCheck size 50 (lengths 1..maxOps;
    /// Sample takes the count first, then the seed and the size), runs each and tallies.</summary>
    public static ReachTally Tally(Gen<AllocatorOp[]> gen, bool checking, int lists)
    {
        var runner = new AllocatorRunner(RunnerOptions.ForChecking(checking));
        var tally = new ReachTally("test", runner.Reach.Goals);
        foreach (AllocatorOp[] ops in gen.Sample(lists, FixedStart, 50))
        {
            RunResult r = runner.Run(ops);
            Assert.True(r.Passed, $"{r.Outcome}\n{string.Join('\n', ops.Select(o => o.ToString()))}");
            tally.Record(runner.Reach);
        }
        Assert.Equal(lists, tally.Runs);
        return tally;
    }

    /// <summary>Runs a property gate canary at the gate's seed and budget; it must fail with the
    /// expected outcome kind, and the failure is returned for its site.</summary>
    public static PropertyFailure CaughtGateCanary(PropertySuite suite, string canary)
    {
        PropertyGateCanary c = suite.GateCanaries.Single(x => x.Canary == canary);
        PropertyReport r = suite.Get(c.Property).Create(c.Checking, c.Canary)
            .Check(new PropertyRunSpec(20261121, PropertyRunSpec.DefaultGamma, c.Cases, c.Ops));
        Assert.False(r.Passed, $"planted bug {canary} not caught");
        Assert.Equal(c.Expected, r.Failure!.Outcome.Kind);
        return r.Failure;
    }
}
