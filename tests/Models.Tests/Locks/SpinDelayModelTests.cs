// SpinDelayModel: hand-computed sleep sequences (growth, rounding, the wrap to the minimum), where
// the sleeps fall, the stuck-spinlock PANIC at its exact spin, finish_spin_delay's adaptation and
// update_spins_per_delay's truncating average; the constants against s_lock.c's and the port's.
using Allocator.Sync;
using Models.Locks;
using Xunit;

namespace Models.Tests.Locks;

public class SpinDelayModelTests
{
    private static readonly double JustBelowOne = Math.BitDecrement(1.0);

    private static int[] Usecs(SpinWaitPrediction p) => p.Sleeps.Select(s => s.Usec).ToArray();

    [Fact]
    public void Constants_are_s_lock_c_values_and_the_ports()
    {
        Assert.Equal((10, 1000, 100, 1000, 1000, 1_000_000),
            (SpinDelayModel.MinSpinsPerDelay, SpinDelayModel.MaxSpinsPerDelay, SpinDelayModel.DefaultSpinsPerDelay,
             SpinDelayModel.NumDelays, SpinDelayModel.MinDelayUsec, SpinDelayModel.MaxDelayUsec));
        Assert.Equal((SLockConstants.MIN_SPINS_PER_DELAY, SLockConstants.MAX_SPINS_PER_DELAY, SLockConstants.DEFAULT_SPINS_PER_DELAY,
                      SLockConstants.NUM_DELAYS, SLockConstants.MIN_DELAY_USEC, SLockConstants.MAX_DELAY_USEC),
            (SpinDelayModel.MinSpinsPerDelay, SpinDelayModel.MaxSpinsPerDelay, SpinDelayModel.DefaultSpinsPerDelay,
             SpinDelayModel.NumDelays, SpinDelayModel.MinDelayUsec, SpinDelayModel.MaxDelayUsec));
    }

    [Fact]
    public void The_largest_draw_doubles_the_delay_and_wraps_to_the_minimum_after_the_tenth_sleep()
    {
        var m = new SpinDelayModel();
        SpinWaitPrediction p = m.Wait(13 * 100, () => JustBelowOne);
        Assert.Equal([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 1000, 2000, 4000], Usecs(p));
        // 512000 doubled is 1024000 > MAX_DELAY_USEC: wrapped, not clamped to 1000000
        Assert.DoesNotContain(SpinDelayModel.MaxDelayUsec, Usecs(p));
    }

    [Fact]
    public void A_zero_draw_never_grows_the_delay()
    {
        SpinWaitPrediction p = new SpinDelayModel().Wait(5 * 100 + 99, () => 0.0);
        Assert.Equal([1000, 1000, 1000, 1000, 1000], Usecs(p));
    }

    [Fact]
    public void Growth_rounds_half_up_then_truncates()
    {
        // d + (int)(d * 0.5 + 0.5): 1000 -> +500, 1500 -> +750, 2250 -> +1125, 3375 -> +1688 (1687.5 + 0.5), 5063 -> +2532
        SpinWaitPrediction p = new SpinDelayModel().Wait(6 * 100, () => 0.5);
        Assert.Equal([1000, 1500, 2250, 3375, 5063, 7595], Usecs(p));
        Assert.Equal(1_000_000, SpinDelayModel.NextDelay(500_000, 1.0));        // exactly the maximum is kept
        Assert.Equal(1000, SpinDelayModel.NextDelay(500_001, JustBelowOne));    // one past it wraps
        Assert.Equal(1025, SpinDelayModel.NextDelay(1024, 1.0 / 2048));         // exactly 0.5 + 0.5 rounds up
        Assert.Equal(1001, SpinDelayModel.NextDelay(1000, 0.0006));
        Assert.Equal(1000, SpinDelayModel.NextDelay(1000, 0.0004));
    }

    [Fact]
    public void Sleeps_fall_on_every_spins_per_delay_th_failed_spin()
    {
        var m = new SpinDelayModel();
        SpinWaitPrediction p = m.Wait(350, () => 0.25);
        Assert.Equal([100L, 200L, 300L], p.Sleeps.Select(s => s.AfterSpin));
        Assert.Equal(3, p.Delays);
        Assert.False(p.Stuck);
        Assert.Equal(99, p.SpinsPerDelayAfter);
        Assert.Equal(99, m.SpinsPerDelay);
        // one short of the first sleep: none, and spinning is rewarded
        SpinWaitPrediction q = m.Wait(98, () => throw new InvalidOperationException("no sleep, no draw"));
        Assert.Empty(q.Sleeps);
        Assert.Equal(199, m.SpinsPerDelay);
        Assert.Equal([199L], m.Wait(199, () => 0.0).Sleeps.Select(s => s.AfterSpin));
    }

    [Fact]
    public void Spins_per_delay_rises_by_100_to_the_maximum_and_falls_by_1_to_the_minimum()
    {
        var m = new SpinDelayModel();
        var seen = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            m.Wait(0, () => 0.0);
            seen.Add(m.SpinsPerDelay);
        }
        Assert.Equal([200, 300, 400, 500, 600, 700, 800, 900, 1000, 1000], seen);
        for (int i = 0; i < 995; i++) m.Wait(m.SpinsPerDelay, () => 0.0);
        Assert.Equal(SpinDelayModel.MinSpinsPerDelay, m.SpinsPerDelay);
    }

    [Fact]
    public void A_lock_never_released_panics_at_sleep_NUM_DELAYS_plus_one_and_restarts_the_cluster()
    {
        var m = new SpinDelayModel();
        m.Wait(0, () => 0.0);                        // 200
        m.BackendRestart();                          // shared (100 * 15 + 200) / 16 = 106
        Assert.Equal(106, m.SharedSpinsPerDelay);
        int draws = 0;
        SpinWaitPrediction p = m.Wait(SpinDelayModel.Forever, () => { draws++; return 0.5; });
        Assert.True(p.Stuck);
        Assert.Equal(1000, p.Delays);
        Assert.Equal(1000, draws);
        Assert.Equal(1001L * 106, p.StuckAfterSpin);
        Assert.Equal(1000L * 106, p.Sleeps[^1].AfterSpin);
        Assert.Equal((100, 100), (m.SpinsPerDelay, m.SharedSpinsPerDelay));
        // one failed spin less is the longest wait that still gets the lock
        SpinWaitPrediction q = new SpinDelayModel().Wait(1001L * 100 - 1, () => 0.5);
        Assert.False(q.Stuck);
        Assert.Equal(1000, q.Delays);
        Assert.True(new SpinDelayModel().Wait(1001L * 100, () => 0.5).Stuck);
    }

    [Fact]
    public void A_backend_restart_folds_its_estimate_into_the_shared_one_truncating()
    {
        var m = new SpinDelayModel();
        for (int i = 0; i < 90; i++) m.Wait(m.SpinsPerDelay, () => 0.0);   // 100 -> 10
        Assert.Equal(10, m.SpinsPerDelay);
        m.BackendRestart();                                                  // (1500 + 10) / 16 = 94.375
        Assert.Equal((94, 94), (m.SharedSpinsPerDelay, m.SpinsPerDelay));
    }

    [Fact]
    public void Uniform_draws_stay_within_bounds_and_only_the_wrap_shortens_a_sleep()
    {
        ulong x = 12345;
        double Draw()
        {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            return (x >> 11) * (1.0 / (1UL << 53));
        }
        SpinWaitPrediction p = new SpinDelayModel().Wait(400 * 100, Draw);
        Assert.Equal(400, p.Delays);
        for (int k = 1; k < p.Sleeps.Count; k++)
        {
            Assert.InRange(p.Sleeps[k].Usec, SpinDelayModel.MinDelayUsec, SpinDelayModel.MaxDelayUsec);
            if (p.Sleeps[k].Usec < p.Sleeps[k - 1].Usec) Assert.Equal(SpinDelayModel.MinDelayUsec, p.Sleeps[k].Usec);
            else Assert.InRange(p.Sleeps[k].Usec, p.Sleeps[k - 1].Usec, 2 * p.Sleeps[k - 1].Usec);
        }
        Assert.Contains(p.Sleeps.Skip(1), s => s.Usec == SpinDelayModel.MinDelayUsec);
    }
}
