// spinlock-mutex: every backend increments a plain shared counter Ops times under one spinlock
// (S_LOCK / S_UNLOCK), with an "inside" counter checked on entry. Invariants: at most one backend
// inside (spinlock-mutual-exclusion), and the final count is Backends x Ops (no lost update).
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class SpinlockMutexScenario : LockScenarioInstance
{
    private const int Counter = 0, Inside = 1;

    public SpinlockMutexScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 0, spinlocks: 1, scratchWords: 2)
    {
        Reach = new ReachHits([LocksReach.SpinDelayed]);
        NameObjects();
        rt[0].NameObject(Word(Counter), "counter");
        rt[0].NameObject(Word(Inside), "inside");
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        ulong spin = Seg.SpinLockAddr(0);
        for (int op = 0; op < Config.Ops; op++)
        {
            Api[me].SpinAcquire(spin);
            uint inside = rt.AtomicFetchAdd32(Word(Inside), 1);
            Check(inside == 0, "spinlock-mutual-exclusion", $"backend {me} entered the spinlock's critical section while {inside} other backend(s) were inside");
            uint v = rt.SharedRead32(Word(Counter));
            rt.SharedWrite32(Word(Counter), v + 1);
            rt.AtomicFetchSub32(Word(Inside), 1);
            Api[me].SpinRelease(spin);
        }
    }

    protected override void OnCheckFinal()
    {
        uint v = Seg.InitMemory.ReadU32(Word(Counter));
        Check(v == (uint)(Config.Backends * Config.Ops), "final-count", $"counter is {v}, expected {Config.Backends * Config.Ops} (a lost update)");
        Check(Seg.InitMemory.ReadU32(Seg.SpinLockAddr(0)) == 0, "spinlock-free-at-end", "the spinlock is still taken after every backend exited");
    }
}
