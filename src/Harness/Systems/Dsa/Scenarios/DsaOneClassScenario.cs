// dsa-one-class (spec 9.15 interleaving (c)): allocation and free racing in one size class, with
// superblock creation and destruction. The class is 8 KiB objects (class 37: 8 per 64 KiB
// superblock), so a superblock fills after a few allocations. The setup backend allocates 8
// objects, a full superblock S0 in fullness class 3, leaving the class with no active span. Each
// explored backend attaches and then, per op: allocates an object (the first allocation of the
// iteration finds no active span, so ensure_active_superblock takes a span object from pool 0
// inside the class's pool lock and pages under the area lock: superblock creation), frees its share
// of S0's objects (the first free moves S0 to class 2; the last one, S0 no longer active, runs
// destroy_superblock: the area lock inside the pool lock, then pool 0 for the span object), and from
// its second op on frees its own oldest allocation, so the active span gets a free list that the
// next allocations pop while other backends push on it. In a swarm mix the own frees are drawn
// from the backend's data stream.
//
// Every free checks the object's pattern; the end walks DSA1-DSA14 with the live set.
// Canary: FreeListPushBeforePoolLock (dsa_free links the object before taking the pool lock): a
// push landing while another backend's alloc_object sits between reading firstfree and writing
// the next index back (its dsa_get_address is a scheduling point) is lost, so the span's free list
// is one short of nallocatable (DSA5).
using Allocator.Dsa;
using Allocator.Sync;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public sealed class DsaOneClassScenario : DsaScenarioInstance
{
    public const ulong ObjectSize = 8000;
    public const int SetupObjects = 8;

    private readonly List<ulong> _setupObjects = new();
    private readonly bool[][] _freeOwn;

    public DsaOneClassScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, DsaCanary canary = DsaCanary.None)
        : base(config, rt, canary)
    {
        _freeOwn = new bool[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            Allocator.Common.Prng prng = DataPrng(b);
            _freeOwn[b] = Enumerable.Range(0, config.Ops).Select(op => Config.MixSeed == 0 ? op > 0 : prng.Chance(1, 2)).ToArray();
        }
    }

    protected override void OnSetup(DsaArea setup)
    {
        _setupObjects.Clear();
        for (int i = 0; i < SetupObjects; i++) _setupObjects.Add(Alloc(setup, ObjectSize, "setup"));
    }

    protected override void Body(int me)
    {
        Attach(me);
        List<ulong> share = ShareOf(_setupObjects, me);
        var mine = new Queue<ulong>();
        int ops = Config.Ops;
        for (int op = 0; op < ops; op++)
        {
            mine.Enqueue(Alloc(me, ObjectSize));
            // this op's part of the share: spread evenly, the rest on the last op
            int from = share.Count * op / ops, to = share.Count * (op + 1) / ops;
            for (int k = from; k < to; k++) Free(me, share[k]);
            if (_freeOwn[me][op] && mine.Count > 1) Free(me, mine.Dequeue());
        }
    }
}
