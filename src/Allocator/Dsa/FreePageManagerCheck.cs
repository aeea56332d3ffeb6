// FreePageManagerCheck: the FreePageManager invariants of spec §8.11 (FPM1-FPM9), checked by walking
// the structure in simulated memory: the btree from btree_root, the recycle list, the 129 freelists
// and the singleton fields. Every violation is one string starting with its id:
//
//   FPM1  free runs, btree pages and recycled pages are pairwise disjoint; with the caller's set of
//         pages put and not got, their union is exactly that set.
//   FPM2  (FPM_EXTRA_ASSERTS layouts) free_pages == pages in runs + btree pages + recycled pages.
//   FPM3  runs <-> keys <-> leaders: in btree mode the leaf keys, in order, are strictly increasing
//         and each has one leader with its npages on list min(npages,129)-1; in singleton mode one
//         leader iff singleton_npages > 0; no other leader on any freelist.
//   FPM4  no two free runs touch (a gap of at least one page between consecutive keys).
//   FPM5  btree shape: leaves all at depth btree_depth, 1 <= nused <= items per page, valid magic,
//         keys strictly increasing, child.parent == page and downlink key == child's first key,
//         root parent NULL, depth == 0 <=> root NULL, root != NULL => singleton fields 0.
//   FPM6  freelists and the recycle list are proper doubly linked lists of span leaders;
//         btree_recycle_count is the recycle list's length; recycled pages have npages 1.
//   FPM7  contiguous_pages == the largest run, and not dirty.
//   FPM8  (after a Get, when asked) the root does not have exactly one key. PostgreSQL can break
//         it (finding F2 in FreePageManager.Cleanup.cs), so callers opt in.
//   FPM9  (CheckGet) a successful Get(n) returned pages inside one free run of the state before
//         it; a failed Get(n) had no run >= n (or n == 0).
//
// The walk survives corrupt memory: cycles and wild pointers end the walk of that structure with a
// violation (a SimFaultException while reading becomes one too), never a hang or a host crash.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

/// <summary>What the walk saw: free runs in page order, btree pages, recycled pages.</summary>
public sealed record FpmSnapshot(IReadOnlyList<(ulong First, ulong Npages)> Runs, IReadOnlyList<ulong> BtreePages,
    IReadOnlyList<ulong> RecycledPages, ulong ContiguousPages, ulong? RootPage, ulong RootKeys)
{
    /// <summary>Pages the manager keeps for itself: btree pages and recycled pages.</summary>
    public HashSet<ulong> ReservedPages() => new(BtreePages.Concat(RecycledPages));

    public ulong FreeRunPages => Runs.Aggregate(0UL, (s, r) => s + r.Npages);
    public ulong LargestRun => Runs.Count == 0 ? 0 : Runs.Max(r => r.Npages);
}

public sealed record FpmCheckOptions
{
    /// <summary>The pages put and not got since Initialize, if the caller tracks them (FPM1).</summary>
    public IReadOnlyCollection<ulong>? ExpectedFreePages { get; init; }

    /// <summary>The operation just done was a Get: check FPM8.</summary>
    public bool AfterGet { get; init; }

    /// <summary>Pages the caller knows PostgreSQL lost (finding F1): free_pages still counts them,
    /// so FPM2 expects that many more.</summary>
    public ulong KnownLostPages { get; init; }

    /// <summary>Collections for the walk to reuse (a caller that walks after every operation keeps
    /// one); null: the walk makes its own.</summary>
    public FpmCheckScratch? Scratch { get; init; }
}

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class FreePageManagerCheck
{
    /// <summary>More steps than this in one list or tree walk means a cycle (or wild memory).</summary>
    private const int MaxSteps = 1 << 22;

    public static List<string> Check(FreePageManager fpm, FpmCheckOptions? options = null)
    {
        var errors = new List<string>();
        Walk(fpm, errors, options);
        return errors;
    }

    /// <summary>Walks and checks; returns what it saw (partial if memory was too corrupt).</summary>
    public static FpmSnapshot Walk(FreePageManager fpm, List<string> errors, FpmCheckOptions? options = null)
    {
        var w = new Walker(fpm, errors, options?.Scratch ?? new FpmCheckScratch());
        try
        {
            w.Run(options ?? new FpmCheckOptions());
        }
        catch (Allocator.Common.SimFaultException e)
        {
            errors.Add($"{w.Phase}: fault while walking: {e.Message}");
        }
        return new FpmSnapshot(w.Runs, w.BtreePages, w.Recycled, w.Contiguous, w.RootPage, w.RootKeys);
    }

    /// <summary>FPM9: a Get's result against the state before it.</summary>
    public static List<string> CheckGet(FpmSnapshot before, ulong npages, bool ok, ulong firstPage)
    {
        var errors = new List<string>();
        if (ok)
        {
            if (npages == 0) errors.Add("FPM9: Get(0) succeeded");
            else if (!before.Runs.Any(r => firstPage >= r.First && firstPage + npages <= r.First + r.Npages))
                errors.Add($"FPM9: Get({npages}) returned pages {firstPage}..{firstPage + npages - 1}, not inside one free run");
        }
        else if (npages != 0 && before.Runs.Any(r => r.Npages >= npages))
            errors.Add($"FPM9: Get({npages}) failed although a run of {before.LargestRun} pages was free");
        return errors;
    }

    private sealed class Walker
    {
        private readonly FreePageManager _f;
        private readonly SimMemory _m;
        private readonly FpmLayout _l;
        private readonly List<string> _e;
        private ulong _base;

        public string Phase = "FPM5";
        public readonly List<(ulong First, ulong Npages)> Runs = new();
        public readonly List<ulong> BtreePages = new();
        public readonly List<ulong> Recycled = new();
        public ulong Contiguous;
        public ulong? RootPage;
        public ulong RootKeys;

        // Leaders found on the freelists: page -> npages.
        private readonly Dictionary<ulong, ulong> _leaders;
        private readonly FpmCheckScratch _scratch;

        public Walker(FreePageManager f, List<string> errors, FpmCheckScratch scratch)
        {
            _f = f;
            _m = f.Memory;
            _l = f.Layout;
            _e = errors;
            _scratch = scratch;
            _leaders = scratch.Leaders();
        }

        private bool PageAligned(ulong p) => p >= _base && (p - _base) % FPM_PAGE_SIZE == 0;
        private ulong PageOf(ulong p) => (p - _base) / FPM_PAGE_SIZE;

        public void Run(FpmCheckOptions o)
        {
            _base = _f.Base;
            ulong root = _f.btree_root;
            uint depth = _f.btree_depth;
            ulong sFirst = _f.singleton_first_page, sN = _f.singleton_npages;
            Contiguous = _f.contiguous_pages;

            // FPM5 (mode fields)
            Phase = "FPM5";
            if ((depth == 0) != (root == 0)) _e.Add($"FPM5: btree_depth {depth} but btree_root is {(root == 0 ? "NULL" : "set")}");
            if (root != 0 && (sFirst != 0 || sN != 0)) _e.Add($"FPM5: btree mode with singleton {sFirst}({sN})");

            List<(ulong First, ulong Npages)> keys = _scratch.Keys();
            if (root != 0)
            {
                if (!PageAligned(root)) _e.Add($"FPM5: btree_root 0x{root:x} is not a page of the managed range");
                else
                {
                    RootPage = PageOf(root);
                    RootKeys = _f.Nused(root);
                    if (_f.Parent(_base, root) != 0) _e.Add($"FPM5: root page {PageOf(root)} has a parent");
                    WalkBtree(root, 0, 1, depth, keys, _scratch.Visited());
                    if (o.AfterGet && _f.Nused(root) == 1) _e.Add($"FPM8: after Get the root page {PageOf(root)} has exactly one key");
                }
            }

            // FPM6: the recycle list
            Phase = "FPM6";
            int count = 0;
            HashSet<ulong> seen = _scratch.Seen();
            ulong prev = 0;
            for (ulong r = _f.btree_recycle; r != 0; r = _f.SpanNext(_base, r))
            {
                if (!PageAligned(r)) { _e.Add($"FPM6: recycle list links to 0x{r:x}, not a page"); break; }
                if (!seen.Add(r) || ++count > MaxSteps) { _e.Add($"FPM6: the recycle list has a cycle at page {PageOf(r)}"); break; }
                if (_f.SpanMagic(r) != FREE_PAGE_SPAN_LEADER_MAGIC) _e.Add($"FPM6: recycled page {PageOf(r)} has magic 0x{_f.SpanMagic(r):x8}");
                if (_f.SpanNpages(r) != 1) _e.Add($"FPM6: recycled page {PageOf(r)} has npages {_f.SpanNpages(r)}");
                if (_f.SpanPrev(_base, r) != prev) _e.Add($"FPM6: recycled page {PageOf(r)} has a wrong prev link");
                Recycled.Add(PageOf(r));
                prev = r;
            }
            if ((uint)count != _f.btree_recycle_count) _e.Add($"FPM6: btree_recycle_count is {_f.btree_recycle_count}, the list has {count}");

            // FPM6: the freelists (and where each leader is, for FPM3)
            for (ulong fl = 0; fl < FPM_NUM_FREELISTS; fl++)
            {
                prev = 0;
                int steps = 0;
                HashSet<ulong> inList = _scratch.InList();
                for (ulong s = _f.FreelistHead(fl); s != 0; s = _f.SpanNext(_base, s))
                {
                    if (!PageAligned(s)) { _e.Add($"FPM6: freelist {fl} links to 0x{s:x}, not a page"); break; }
                    if (!inList.Add(s) || ++steps > MaxSteps) { _e.Add($"FPM6: freelist {fl} has a cycle at page {PageOf(s)}"); break; }
                    ulong page = PageOf(s);
                    if (_f.SpanMagic(s) != FREE_PAGE_SPAN_LEADER_MAGIC) _e.Add($"FPM6: span at page {page} on freelist {fl} has magic 0x{_f.SpanMagic(s):x8}");
                    if (_f.SpanPrev(_base, s) != prev) _e.Add($"FPM6: span at page {page} on freelist {fl} has a wrong prev link");
                    ulong n = _f.SpanNpages(s);
                    if (n == 0 || _f.ListFor(n) != fl) _e.Add($"FPM3: span at page {page} of {n} pages is on freelist {fl}");
                    if (!_leaders.TryAdd(page, n)) _e.Add($"FPM3: span at page {page} is on two freelists");
                    prev = s;
                }
            }

            // FPM3: keys (or the singleton) <-> leaders
            Phase = "FPM3";
            if (root == 0)
            {
                if (sN > 0) keys.Add((sFirst, sN));
            }
            else
            {
                for (int i = 1; i < keys.Count; i++)
                    if (keys[i].First <= keys[i - 1].First) _e.Add($"FPM3: leaf keys out of order: {keys[i - 1].First} then {keys[i].First}");
            }
            HashSet<ulong> keyed = _scratch.Keyed();
            foreach ((ulong first, ulong n) in keys)
            {
                keyed.Add(first);
                if (!_leaders.TryGetValue(first, out ulong ln)) _e.Add($"FPM3: run {first}({n}) has no span leader on a freelist");
                else if (ln != n) _e.Add($"FPM3: run {first}({n}) has a leader saying {ln} pages");
            }
            foreach (KeyValuePair<ulong, ulong> kv in _leaders.OrderBy(k => k.Key))
                if (!keyed.Contains(kv.Key)) _e.Add($"FPM3: span leader at page {kv.Key}({kv.Value}) belongs to no run");
            Runs.AddRange(keys);

            // FPM4: runs do not touch
            Phase = "FPM4";
            for (int i = 1; i < keys.Count; i++)
                if (keys[i - 1].First + keys[i - 1].Npages >= keys[i].First)
                    _e.Add($"FPM4: runs {keys[i - 1].First}({keys[i - 1].Npages}) and {keys[i].First}({keys[i].Npages}) touch or overlap");

            // FPM1: disjoint, and (if known) exactly the pages put and not got
            Phase = "FPM1";
            List<FpmInterval> intervals = _scratch.Intervals();
            foreach ((ulong first, ulong n) in keys) intervals.Add(new FpmInterval(first, first + n, FpmIntervalKind.Run));
            foreach (ulong p in BtreePages) intervals.Add(new FpmInterval(p, p + 1, FpmIntervalKind.BtreePage));
            foreach (ulong p in Recycled) intervals.Add(new FpmInterval(p, p + 1, FpmIntervalKind.Recycled));
            intervals.Sort(static (a, b) => a.First != b.First ? a.First.CompareTo(b.First) : a.End.CompareTo(b.End));
            for (int i = 1; i < intervals.Count; i++)
                if (intervals[i].First < intervals[i - 1].End)
                    _e.Add($"FPM1: {intervals[i - 1]} and {intervals[i]} overlap");
            if (o.ExpectedFreePages is { } expected)
            {
                HashSet<ulong> held = _scratch.Held();
                foreach ((ulong first, ulong end, _) in intervals)
                    for (ulong p = first; p < end && held.Count <= expected.Count; p++) held.Add(p);
                var exp = expected as IReadOnlySet<ulong> ?? new HashSet<ulong>(expected);
                foreach (ulong p in exp.Where(p => !held.Contains(p)).Order().Take(8))
                    _e.Add($"FPM1: page {p} was put and not got, but is in no free run, btree page or recycle list (lost)");
                foreach (ulong p in held.Where(p => !exp.Contains(p)).Order().Take(8))
                    _e.Add($"FPM1: page {p} is held by the manager but was not put (or was handed out)");
            }

            // FPM2
            Phase = "FPM2";
            ulong total = (ulong)BtreePages.Count + (ulong)Recycled.Count;
            foreach ((_, ulong n) in keys) total += n;
            total += o.KnownLostPages;
            if (_l.ExtraAsserts && _f.free_pages != total)
                _e.Add($"FPM2: free_pages is {_f.free_pages}, but runs, btree and recycled pages hold {total}");

            // FPM7
            Phase = "FPM7";
            ulong largest = keys.Count == 0 ? 0 : keys.Max(k => k.Npages);
            if (_f.contiguous_pages_dirty) _e.Add("FPM7: contiguous_pages_dirty is set after the operation");
            if (Contiguous != largest) _e.Add($"FPM7: contiguous_pages is {Contiguous}, the largest run is {largest}");
        }

        private void WalkBtree(ulong btp, ulong expectedParent, uint level, uint depth, List<(ulong, ulong)> keys, HashSet<ulong> visited)
        {
            ulong page = PageOf(btp);
            if (!visited.Add(btp) || visited.Count > MaxSteps) { _e.Add($"FPM5: btree page {page} reached twice (cycle)"); return; }
            BtreePages.Add(page);
            uint magic = _f.PageMagic(btp);
            ulong nused = _f.Nused(btp);
            bool leaf = magic == FREE_PAGE_LEAF_MAGIC;
            if (!leaf && magic != FREE_PAGE_INTERNAL_MAGIC) { _e.Add($"FPM5: btree page {page} has magic 0x{magic:x8}"); return; }
            ulong max = leaf ? _l.FPM_ITEMS_PER_LEAF_PAGE : _l.FPM_ITEMS_PER_INTERNAL_PAGE;
            if (nused < 1 || nused > max) { _e.Add($"FPM5: btree page {page} has nused {nused}"); return; }
            if (expectedParent != 0 && _f.Parent(_base, btp) != expectedParent)
                _e.Add($"FPM5: btree page {page} has parent {PageOf(_f.Parent(_base, btp))}, expected {PageOf(expectedParent)}");
            if (leaf != (level == depth))
                _e.Add($"FPM5: btree page {page} is {(leaf ? "a leaf" : "internal")} at level {level} of a depth-{depth} tree");
            ulong last = 0;
            for (ulong i = 0; i < nused; i++)
            {
                ulong k = _l.Key(btp, i);
                ulong first = _f.KeyFirst(k);
                if (i > 0 && first <= last) _e.Add($"FPM5: btree page {page} keys out of order at index {i}: {last} then {first}");
                last = first;
                if (leaf) keys.Add((first, _f.KeyNpages(k)));
                else
                {
                    if (level >= depth) continue;
                    ulong child = _f.InternalChild(_base, btp, i);
                    if (child == 0 || !PageAligned(child)) { _e.Add($"FPM5: btree page {page} key {i} has a bad downlink"); continue; }
                    uint cm = _f.PageMagic(child);
                    if ((cm == FREE_PAGE_LEAF_MAGIC || cm == FREE_PAGE_INTERNAL_MAGIC) && _f.Nused(child) >= 1 && _f.KeyFirst(_l.Key(child, 0)) != first)
                        _e.Add($"FPM5: btree page {page} key {i} is {first}, but child {PageOf(child)} starts at {_f.KeyFirst(_l.Key(child, 0))}");
                    WalkBtree(child, btp, level + 1, depth, keys, visited);
                }
            }
        }
    }
}
