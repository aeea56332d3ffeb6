// PropertyRunSpec.RampCases: a run ten times longer than the gate's, with the size ramped over the
// gate's budget, draws exactly the gate run's lists up to that budget, so time-to-bug counts cases
// on the schedule the gate runs; and the default keeps every property at Config.Quick's start and
// EndSize 50, the schedule the gate has always run.
using Allocator.Mmgr;
using FsCheck;
using Harness.Properties;
using Harness.Systems.Mmgr.Properties;
using Xunit;

namespace Harness.Tests.Properties;

public sealed class SizeRampTests
{
    [Fact]
    public void The_default_schedule_is_config_quicks_start_and_end_size_50()
    {
        Assert.Equal(PropertyRunSpec.StartSize, Config.Quick.StartSize);
        Assert.Equal(50, new PropertyRunSpec(1, 1, 3000, 64).ConfiguredEndSize);
        Assert.Equal(50, new PropertyRunSpec(1, 1, 3000, 64, RampCases: 3000).ConfiguredEndSize);
        Assert.Equal(491, new PropertyRunSpec(1, 1, 30000, 64, RampCases: 3000).ConfiguredEndSize);
    }

    [Fact]
    public void A_long_run_ramped_over_the_gate_budget_fails_at_the_gate_runs_case()
    {
        PropertyGateCanary c = AllocatorProperties.Suite.GateCanaries.Single(x => x.Canary == nameof(AllocatorCanary.GenerationFreeblockExactFitRefused));
        IPropertyRun run = AllocatorProperties.Suite.Get(c.Property).Create(c.Checking, c.Canary);
        PropertyReport gate = run.Check(new PropertyRunSpec(7, PropertyRunSpec.DefaultGamma, c.Cases, c.Ops));
        PropertyReport ramped = run.Check(new PropertyRunSpec(7, PropertyRunSpec.DefaultGamma, c.Cases * 10, c.Ops, RampCases: c.Cases));
        PropertyReport unramped = run.Check(new PropertyRunSpec(7, PropertyRunSpec.DefaultGamma, c.Cases * 10, c.Ops));
        Assert.NotNull(gate.Failure);
        Assert.Equal(gate.Cases, ramped.Cases);
        Assert.Equal(gate.Failure!.Size, ramped.Failure!.Size);
        // without the ramp the lists stay shorter for longer, and the same seed fails elsewhere
        Assert.NotEqual(gate.Cases, unramped.Cases);
    }
}
