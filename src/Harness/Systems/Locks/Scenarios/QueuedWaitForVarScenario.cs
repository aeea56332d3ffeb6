// lwlock-queued-wait-for-var: liveness of LWLockWaitForVar's wait path (lwlock.c: LWLockWaitForVar,
// LWLockUpdateVar, LWLockReleaseClearVar), the WAL insertion-lock pattern with forced queues.
// Backend 0 takes the lock exclusively; for v = 1..Ops it waits (never blocking) until every other
// backend is queued in LWLockWaitForVar, publishes v with LWLockUpdateVar, and waits until each has
// acknowledged v; finally it waits for them to queue once more and releases with
// LWLockReleaseClearVar(0), then polls for them to finish. So every UpdateVar and the release find a
// full queue of LW_WAIT_UNTIL_FREE waiters, all of which must be woken. Invariants: each "changed"
// return reports exactly the next value (the holder publishes one at a time) or the clear value 0 once all were seen, the last value each
// waiter saw is Ops, LWLockCheck at the end; a waiter never woken is a starvation or hang verdict.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Locks.Scenarios;

public sealed class QueuedWaitForVarScenario : LockScenarioInstance
{
    private const int Ready = 0, Done = 1, AckBase = 2;

    public QueuedWaitForVarScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, vars: 1, scratchWords: AckBase + config.Backends)
    {
        Reach = new ReachHits([LocksReach.WaitForVarChanged, LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "WALInsertLock", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Ready), "ready");
        rt[0].NameObject(Word(Done), "done");
        for (int b = 1; b < config.Backends; b++) rt[0].NameObject(Word(AckBase + b), $"ack[{b}]");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        LWLock l = Seg.GetLWLock(0);
        ulong var = Seg.VarAddr(0);
        int workers = Config.Backends - 1;
        if (me == 0)
        {
            Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
            rt.AtomicWrite32(Word(Ready), 1);
            for (uint v = 1; v <= (uint)Config.Ops; v++)
            {
                AwaitQueued(me, 1, Config.Backends);
                Api[me].UpdateVar(l, var, v); // every worker is queued: all must be woken
                for (int b = 1; b < Config.Backends; b++) AwaitAtLeast(me, AckBase + b, v);
            }
            AwaitQueued(me, 1, Config.Backends);
            ExitExclusive(me, 0);
            Api[me].ReleaseClearVar(l, var, 0);
            AwaitAtLeast(me, Done, (uint)workers);
            return;
        }
        while (rt.AtomicRead32(Word(Ready)) == 0) rt.SpinPause(Word(Ready), 0);
        ulong oldval = 0, lastSeen = 0;
        for (int round = 0; ; round++)
        {
            Check(round <= Config.Ops + 2, "wait-for-var-progress", $"backend {me}: still waiting after {round} rounds");
            if (Api[me].WaitForVar(l, var, oldval, out ulong newval)) break; // lock free
            if (newval == 0)
            {
                // LWLockReleaseClearVar stores 0 before it releases: a waiter re-checking in between
                // is told 0 (PostgreSQL's callers treat it as "not inserting") and waits on 0.
                Check(lastSeen == (ulong)Config.Ops, "wait-for-var-saw-all", $"backend {me}: told of the clear value after seeing only {lastSeen} of {Config.Ops}");
                oldval = 0;
                continue;
            }
            Check(newval == lastSeen + 1, "wait-for-var-next-value", $"backend {me}: last saw {lastSeen}, told {newval}, but the holder publishes one value at a time");
            oldval = lastSeen = newval;
            rt.AtomicWrite32(Word(AckBase + me), (uint)newval);
        }
        Check(lastSeen == (ulong)Config.Ops, "wait-for-var-saw-all", $"backend {me}: last value seen {lastSeen}, the holder published up to {Config.Ops}");
        rt.AtomicFetchAdd32(Word(Done), 1);
    }
}
