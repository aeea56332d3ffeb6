// s_lock.c behaviour: S_LOCK/S_UNLOCK, spins_per_delay adaptation and the shared decaying average.
using Allocator.Sync;
using Xunit;
using static Allocator.Sync.SLockConstants;

namespace Allocator.Tests.Sync;

public sealed class SLockTests
{
    [Fact]
    public void Uncontended_lock_takes_no_delay_and_release_frees_it()
    {
        var g = new ProductionBackends(1, 0, spinlocks: 1);
        SyncBackend b = g.Backends[0];
        ulong s = g.Segment.SpinLockAddr(0);
        Assert.Equal(0, SLock.S_LOCK(b, s));
        Assert.Equal(1u, b.Memory.ReadU32(s));
        Assert.NotEqual(0u, SLock.TAS(b, s));
        SLock.S_UNLOCK(b, s);
        Assert.Equal(0u, b.Memory.ReadU32(s));
    }

    [Fact]
    public void Spins_per_delay_grows_without_sleeps_and_shrinks_with_them()
    {
        var g = new ProductionBackends(1, 0);
        SyncBackend b = g.Backends[0];
        b.spins_per_delay = DEFAULT_SPINS_PER_DELAY;
        var st = SpinDelayStatus.Init(0, "f", 1, "fn");
        SLock.finish_spin_delay(b, ref st);
        Assert.Equal(DEFAULT_SPINS_PER_DELAY + 100, b.spins_per_delay);
        b.spins_per_delay = MAX_SPINS_PER_DELAY - 1;
        SLock.finish_spin_delay(b, ref st);
        Assert.Equal(MAX_SPINS_PER_DELAY, b.spins_per_delay);
        st.cur_delay = MIN_DELAY_USEC;
        SLock.finish_spin_delay(b, ref st);
        Assert.Equal(MAX_SPINS_PER_DELAY - 1, b.spins_per_delay);
        b.spins_per_delay = MIN_SPINS_PER_DELAY;
        SLock.finish_spin_delay(b, ref st);
        Assert.Equal(MIN_SPINS_PER_DELAY, b.spins_per_delay);
    }

    [Fact]
    public void Shared_estimate_is_a_truncating_decaying_average()
    {
        var g = new ProductionBackends(1, 0);
        SyncBackend b = g.Backends[0];
        b.spins_per_delay = 1000;
        Assert.Equal((100 * 15 + 1000) / 16, SLock.update_spins_per_delay(b, 100));
        b.Start();
        Assert.Equal(DEFAULT_SPINS_PER_DELAY, b.spins_per_delay);
        b.spins_per_delay = 260;
        b.Exit();
        Assert.Equal((uint)((100 * 15 + 260) / 16), b.Memory.ReadU32(g.Segment.SharedSpinsPerDelayAddr));
    }

    [Fact]
    public void Stuck_spinlock_message_is_postgres_text()
    {
        var e = SLock.s_lock_stuck("bufmgr.c", 123, "LockBufHdr");
        Assert.Equal(Allocator.Common.FatalLevel.Panic, e.Level);
        Assert.Equal("stuck spinlock detected at LockBufHdr, bufmgr.c:123", e.Message);
    }
}
