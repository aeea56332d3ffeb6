// lwlock-shared-exclusive: each backend takes one LWLock Ops times, shared or exclusive by the
// operation mix, and observes holder counters right after acquiring. Invariant "exclusive excludes
// everyone" (no shared or second exclusive holder beside an exclusive one); exclusive holders also
// increment a protected counter with a plain read and write, which must end at the number of
// exclusive operations; LWLockCheck runs at the end.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class SharedExclusiveScenario : LockScenarioInstance
{
    private const int Counter = 0;
    private readonly LWLockMode[][] _plan;
    private readonly int _exclusiveOps;

    public SharedExclusiveScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: 1, scratchWords: 1)
    {
        Reach = new ReachHits([LocksReach.AcquireSlept]);
        Seg.SetLWLockName(0, "lockA", "scenario");
        NameObjects();
        rt[0].NameObject(Word(Counter), "counter");
        int[] w = MixWeights(2);
        _plan = new LWLockMode[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            var prng = DataPrng(b);
            _plan[b] = new LWLockMode[config.Ops];
            for (int op = 0; op < config.Ops; op++)
            {
                // Default mix: backend 0 starts exclusive, the rest alternate, so shared and exclusive meet.
                LWLockMode m = config.MixSeed == 0
                    ? ((b + op) % 2 == 0 ? LWLockMode.LW_EXCLUSIVE : LWLockMode.LW_SHARED)
                    : (prng.Weighted(w) == 0 ? LWLockMode.LW_SHARED : LWLockMode.LW_EXCLUSIVE);
                _plan[b][op] = m;
                if (m == LWLockMode.LW_EXCLUSIVE) _exclusiveOps++;
            }
        }
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        foreach (LWLockMode mode in _plan[me])
        {
            Lock(me, 0, mode);
            if (mode == LWLockMode.LW_EXCLUSIVE)
            {
                uint v = rt.SharedRead32(Word(Counter));
                rt.SharedWrite32(Word(Counter), v + 1);
            }
            else
            {
                rt.SharedRead32(Word(Counter));
            }
            Unlock(me, 0, mode);
        }
    }

    protected override void OnCheckFinal()
    {
        uint v = Seg.InitMemory.ReadU32(Word(Counter));
        Check(v == (uint)_exclusiveOps, "final-count", $"counter is {v}, expected {_exclusiveOps} exclusive increments");
    }
}
