// lwlock-queued-acquire-or-wait: liveness of LWLockAcquireOrWait's wait path (lwlock.c:
// LWLockAcquireOrWait queueing as LW_WAIT_UNTIL_FREE, LWLockRelease -> LWLockWakeup). The XLogFlush
// pattern with a forced queue: each worker requests a position, then calls
// LWLockAcquireOrWait(EXCLUSIVE) while backend 0 holds the lock; backend 0 waits (never blocking)
// until all of them are queued, flushes everything requested and releases, so every queued waiter
// must be woken, return false and find its position flushed. Further operations (Ops > 1) run the
// ordinary pattern among the workers while backend 0 polls for them to finish. Invariants: a false
// return leaves the lock not held, the flushed position covers each target, exclusion while
// flushing, LWLockCheck at the end; a waiter never woken is a starvation or hang verdict.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Locks.Scenarios;

public sealed class QueuedAcquireOrWaitScenario : LockScenarioInstance
{
    private const int Ready = 0, Done = 1, Requested = 2, Flushed = 3;

    public QueuedAcquireOrWaitScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, scratchWords: 4)
    {
        Reach = new ReachHits([LocksReach.AcquireOrWaitWaited, LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "WALWriteLock", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Ready), "ready");
        rt[0].NameObject(Word(Done), "done");
        rt[0].NameObject(Word(Requested), "requested");
        rt[0].NameObject(Word(Flushed), "flushed");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        int workers = Config.Backends - 1;
        if (me == 0)
        {
            Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
            rt.AtomicWrite32(Word(Ready), 1);
            AwaitQueued(me, 1, Config.Backends);
            // Every worker requested before queueing: flush all of it, then release to a full queue.
            rt.SharedWrite64(Word(Flushed), rt.AtomicRead64(Word(Requested)));
            Unlock(me, 0, LWLockMode.LW_EXCLUSIVE);
            AwaitAtLeast(me, Done, (uint)workers);
            return;
        }
        for (int op = 0; op < Config.Ops; op++)
        {
            ulong target = rt.AtomicFetchAdd64(Word(Requested), 1) + 1;
            if (op == 0)
                while (rt.AtomicRead32(Word(Ready)) == 0) rt.SpinPause(Word(Ready), 0);
            FlushUpTo(me, 0, Requested, Flushed, target);
        }
        rt.AtomicFetchAdd32(Word(Done), 1);
    }
}
