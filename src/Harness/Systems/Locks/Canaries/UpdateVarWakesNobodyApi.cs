// UpdateVarWakesNobodyApi: CANARY, test-only. LWLockUpdateVar that publishes the new value (the
// full-barrier exchange) but never walks the wait list, so the LW_WAIT_UNTIL_FREE waiters queued in
// LWLockWaitForVar sleep through every update and only wake at the release. A waiter that needs
// the progress to go on (lwlock-queued-wait-for-var's holder waits for each value to be
// acknowledged) then waits forever: a starvation verdict naming the sleeping waiter.
// Never used by the port; the explorer must catch it (see CanaryCatalog).
using Allocator.Sync;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Systems.Locks.Canaries;

public sealed class UpdateVarWakesNobodyApi : LWLockApi
{
    public UpdateVarWakesNobodyApi(SyncBackend b) : base(b) { }

    // DEFECT: the port then takes the wait-list lock and wakes the LW_WAIT_UNTIL_FREE waiters at the front.
    public override void UpdateVar(LWLock l, ulong var, ulong val) => B.Runtime.AtomicExchange64(var, val);
}
