// lwlock-acquire-or-wait: the XLogFlush pattern. Each backend "inserts" (bumps a 64-bit request
// counter, remembering its position as its target) and then wants everything up to its target
// "flushed": if the flushed position is behind, LWLockAcquireOrWait(EXCLUSIVE); with the lock it
// flushes everything requested so far; without it (false: someone else held the lock and has
// probably flushed for us) it re-checks. Invariants: after the loop, flushed >= target; a false
// return leaves the lock not held; exclusion holds while flushing.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class AcquireOrWaitScenario : LockScenarioInstance
{
    private const int Requested = 0, Flushed = 1;

    public AcquireOrWaitScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, scratchWords: 2)
    {
        Reach = new ReachHits([LocksReach.AcquireOrWaitWaited]);
        Seg.SetLWLockName(0, "WALWriteLock", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Requested), "requested");
        rt[0].NameObject(Word(Flushed), "flushed");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        for (int op = 0; op < Config.Ops; op++)
        {
            ulong target = rt.AtomicFetchAdd64(Word(Requested), 1) + 1;
            FlushUpTo(me, 0, Requested, Flushed, target);
        }
    }
}
