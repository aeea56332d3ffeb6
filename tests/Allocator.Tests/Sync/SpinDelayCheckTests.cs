// SpinDelayCheck (SD1-SD4): each corruption of s_lock.c's bounded state is reported under its
// number, through LWLockCheck too (which runs it); states perform_spin_delay produces pass SD4.
using Allocator.Sync;
using Xunit;
using static Allocator.Sync.SLockConstants;

namespace Allocator.Tests.Sync;

public sealed class SpinDelayCheckTests
{
    private static void AssertOnly(List<string> errs, string id)
    {
        Assert.Single(errs);
        Assert.StartsWith(id + ":", errs[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Fresh_segment_passes()
    {
        var g = new ProductionBackends(2, 1, spinlocks: 2);
        Assert.Empty(SpinDelayCheck.Check(g.Segment, g.Backends));
    }

    [Theory]
    [InlineData(MIN_SPINS_PER_DELAY - 1)]
    [InlineData(MAX_SPINS_PER_DELAY + 1)]
    public void Shared_spins_per_delay_out_of_bounds_is_SD1(int value)
    {
        var g = new ProductionBackends(1, 0);
        g.Segment.InitMemory.WriteU32(g.Segment.SharedSpinsPerDelayAddr, (uint)value);
        AssertOnly(SpinDelayCheck.Check(g.Segment, g.Backends), "SD1");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(MAX_SPINS_PER_DELAY + 100)]
    public void Backend_spins_per_delay_out_of_bounds_is_SD2(int value)
    {
        var g = new ProductionBackends(2, 0);
        g.Backends[1].spins_per_delay = value;
        AssertOnly(SpinDelayCheck.Check(g.Segment, g.Backends), "SD2");
    }

    [Fact]
    public void Held_spinlock_at_quiescence_is_SD3_and_LWLockCheck_reports_it()
    {
        var g = new ProductionBackends(1, 1, spinlocks: 2);
        SLock.S_LOCK(g.Backends[0], g.Segment.SpinLockAddr(1));
        AssertOnly(SpinDelayCheck.Check(g.Segment, g.Backends), "SD3");
        Assert.Contains(LWLockCheck.Check(g.Segment, g.Backends, final: true), e => e.StartsWith("SD3:", StringComparison.Ordinal));
        SLock.S_UNLOCK(g.Backends[0], g.Segment.SpinLockAddr(1));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Spin_wait_state_within_s_lock_bounds_passes_SD4()
    {
        var s = SpinDelayStatus.Init(0, "f", 1, "fn");
        Assert.Null(SpinDelayCheck.CheckStatus(s, MIN_SPINS_PER_DELAY));
        s.spins = MIN_SPINS_PER_DELAY - 1;
        Assert.Null(SpinDelayCheck.CheckStatus(s, MIN_SPINS_PER_DELAY));
        s = s with { spins = 0, delays = NUM_DELAYS, cur_delay = MAX_DELAY_USEC };
        Assert.Null(SpinDelayCheck.CheckStatus(s, MIN_SPINS_PER_DELAY));
    }

    [Theory]
    [InlineData(10, 0, 0, "spins")]         // spins reached spins_per_delay without a delay
    [InlineData(-1, 0, 0, "spins")]
    [InlineData(0, NUM_DELAYS + 1, MIN_DELAY_USEC, "delays")]
    [InlineData(0, 1, 0, "cur_delay")]       // a delay happened but no sleep length
    [InlineData(0, 0, MIN_DELAY_USEC, "cur_delay")] // a sleep length with no delay
    [InlineData(0, 3, MIN_DELAY_USEC - 1, "cur_delay")]
    [InlineData(0, 3, MAX_DELAY_USEC + 1, "cur_delay")] // perform_spin_delay wraps past the maximum
    public void Spin_wait_state_out_of_bounds_is_SD4(int spins, int delays, int curDelay, string field)
    {
        var s = SpinDelayStatus.Init(0, "s_lock.c", 1, "fn") with { spins = spins, delays = delays, cur_delay = curDelay };
        string? v = SpinDelayCheck.CheckStatus(s, MIN_SPINS_PER_DELAY);
        Assert.NotNull(v);
        Assert.StartsWith("SD4:", v, StringComparison.Ordinal);
        Assert.Contains(field, v, StringComparison.Ordinal);
    }
}
