// lwlock-no-lost-wakeup: backends 0..n-2 take one LWLock exclusively Ops times (so they queue and
// must be woken); the last backend polls (sleeping between polls) until all of them are done. The poller never blocks, so a
// lost wakeup is not a deadlock here: it is a liveness failure, caught by the hot/cold monitor
// ("waiting for an LWLock" is hot) under a fair strategy, or by the step bound otherwise.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class NoLostWakeupScenario : LockScenarioInstance
{
    private const int Done = 0;

    public NoLostWakeupScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, scratchWords: 1)
    {
        Reach = new ReachHits([LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "lockA", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Done), "done");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        int workers = Config.Backends - 1;
        if (me == workers)
        {
            // The poller: polls (with a short sleep, a yield to the scheduler) until every worker
            // finished; it never blocks, so it is always runnable.
            while (rt.AtomicRead32(Word(Done)) < (uint)workers) rt.SpinSleep(Word(Done), 1000);
            return;
        }
        for (int op = 0; op < Config.Ops; op++)
        {
            Lock(me, 0, LWLockMode.LW_EXCLUSIVE);
            Unlock(me, 0, LWLockMode.LW_EXCLUSIVE);
        }
        rt.AtomicFetchAdd32(Word(Done), 1);
    }
}
