// LWLockApi: how scenarios call the lock port, so that the same scenario body can run over the
// faithful port (this class) or over a canary (a subclass in Canaries/ that overrides one step with
// a deliberately broken version). The port itself has no hooks.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public class LWLockApi
{
    public LWLockApi(SyncBackend backend) => B = backend;

    public SyncBackend B { get; }

    public virtual bool Acquire(LWLock l, LWLockMode mode) => B.LWLocks.LWLockAcquire(l, mode);
    public virtual void Release(LWLock l) => B.LWLocks.LWLockRelease(l);
    public virtual bool ConditionalAcquire(LWLock l, LWLockMode mode) => B.LWLocks.LWLockConditionalAcquire(l, mode);
    public virtual bool AcquireOrWait(LWLock l, LWLockMode mode) => B.LWLocks.LWLockAcquireOrWait(l, mode);
    public virtual bool WaitForVar(LWLock l, ulong var, ulong oldval, out ulong newval) => B.LWLocks.LWLockWaitForVar(l, var, oldval, out newval);
    public virtual void UpdateVar(LWLock l, ulong var, ulong val) => B.LWLocks.LWLockUpdateVar(l, var, val);
    public virtual void ReleaseClearVar(LWLock l, ulong var, ulong val) => B.LWLocks.LWLockReleaseClearVar(l, var, val);

    public virtual void SpinAcquire(ulong addr) => SLock.S_LOCK(B, addr);
    public virtual void SpinRelease(ulong addr) => SLock.S_UNLOCK(B, addr);
}
