// dsa-large (spec 9.15 interleaving (d)): large allocations and frees racing. A large object
// (over 8 KiB) takes a span object from pool 0 (the block of spans), whole pages from a segment
// under the area lock, then pool 1's lock to push its span on pool 1's list and set the pagemap
// entry; dsa_free reads the pagemap entry and the span without a lock, gives the pages back under
// the area lock (and rebins the segment), unlinks the span under pool 1's lock and frees the span
// object into pool 0. The setup backend allocates two large objects per backend, so pool 1's list
// is long; each explored backend attaches and then, per op, allocates a large object (3 to 6 pages,
// the sizes from its data stream in a swarm mix) and frees one of the setup's, and from its second
// op on its own oldest one. The first segment (62 usable pages) fills, so allocations also create
// segments.
//
// Canary: LargeUnlinkWithoutPoolLock (dsa_free unlinks the span from pool 1's list without pool 1's
// lock): an unlink overlapping another backend's push or unlink loses a span from the list or
// leaves a dangling link (DSA3/DSA6/DSA7 at the end, or a fault or assertion on the way).
using Allocator.Dsa;
using Allocator.Sync;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public sealed class DsaLargeScenario : DsaScenarioInstance
{
    private readonly List<ulong> _setupObjects = new();
    private readonly ulong[][] _sizes;

    public DsaLargeScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, DsaCanary canary = DsaCanary.None)
        : base(config, rt, canary)
    {
        _sizes = SizePlan((b, op) => (ulong)(3 + (b + op) % 4) * Page - 100, 2 * Page + 1, 6 * Page);
    }

    protected override void OnSetup(DsaArea setup)
    {
        _setupObjects.Clear();
        for (int i = 0; i < 2 * Config.Backends; i++) _setupObjects.Add(Alloc(setup, 2 * Page + 8 * (ulong)i + 8, "setup"));
    }

    protected override void Body(int me)
    {
        Attach(me);
        List<ulong> share = ShareOf(_setupObjects, me);
        var mine = new Queue<ulong>();
        for (int op = 0; op < Config.Ops; op++)
        {
            mine.Enqueue(Alloc(me, _sizes[me][op]));
            if (op < share.Count) Free(me, share[op]);
            if (op > 0 && mine.Count > 1) Free(me, mine.Dequeue());
        }
        for (int k = Config.Ops; k < share.Count; k++) Free(me, share[k]);
    }
}
