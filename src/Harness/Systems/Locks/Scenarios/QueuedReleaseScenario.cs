// lwlock-queued-release: liveness of LWLockAcquire's wait path (lwlock.c: LWLockAcquire,
// LWLockQueueSelf, LWLockRelease -> LWLockWakeup). Backend 0 takes the lock exclusively and, without
// ever blocking, waits until every other backend is on the wait list; only then does it release, so
// the release always finds a queue (a mix of shared and exclusive waiters, in whatever order the
// schedule queued them). The workers then take the lock Ops times each (shared or exclusive by
// (backend + op) parity) while backend 0 polls for them to finish. A waiter that is never woken is a
// starvation verdict under a fair strategy ("backend i has waited for LWLock queueLock ..."), or a
// hang when nothing else can run. Invariants: exclusion, the protected counter ends at the number of
// exclusive operations, LWLockCheck at the end.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Locks.Scenarios;

public sealed class QueuedReleaseScenario : LockScenarioInstance
{
    private const int Ready = 0, Done = 1, Counter = 2;
    private readonly int _exclusiveOps;

    public QueuedReleaseScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, scratchWords: 3)
    {
        Reach = new ReachHits([LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "queueLock", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Ready), "ready");
        rt[0].NameObject(Word(Done), "done");
        rt[0].NameObject(Word(Counter), "counter");
        _exclusiveOps = 1;
        for (int b = 1; b < config.Backends; b++)
            for (int op = 0; op < config.Ops; op++)
                if (ModeOf(b, op) == LWLockMode.LW_EXCLUSIVE) _exclusiveOps++;
    }

    /// <summary>Worker 1 starts exclusive, worker 2 shared, ...: both kinds meet on the queue.</summary>
    private static LWLockMode ModeOf(int backend, int op) =>
        (backend + op) % 2 == 1 ? LWLockMode.LW_EXCLUSIVE : LWLockMode.LW_SHARED;

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        int workers = Config.Backends - 1;
        if (me == 0)
        {
            Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
            rt.SharedWrite32(Word(Counter), rt.SharedRead32(Word(Counter)) + 1);
            rt.AtomicWrite32(Word(Ready), 1);
            AwaitQueued(me, 1, Config.Backends);
            Unlock(me, 0, LWLockMode.LW_EXCLUSIVE); // released with every worker queued
            AwaitAtLeast(me, Done, (uint)workers);
            return;
        }
        // Wait until the holder has the lock (blocks in the explorer until the word changes).
        while (rt.AtomicRead32(Word(Ready)) == 0) rt.SpinPause(Word(Ready), 0);
        for (int op = 0; op < Config.Ops; op++)
        {
            LWLockMode mode = ModeOf(me, op);
            Lock(me, 0, mode);
            if (mode == LWLockMode.LW_EXCLUSIVE) rt.SharedWrite32(Word(Counter), rt.SharedRead32(Word(Counter)) + 1);
            else rt.SharedRead32(Word(Counter));
            Unlock(me, 0, mode);
        }
        rt.AtomicFetchAdd32(Word(Done), 1);
    }

    protected override void OnCheckFinal()
    {
        uint v = Seg.InitMemory.ReadU32(Word(Counter));
        Check(v == (uint)_exclusiveOps, "final-count", $"counter is {v}, expected {_exclusiveOps} exclusive increments");
    }
}
