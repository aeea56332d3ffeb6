// lwlock-wait-for-var: the WAL insertion-lock pattern. Backend 0 takes the lock exclusively, then
// publishes progress 1..Ops with LWLockUpdateVar and finally LWLockReleaseClearVar(0). The others
// wait with LWLockWaitForVar from value 0, following the value they are told about, until the lock
// is free. Invariants: a "changed" return reports a value different from the one waited on; a
// waiter is never left sleeping (a deadlock would be reported); LWLockCheck at the end.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class WaitForVarScenario : LockScenarioInstance
{
    private const int Ready = 0;

    public WaitForVarScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, vars: 1, scratchWords: 1)
    {
        Reach = new ReachHits([LocksReach.WaitForVarChanged, LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "WALInsertLock", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Ready), "ready");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        LWLock l = Seg.GetLWLock(0);
        ulong var = Seg.VarAddr(0);
        if (me == 0)
        {
            Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
            rt.AtomicWrite32(Word(Ready), 1);
            for (ulong v = 1; v <= (ulong)Config.Ops; v++) Api[me].UpdateVar(l, var, v);
            ExitExclusive(me, 0);
            Api[me].ReleaseClearVar(l, var, 0);
            return;
        }
        // Wait until the holder has the lock (blocks in the explorer until the word changes).
        while (rt.AtomicRead32(Word(Ready)) == 0) rt.SpinPause(Word(Ready), 0);
        ulong oldval = 0;
        for (int round = 0; ; round++)
        {
            Check(round <= 2 * Config.Ops + 2, "wait-for-var-progress", $"backend {me}: still waiting after {round} rounds");
            if (Api[me].WaitForVar(l, var, oldval, out ulong newval)) break; // lock free
            Check(newval != oldval, "wait-for-var-changed", $"backend {me}: LWLockWaitForVar reported a change but returned the old value {oldval}");
            oldval = newval;
        }
    }
}
