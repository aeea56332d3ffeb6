// Single-threaded behaviour of the LWLock port on the production runtime: modes, the held-locks
// array and its limit, errors with PostgreSQL's messages, LWLockReleaseAll, conditional acquire,
// state-word bits, and the invariant walker.
using Allocator.Common;
using Allocator.Sync;
using Xunit;
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Tests.Sync;

public sealed class LWLockPortTests
{
    [Fact]
    public void Constants_relate_as_in_lwlock_c()
    {
        Assert.Equal(LW_VAL_EXCLUSIVE - 1, LW_SHARED_MASK);
        Assert.Equal(LW_VAL_EXCLUSIVE | LW_SHARED_MASK, LW_LOCK_MASK);
        Assert.Equal(0u, LW_LOCK_MASK & (LW_FLAG_LOCKED | LW_FLAG_RELEASE_OK | LW_FLAG_HAS_WAITERS));
        Assert.Equal(200, MAX_SIMUL_LWLOCKS);
    }

    [Fact]
    public void Initialized_lock_has_only_release_ok()
    {
        var g = new ProductionBackends(1, 1);
        Assert.Equal(LW_FLAG_RELEASE_OK, g.Segment.InitMemory.ReadU32(g.Segment.GetLWLock(0).StateAddr));
    }

    [Fact]
    public void Shared_holders_count_and_exclusive_excludes()
    {
        var g = new ProductionBackends(2, 1);
        LWLock l = g.Segment.GetLWLock(0);
        var (a, b) = (g.Backends[0].LWLocks, g.Backends[1].LWLocks);
        Assert.True(a.LWLockAcquire(l, LWLockMode.LW_SHARED));
        Assert.True(b.LWLockConditionalAcquire(l, LWLockMode.LW_SHARED));
        Assert.Equal(LW_FLAG_RELEASE_OK | 2, g.Segment.InitMemory.ReadU32(l.StateAddr));
        Assert.False(b.LWLockConditionalAcquire(l, LWLockMode.LW_EXCLUSIVE));
        Assert.Equal(1, g.Backends[1].InterruptHoldoffCount); // only the shared hold
        a.LWLockRelease(l);
        b.LWLockRelease(l);
        Assert.True(a.LWLockConditionalAcquire(l, LWLockMode.LW_EXCLUSIVE));
        Assert.False(b.LWLockConditionalAcquire(l, LWLockMode.LW_SHARED));
        Assert.True(a.LWLockHeldByMeInMode(l, LWLockMode.LW_EXCLUSIVE));
        a.LWLockRelease(l);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Releasing_a_lock_not_held_is_an_error_naming_it()
    {
        var g = new ProductionBackends(1, 1);
        g.Segment.SetLWLockName(0, "BufMappingLock");
        var e = Assert.Throws<PgErrorException>(() => g.Backends[0].LWLocks.LWLockRelease(g.Segment.GetLWLock(0)));
        Assert.Equal("lock BufMappingLock is not held", e.Message);
    }

    [Fact]
    public void Held_array_limit_is_MAX_SIMUL_LWLOCKS()
    {
        var g = new ProductionBackends(1, MAX_SIMUL_LWLOCKS + 1);
        var lw = g.Backends[0].LWLocks;
        for (int i = 0; i < MAX_SIMUL_LWLOCKS; i++) lw.LWLockAcquire(g.Segment.GetLWLock(i), LWLockMode.LW_SHARED);
        var e = Assert.Throws<PgErrorException>(() => lw.LWLockAcquire(g.Segment.GetLWLock(MAX_SIMUL_LWLOCKS), LWLockMode.LW_SHARED));
        Assert.Equal("too many LWLocks taken", e.Message);
        Assert.Equal(MAX_SIMUL_LWLOCKS, g.Backends[0].InterruptHoldoffCount);
        lw.LWLockReleaseAll();
        Assert.Equal(0, lw.NumHeld);
        // LWLockReleaseAll holds interrupts once more per release, so error recovery's holdoff count
        // is left exactly as it was (PostgreSQL resets it itself).
        Assert.Equal(MAX_SIMUL_LWLOCKS, g.Backends[0].InterruptHoldoffCount);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Release_out_of_order_keeps_the_rest_of_the_held_array()
    {
        var g = new ProductionBackends(1, 3);
        var lw = g.Backends[0].LWLocks;
        for (int i = 0; i < 3; i++) lw.LWLockAcquire(g.Segment.GetLWLock(i), LWLockMode.LW_EXCLUSIVE);
        lw.LWLockRelease(g.Segment.GetLWLock(1));
        Assert.Equal(g.Segment.GetLWLock(0), lw.Held(0).Lock);
        Assert.Equal(g.Segment.GetLWLock(2), lw.Held(1).Lock);
        lw.LWLockReleaseAll();
    }

    [Fact]
    public void Wait_for_var_returns_free_or_the_new_value()
    {
        var g = new ProductionBackends(2, 1, vars: 1);
        LWLock l = g.Segment.GetLWLock(0);
        ulong v = g.Segment.VarAddr(0);
        Assert.True(g.Backends[1].LWLocks.LWLockWaitForVar(l, v, 0, out _)); // free
        g.Backends[0].LWLocks.LWLockAcquire(l, LWLockMode.LW_EXCLUSIVE);
        g.Backends[0].LWLocks.LWLockUpdateVar(l, v, 42);
        Assert.False(g.Backends[1].LWLocks.LWLockWaitForVar(l, v, 0, out ulong nv));
        Assert.Equal(42UL, nv);
        g.Backends[0].LWLocks.LWLockReleaseClearVar(l, v, 0);
        Assert.Equal(0UL, g.Segment.InitMemory.ReadU64(v));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Checker_catches_a_corrupted_state_word()
    {
        var g = new ProductionBackends(1, 1);
        LWLock l = g.Segment.GetLWLock(0);
        g.Segment.InitMemory.WriteU32(l.StateAddr, LW_FLAG_RELEASE_OK | LW_VAL_EXCLUSIVE | 1 | LW_FLAG_LOCKED);
        List<string> errors = LWLockCheck.Check(g.Segment, g.Backends, final: true);
        Assert.Contains(errors, e => e.StartsWith("LW1:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LW2:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LW3:", StringComparison.Ordinal));
    }
}
