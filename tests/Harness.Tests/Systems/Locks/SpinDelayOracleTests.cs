// The spin-delay oracle (SpinDelayRunner, SpinDelayProperties): the faithful port passes hand-made
// op lists that reach the wrap and the stuck-spinlock PANIC, and the FsCheck property as an
// FsCheck.Xunit [Property]; the comparison names the first sleep that differs (a delay clamped at
// MAX_DELAY_USEC instead of wrapped, a PANIC one sleep early); the op text round-trips; the gate
// runs the property and reaches locks/spin-delayed.
using FsCheck;
using FsCheck.Xunit;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Locks;
using Harness.Systems.Locks.Oracle;
using Harness.Systems.Locks.Properties;
using Harness.Tests.Properties;
using Models.Locks;
using Xunit;
using Outcome = Harness.Core.Outcome;

namespace Harness.Tests.Systems.Locks;

public sealed class SpinDelayOracleTests
{
    private const string Replay = "20261203,11400714819323198485";

    public static class Ops24
    {
        public static Arbitrary<SpinWaitOp[]> Ops() => SpinDelayGen.Arbitrary(24);
    }

    [Property(Replay = Replay, MaxTest = 60, EndSize = 50, Arbitrary = [typeof(Ops24)])]
    public FsCheck.Property Spin_delay_checking_on(SpinWaitOp[] ops) =>
        XunitProperty.Check(SpinDelayProperties.Create(true), ops, Replay, 24);

    [Fact]
    public void The_faithful_port_matches_the_model_through_the_wrap_the_panic_and_restarts()
    {
        IReadOnlyList<SpinWaitOp> ops = SpinWaitOpText.Instance.ParseLines("""
            wait 0x+5 uniform 1
            wait 13x+0 max
            free
            wait 2x-1 half
            restart
            wait 40x+7 uniform 99
            stuck uniform 3
            wait 1x+0 zero
            restart
            """);
        var runner = new SpinDelayRunner(checking: true);
        var trace = new StringWriter();
        Outcome o = runner.Run(ops, trace);
        Assert.False(o.IsFailure, o + "\n" + trace);
        Assert.Equal((1UL << LocksReach.SpinDelayGoals.Count) - 1, runner.Reach.Bits);
        string t = trace.ToString();
        Assert.Contains("1: wait 13x+0 max: 2600 failed spins at spins_per_delay 200; port: 13 sleep(s) (1000, 2000, 4000, 8000, 16000, ..., 4000 us), S_LOCK returned 13", t);
        Assert.Contains("PANIC after failed spin", t);
    }

    [Fact]
    public void A_delay_clamped_at_the_maximum_is_named_at_the_sleep_after_the_wrap()
    {
        List<SpinSleep> model = new SpinDelayModel().Wait(12 * 100, () => SpinDraws.JustBelowOne).Sleeps.ToList();
        List<SpinSleep> clamped = [.. model];
        clamped[10] = clamped[10] with { Usec = SpinDelayModel.MaxDelayUsec };
        Assert.Null(SpinDelayRunner.CompareSleeps(model, model));
        Assert.Equal("sleep 11: the port slept 1000000 us after failed spin 1100, the model 1000 us after failed spin 1100 (previous sleep 512000 us)",
            SpinDelayRunner.CompareSleeps(clamped, model));
    }

    [Fact]
    public void A_panic_one_sleep_early_is_a_missing_sleep()
    {
        List<SpinSleep> model = new SpinDelayModel().Wait(SpinDelayModel.Forever, () => 0.0).Sleeps.ToList();
        Assert.Equal(SpinDelayModel.NumDelays, model.Count);
        string? diff = SpinDelayRunner.CompareSleeps(model.Take(SpinDelayModel.NumDelays - 1).ToList(), model);
        Assert.Equal("the port slept 999 times, the model 1000; first missing sleep 1000 us after failed spin 100000", diff);
    }

    [Fact]
    public void Sleeps_after_the_wrong_spin_differ()
    {
        List<SpinSleep> model = [new(100, 1000), new(200, 1500)];
        Assert.StartsWith("sleep 2: the port slept 1500 us after failed spin 201", SpinDelayRunner.CompareSleeps([new(100, 1000), new(201, 1500)], model));
    }

    [Theory]
    [InlineData("free")]
    [InlineData("restart")]
    [InlineData("wait 0x+0 zero")]
    [InlineData("wait 12x+3 uniform 77")]
    [InlineData("wait 4x-1 max")]
    [InlineData("stuck half")]
    [InlineData("stuck uniform 4294967295")]
    public void Op_text_round_trips(string line) =>
        Assert.Equal(line, SpinWaitOpText.Instance.Format(SpinWaitOpText.ParseLine(line)));

    [Theory]
    [InlineData("wait 12 max")]
    [InlineData("wait 12x3 max")]
    [InlineData("wait 1x+0 uniform")]
    [InlineData("wait 1x+0 max 5")]
    [InlineData("stuck")]
    [InlineData("sleep 3")]
    public void Bad_op_lines_are_refused(string line) =>
        Assert.Throws<FormatException>(() => SpinWaitOpText.ParseLine(line));

    [Fact]
    public void A_wait_is_at_least_zero_spins() =>
        Assert.Equal(0L, SpinWaitOp.Wait(0, -1, DrawProfile.Zero).FailedSpins(100));

    [Fact]
    public void The_gate_runs_the_property_and_reaches_spin_delayed()
    {
        PropertySuite suite = SystemRegistry.Default.Get(LocksSystem.SystemName).Parts.OfType<PropertySuite>().Single();
        PropertyGateCase g = Assert.Single(suite.Gate, c => c.Property == SpinDelayProperties.SpinDelay);
        PropertyReport r = suite.Get(g.Property).Create(g.Checking, PropertySuite.NoCanary)
            .Check(new PropertyRunSpec(7, PropertyRunSpec.DefaultGamma, g.Cases, g.Ops));
        Assert.True(r.Passed, r.Summary);
        Assert.All(LocksReach.SpinDelayGoals, goal => Assert.True(r.Reach!.HitsOf(goal) > 0, $"{goal.Key} not reached in {g.Cases} cases"));
    }
}
