// lwlock-conditional: LWLockConditionalAcquire mixed with LWLockAcquire. A successful conditional
// acquire must give the same exclusion as a real one; a failed one must leave no trace: not
// queued (lwWaiting NOT_WAITING), no interrupt holdoff left, not in held_lwlocks.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class ConditionalAcquireScenario : LockScenarioInstance
{
    private readonly int[][] _plan; // 0 = conditional exclusive, 1 = conditional shared, 2 = acquire exclusive

    public ConditionalAcquireScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1)
    {
        Reach = new ReachHits([LocksReach.ConditionalRefused, LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "lockA", "scenario");
        NameObjects();
        int[] w = MixWeights(3);
        _plan = new int[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            var prng = DataPrng(b);
            _plan[b] = new int[config.Ops];
            for (int op = 0; op < config.Ops; op++) _plan[b][op] = config.MixSeed == 0 ? (b + op) % 3 : prng.Weighted(w);
        }
    }

    protected override void Body(int me)
    {
        LWLock l = Seg.GetLWLock(0);
        foreach (int kind in _plan[me])
        {
            if (kind == 2)
            {
                Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
                Unlock(me, 0, LWLockMode.LW_EXCLUSIVE);
                continue;
            }
            LWLockMode mode = kind == 0 ? LWLockMode.LW_EXCLUSIVE : LWLockMode.LW_SHARED;
            int holdoff = B[me].InterruptHoldoffCount;
            if (Api[me].ConditionalAcquire(l, mode))
            {
                if (mode == LWLockMode.LW_EXCLUSIVE) EnterExclusive(me, 0); else EnterShared(me, 0);
                Check(B[me].LWLocks.LWLockHeldByMeInMode(l, mode), "conditional-held", $"backend {me}: conditional acquire succeeded but the lock is not in held_lwlocks");
                Unlock(me, 0, mode);
            }
            else
            {
                uint ws = B[me].Memory.ReadU32(B[me].MyProc + PgProcLayout.OFF_lwWaiting);
                Check(ws == (uint)LWLockWaitState.LW_WS_NOT_WAITING, "conditional-no-side-effects", $"backend {me}: failed conditional acquire left lwWaiting={(LWLockWaitState)ws}");
                Check(B[me].InterruptHoldoffCount == holdoff, "conditional-no-side-effects", $"backend {me}: failed conditional acquire left interrupts held");
                Check(!B[me].LWLocks.LWLockHeldByMe(l), "conditional-no-side-effects", $"backend {me}: failed conditional acquire recorded the lock as held");
            }
        }
    }
}
