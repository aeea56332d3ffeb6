// LWLockApi: how scenarios call the lock port, so that the same scenario body can run over the
// faithful port (this class) or over a canary (a subclass in Canaries/ that overrides one step with
// a deliberately broken version). The port itself has no hooks. The faithful calls report the
// reach goals their results show (LocksReach) into the scenario's hits; a canary's overrides do not.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public class LWLockApi
{
    public LWLockApi(SyncBackend backend) => B = backend;

    public SyncBackend B { get; }

    /// <summary>The scenario's hits (null: nothing is counted).</summary>
    public ReachHits? Reach { get; set; }

    /// <summary>LWLockAcquire: true if the lock was free at once, false if the backend slept for it.</summary>
    public virtual bool Acquire(LWLock l, LWLockMode mode) => Saw(B.LWLocks.LWLockAcquire(l, mode), false, LocksReach.AcquireSlept);
    public virtual void Release(LWLock l) => B.LWLocks.LWLockRelease(l);
    public virtual bool ConditionalAcquire(LWLock l, LWLockMode mode) => Saw(B.LWLocks.LWLockConditionalAcquire(l, mode), false, LocksReach.ConditionalRefused);
    /// <summary>LWLockAcquireOrWait: false when it waited for the lock to be free and did not take it.</summary>
    public virtual bool AcquireOrWait(LWLock l, LWLockMode mode) => Saw(B.LWLocks.LWLockAcquireOrWait(l, mode), false, LocksReach.AcquireOrWaitWaited);
    /// <summary>LWLockWaitForVar: true when the lock was free, false with the variable's new value.</summary>
    public virtual bool WaitForVar(LWLock l, ulong var, ulong oldval, out ulong newval) => Saw(B.LWLocks.LWLockWaitForVar(l, var, oldval, out newval), false, LocksReach.WaitForVarChanged);
    public virtual void UpdateVar(LWLock l, ulong var, ulong val) => B.LWLocks.LWLockUpdateVar(l, var, val);
    public virtual void ReleaseClearVar(LWLock l, ulong var, ulong val) => B.LWLocks.LWLockReleaseClearVar(l, var, val);

    public virtual void SpinAcquire(ulong addr)
    {
        if (SLock.S_LOCK(B, addr) > 0) Reach?.Hit(LocksReach.SpinDelayed);
    }

    /// <summary>Returns <paramref name="result"/>, marking <paramref name="goal"/> reached when it equals <paramref name="when"/>.</summary>
    private bool Saw(bool result, bool when, ReachGoal goal)
    {
        if (result == when) Reach?.Hit(goal);
        return result;
    }
    public virtual void SpinRelease(ulong addr) => SLock.S_UNLOCK(B, addr);
}
