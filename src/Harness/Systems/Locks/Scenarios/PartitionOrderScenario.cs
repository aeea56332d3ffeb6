// lwlock-partition-order: the partition-lock pattern (PostgreSQL <= 15 BufferAlloc took two buffer
// mapping partition locks, always in ascending partition order). Each operation picks two distinct
// partitions and locks both exclusively in ascending order, updates both partitions' counters,
// and releases in reverse. Invariants: exclusion per partition, no deadlock, final counts.
// A canary variant takes them in the order given (sometimes descending): that one deadlocks.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class PartitionOrderScenario : LockScenarioInstance
{
    public const int Partitions = 4;
    private readonly (int First, int Second)[][] _plan;
    private readonly int[] _expected = new int[Partitions];

    /// <param name="ordered">False for the canary: lock in the drawn order, not ascending.</param>
    public PartitionOrderScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, bool ordered = true, Func<SyncBackend, LWLockApi>? api = null)
        : base(config, rt, api, lwlocks: Partitions, scratchWords: Partitions)
    {
        Reach = new ReachHits([LocksReach.AcquireSlept]);
        for (int p = 0; p < Partitions; p++)
        {
            Seg.SetLWLockName(p, $"BufMappingLock[{p}]", "BufferMapping");
            rt[0].NameObject(Word(p), $"partition[{p}].count");
        }
        NameObjects();
        _plan = new (int, int)[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            var prng = DataPrng(b);
            _plan[b] = new (int, int)[config.Ops];
            for (int op = 0; op < config.Ops; op++)
            {
                int x, y;
                if (config.MixSeed == 0)
                {
                    // Default: backends contend on partitions 0 and 1, odd backends naming them high-first.
                    (x, y) = b % 2 == 0 ? (op % 2, 1 - op % 2) : (1 - op % 2, op % 2);
                    if (op >= 2) (x, y) = ((b + op) % Partitions, (b + op + 1) % Partitions);
                }
                else
                {
                    x = prng.Index(Partitions);
                    do y = prng.Index(Partitions); while (y == x);
                }
                if (ordered && x > y) (x, y) = (y, x);
                _plan[b][op] = (x, y);
                _expected[x]++;
                _expected[y]++;
            }
        }
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        foreach (var (first, second) in _plan[me])
        {
            Lock(me, first, LWLockMode.LW_EXCLUSIVE);
            Lock(me, second, LWLockMode.LW_EXCLUSIVE);
            foreach (int p in new[] { first, second })
            {
                uint v = rt.SharedRead32(Word(p));
                rt.SharedWrite32(Word(p), v + 1);
            }
            Unlock(me, second, LWLockMode.LW_EXCLUSIVE);
            Unlock(me, first, LWLockMode.LW_EXCLUSIVE);
        }
    }

    protected override void OnCheckFinal()
    {
        for (int p = 0; p < Partitions; p++)
        {
            uint v = Seg.InitMemory.ReadU32(Word(p));
            Check(v == (uint)_expected[p], "final-count", $"partition {p} count is {v}, expected {_expected[p]}");
        }
    }
}
