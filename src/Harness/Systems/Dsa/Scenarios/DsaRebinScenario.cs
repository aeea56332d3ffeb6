// dsa-rebin (spec 9.15 interleaving (e)): segments rebinned while another backend walks the segment
// bins. The setup backend allocates objects of 40, 40, 100, 10 and 10 pages: the first segment
// (256 KiB, 62 usable pages, one taken by the block of spans) holds one 40-page object, so the next
// two each make a segment (slot 1: 63 usable pages; slot 2, twice the size: 127), and the 10-page
// ones go where get_best_segment finds room, leaving every segment with a small, different
// largest free run, several in one bin (bins hold runs of [2^(b-1), 2^b - 1] pages),
// so a bin holds a list of segments. Each explored backend attaches and then, per op, frees
// one of the setup's objects (dsa_free's large path: pages back to the segment's FPM and
// rebin_segment under the area lock, which moves the segment to a higher bin) and allocates a
// large object of 10 to 14 pages (get_best_segment walks the bins from bin 4 up under the area
// lock, mapping segments on the way, and may rebin a segment it finds in too high a bin); from its
// second op on it also frees its own oldest object. Sizes come from the data stream in a swarm mix.
//
// Canary: RebinWithoutAreaLock (dsa_free rebins after releasing the area lock): the unlink and push
// of a segment between bin lists interleave with another backend's walk or rebin, leaving a bin
// list broken (DSA8 at the end, an assertion of unlink_segment or make_new_segment on the way).
using Allocator.Dsa;
using Allocator.Sync;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public sealed class DsaRebinScenario : DsaScenarioInstance
{
    private readonly List<ulong> _setupObjects = new();
    private readonly ulong[][] _sizes;

    public DsaRebinScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, DsaCanary canary = DsaCanary.None)
        : base(config, rt, canary)
    {
        _sizes = SizePlan((b, op) => (ulong)(10 + 2 * ((b + op) % 3)) * Page, 8 * Page + 1, 20 * Page);
    }

    protected override void OnSetup(DsaArea setup)
    {
        _setupObjects.Clear();
        // the first three each need a segment of their own; the small ones land where get_best_segment puts them
        foreach (ulong pages in new ulong[] { 40, 40, 100, 10, 10 }) _setupObjects.Add(Alloc(setup, pages * Page, "setup"));
        int slots = _setupObjects.Select(dp => DsaLayout.Wide.P.DSA_EXTRACT_SEGMENT_NUMBER(dp)).Distinct().Count();
        if (slots < 3) throw new InvalidOperationException($"setup: the objects use {slots} segments, not 3 (the layout changed)");
    }

    protected override void Body(int me)
    {
        Attach(me);
        List<ulong> share = ShareOf(_setupObjects, me);
        var mine = new Queue<ulong>();
        for (int op = 0; op < Config.Ops; op++)
        {
            if (op < share.Count) Free(me, share[op]);
            mine.Enqueue(Alloc(me, _sizes[me][op]));
            if (op > 0 && mine.Count > 1) Free(me, mine.Dequeue());
        }
        for (int k = Config.Ops; k < share.Count; k++) Free(me, share[k]);
    }
}
