// DsaCheck: the DSA invariants DSA1-DSA14 of pg-mmgr-dsa.md 9.16, checked by walking an area's
// shared state (dsa.c, PostgreSQL 17) when no operation is in progress.
//
// The walker maps every live segment of the area into a SimMemory of its own (the same bytes the
// backends map, at addresses of its own), so checking has no side effect on any backend: it attaches
// nothing, takes no lock and does not move a backend's freed-segment counter. dsa_pointers are
// resolved against that private mapping, FreePageManagers through their self relptrs. Backends'
// private state (segment maps, counters, held locks) is checked from the DsaArea objects passed in.
//
// Each finding is a string starting with its invariant id ("DSA5: ..."). Only areas created with
// dsa_create (which have a DSM handle) can be walked this way.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Dsa.DsaLayout;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Dsa;

public sealed record DsaCheckOptions
{
    /// <summary>The live allocations (dsa_pointer to requested size) if the caller tracks them:
    /// enables DSA1, DSA7's leak direction and DSA13.</summary>
    public IReadOnlyDictionary<ulong, ulong>? Live { get; init; }

    /// <summary>The size limit was lowered below the total after segments existed (DSA9).</summary>
    public bool LimitLowered { get; init; }

    /// <summary>Pages per segment that PostgreSQL's FreePageManager lost to its root-page leak
    /// (finding F1 of the FPM port): that many pages may belong to nobody (DSA3).</summary>
    public IReadOnlyDictionary<ulong, ulong>? KnownLostPages { get; init; }

    /// <summary>Report pages owned by nobody (DSA3). On by default.</summary>
    public bool CheckLostPages { get; init; } = true;

    /// <summary>Pool-0 objects known to be leaked by PostgreSQL's ensure_active_superblock
    /// (finding D1); by default those recorded by the backends passed to Check.</summary>
    public IReadOnlySet<ulong>? KnownLeakedSpanObjects { get; init; }

    /// <summary>The snapshot of the previous check, if the caller keeps it: DSA10 then checks that
    /// freed_segment_counter grew by exactly the number of segments freed since (a slot whose handle
    /// changed was freed and reused).</summary>
    public DsaSnapshot? Previous { get; init; }

    /// <summary>Exactly one operation ran since Previous (a segment can then not be freed and its
    /// slot reused unseen, so the counter must grow by exactly the segments freed; otherwise it
    /// must grow by at least that many).</summary>
    public bool PreviousIsOneOperation { get; init; }

    /// <summary>DSA8's inequality header.bin >= bin(largest free run). Off by default: an FPM Get
    /// whose cleanup merges runs can raise the largest run without a rebin.</summary>
    public bool CheckBinNotBelowLargest { get; init; }
}

/// <summary>What the walk found, for models and tests.</summary>
[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public sealed class DsaSnapshot
{
    /// <summary>Valid segment slots and their sizes.</summary>
    public SortedDictionary<ulong, ulong> Segments { get; } = new();
    /// <summary>Span dsa_pointer to (size class, start, npages, nallocatable, nmax).</summary>
    public SortedDictionary<ulong, (int SizeClass, ulong Start, ulong Npages, int Nallocatable, int Nmax)> Spans { get; } = new();
    /// <summary>Unowned pages per segment (DSA3).</summary>
    public SortedDictionary<ulong, ulong> LostPages { get; } = new();
    public ulong TotalSegmentSize { get; set; }
    /// <summary>Valid slot to its DSM handle.</summary>
    public SortedDictionary<ulong, uint> Handles { get; } = new();
    public ulong FreedSegmentCounter { get; set; }
}

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class DsaCheck
{
    private const int MaxSteps = 1 << 20;

    /// <summary>Checks <paramref name="area"/>'s shared state and the private state of every
    /// backend in <paramref name="backends"/> (default: just <paramref name="area"/>).</summary>
    public static List<string> Check(DsaArea area, DsaCheckOptions? options = null, IEnumerable<DsaArea>? backends = null)
    {
        var errors = new List<string>();
        Walk(area, errors, options, backends);
        return errors;
    }

    public static DsaSnapshot Walk(DsaArea area, List<string> errors, DsaCheckOptions? options = null, IEnumerable<DsaArea>? backends = null)
    {
        ArgumentNullException.ThrowIfNull(area);
        ArgumentNullException.ThrowIfNull(errors);
        var w = new Walker(area, errors, options ?? new DsaCheckOptions());
        try
        {
            w.Run();
        }
        catch (SimFaultException e)
        {
            errors.Add($"{w.Phase}: fault while walking: {e.Message}");
        }
        catch (AssertionFailureException e)
        {
            errors.Add($"{w.Phase}: assertion while walking: {e.Message}");
        }
        foreach (DsaArea b in backends ?? [area]) w.CheckBackend(b);
        w.CheckLeaks(options?.KnownLeakedSpanObjects ?? (backends ?? [area]).SelectMany(b => b.LeakedSpanObjects).ToHashSet());
        return w.Snap;
    }

    private sealed class Walker(DsaArea area, List<string> errors, DsaCheckOptions opt)
    {
        public string Phase = "DSA2";
        public readonly DsaSnapshot Snap = new();
        private readonly DsaLayout L = area.L;
        private readonly SimMemory _m = new(heapMax: 1 << 12, initialHeapCapacity: 16);
        private readonly Dictionary<ulong, ulong> _base = new();   // segment index -> checker address
        private readonly Dictionary<ulong, ulong> _size = new();
        private ulong _control;
        private uint _handle;

        private DsaPointerLayout P => L.P;
        private void Err(string id, string what) => errors.Add($"{id}: {what}");
        private ulong RdDp(ulong at) => L.W == 8 ? _m.ReadU64(at) : _m.ReadU32(at);
        private ulong U64(ulong at) => _m.ReadU64(at);
        private ushort U16(ulong at) => _m.ReadU16(at);

        /// <summary>The checker's address of a dsa_pointer, or 0 if its segment is not live.</summary>
        private ulong Addr(ulong dp)
        {
            ulong seg = P.DSA_EXTRACT_SEGMENT_NUMBER(dp);
            return _base.TryGetValue(seg, out ulong b) ? b + P.DSA_EXTRACT_OFFSET(dp) : 0;
        }

        private string Dp(ulong dp) => $"{P.DSA_EXTRACT_SEGMENT_NUMBER(dp)}:0x{P.DSA_EXTRACT_OFFSET(dp):x}";

        public void Run()
        {
            _handle = area.handle;
            byte[]? b0 = area.Dsm.Control.Impl.OpenObject(_handle);
            if (b0 is null)
            {
                Err("DSA2", $"control segment {_handle} does not exist");
                return;
            }
            _control = _m.MapRegion("dsa segment 0", b0, null).Base;
            _base[0] = _control;
            _size[0] = (ulong)b0.LongLength;
            ulong high = U64(_control + L.CTL_high_segment_index);
            ulong maxSeg = (ulong)P.DSA_MAX_SEGMENTS;
            if (high >= maxSeg) Err("DSA2", $"high_segment_index {high} >= {maxSeg}");
            if (_m.ReadU32(_control + CTL_segment_handles) != _handle) Err("DSA10", "segment_handles[0] is not the area handle");
            for (ulong i = 1; i < maxSeg; i++)
            {
                uint h = _m.ReadU32(_control + CTL_segment_handles + 4 * i);
                if (h == 0) continue;
                if (i > high) Err("DSA2", $"slot {i} has a handle above high_segment_index {high}");
                byte[]? bi = area.Dsm.Control.Impl.OpenObject(h);
                if (bi is null)
                {
                    Err("DSA2", $"slot {i}: segment {h} does not exist");
                    continue;
                }
                Snap.Handles[i] = h;
                _base[i] = _m.MapRegion($"dsa segment {i}", bi, null).Base;
                _size[i] = (ulong)bi.LongLength;
            }

            var fpms = new Dictionary<ulong, FpmSnapshot>();
            foreach ((ulong i, ulong b) in _base) CheckHeader(i, b, fpms);

            Phase = "DSA8";
            CheckBins(fpms);

            Phase = "DSA9";
            ulong total = U64(_control + L.CTL_total_segment_size), sum = 0;
            foreach ((ulong i, ulong b) in _base) sum += U64(b + HDR_size);
            Snap.TotalSegmentSize = total;
            if (total != sum) Err("DSA9", $"total_segment_size {total} != sum of segment sizes {sum}");
            ulong maxTotal = U64(_control + L.CTL_max_total_segment_size);
            if (total > maxTotal && !opt.LimitLowered) Err("DSA9", $"total_segment_size {total} > max_total_segment_size {maxTotal}");

            Phase = "DSA10";
            Snap.Handles[0] = _handle;
            Snap.FreedSegmentCounter = U64(_control + L.CTL_freed_segment_counter);
            if (opt.Previous is { } prev)
            {
                int freed = prev.Handles.Count(kv => !Snap.Handles.TryGetValue(kv.Key, out uint h) || h != kv.Value);
                ulong delta = Snap.FreedSegmentCounter - prev.FreedSegmentCounter;
                if (Snap.FreedSegmentCounter < prev.FreedSegmentCounter || delta < (ulong)freed || (opt.PreviousIsOneOperation && delta != (ulong)freed))
                    Err("DSA10", $"freed_segment_counter moved {prev.FreedSegmentCounter} -> {Snap.FreedSegmentCounter} while {freed} segment(s) were freed");
                if (prev.Handles.TryGetValue(0, out uint h0) && h0 != _handle) Err("DSA10", "segment 0 changed");
            }

            Phase = "DSA12";
            int refcnt = (int)_m.ReadU32(_control + L.CTL_refcnt);
            if (refcnt < 1) Err("DSA12", $"refcnt {refcnt} < 1 with a backend attached");
            if (_m.ReadU8(_control + L.CTL_pinned) != 0 && refcnt < 2) Err("DSA12", $"pinned but refcnt {refcnt}");

            Phase = "DSA6";
            var spanPages = WalkPools();
            Phase = "DSA7";
            CheckSpanObjects();
            Phase = "DSA3";
            CheckPartition(fpms, spanPages);
            if (opt.Live is not null)
            {
                Phase = "DSA1";
                CheckLive(opt.Live);
            }
        }

        private void CheckHeader(ulong i, ulong b, Dictionary<ulong, FpmSnapshot> fpms)
        {
            Phase = "DSA2";
            uint magic = _m.ReadU32(b + HDR_magic);
            if (magic != (DSA_SEGMENT_HEADER_MAGIC ^ _handle ^ (uint)i)) Err("DSA2", $"segment {i}: bad magic 0x{magic:x}");
            if (_m.ReadU8(b + HDR_freed) != 0) Err("DSA2", $"segment {i}: live slot marked freed");
            ulong size = U64(b + HDR_size), usable = U64(b + HDR_usable_pages);
            if (size != _size[i]) Err("DSA2", $"segment {i}: header size {size} != mapping size {_size[i]}");
            ulong meta = size - usable * FpmLayout.FPM_PAGE_SIZE;
            if (usable * FpmLayout.FPM_PAGE_SIZE > size || meta % FpmLayout.FPM_PAGE_SIZE != 0)
            {
                Err("DSA2", $"segment {i}: usable_pages {usable} inconsistent with size {size}");
                return;
            }
            if (i == 0 && meta != L.Segment0MetadataBytes(size)) Err("DSA2", $"segment 0: metadata {meta} != {L.Segment0MetadataBytes(size)}");
            if (meta < L.PagemapOffset(i) || (meta - L.PagemapOffset(i)) / (ulong)L.W < size / FpmLayout.FPM_PAGE_SIZE)
                Err("DSA2", $"segment {i}: pagemap has {(meta - Math.Min(meta, L.PagemapOffset(i))) / (ulong)L.W} entries for {size / FpmLayout.FPM_PAGE_SIZE} pages");

            Phase = "DSA3";
            var fpm = new FreePageManager(_m, b + L.FpmOffset(i), L.Fpm);
            var fe = new List<string>();
            fpms[i] = FreePageManagerCheck.Walk(fpm, fe);
            foreach (string e in fe) Err("DSA3", $"segment {i}: {e}");
            if (fpm.Base != b) Err("DSA3", $"segment {i}: FPM base is not the segment start");
        }

        private void CheckBins(Dictionary<ulong, FpmSnapshot> fpms)
        {
            var seen = new Dictionary<ulong, ulong>();
            for (ulong bin = 0; bin < DSA_NUM_SEGMENT_BINS; bin++)
            {
                ulong prev = DSA_SEGMENT_INDEX_NONE;
                ulong s = U64(_control + L.CTL_segment_bins + 8 * bin);
                int steps = 0;
                while (s != DSA_SEGMENT_INDEX_NONE)
                {
                    if (!_base.TryGetValue(s, out ulong b))
                    {
                        Err("DSA8", $"bin {bin} lists segment {s}, which is not live");
                        break;
                    }
                    if (!seen.TryAdd(s, bin))
                    {
                        Err("DSA8", $"segment {s} is listed twice (bins {seen[s]} and {bin})");
                        break;
                    }
                    if (U64(b + HDR_bin) != bin) Err("DSA8", $"segment {s} in bin {bin} has header.bin {U64(b + HDR_bin)}");
                    if (opt.CheckBinNotBelowLargest && fpms.TryGetValue(s, out FpmSnapshot? f)
                        && (ulong)contiguous_pages_to_segment_bin(f.ContiguousPages) > bin)
                        Err("DSA8", $"segment {s} in bin {bin} has a free run of {f.ContiguousPages} pages (bin {contiguous_pages_to_segment_bin(f.ContiguousPages)})");
                    if (U64(b + HDR_prev) != prev) Err("DSA8", $"segment {s}: prev {U64(b + HDR_prev):x} != {prev:x}");
                    prev = s;
                    s = U64(b + HDR_next);
                    if (++steps > 4096) { Err("DSA8", $"bin {bin} list does not end"); break; }
                }
            }
            foreach (ulong i in _base.Keys)
            {
                if (!seen.ContainsKey(i)) Err("DSA8", $"segment {i} is in no bin");
                Snap.Segments[i] = _size[i];
            }
        }

        /// <summary>Walks every pool's fullness lists (DSA5, DSA6); returns the pages each span
        /// claims, per segment.</summary>
        private Dictionary<ulong, Dictionary<ulong, ulong>> WalkPools()
        {
            var pages = new Dictionary<ulong, Dictionary<ulong, ulong>>();
            int nclasses = L.Classes.DSA_NUM_SIZE_CLASSES;
            for (int c = 0; c < nclasses; c++)
            {
                ulong pool = L.PoolAddr(_control, c);
                ulong poolDp = P.DSA_MAKE_POINTER(0, pool - _control);
                for (int k = 0; k < DSA_FULLNESS_CLASSES; k++)
                {
                    ulong dp = RdDp(pool + POOL_spans + (ulong)(k * L.W));
                    ulong prev = 0;
                    int steps = 0;
                    bool head = true;
                    while (dp != 0)
                    {
                        ulong s = Addr(dp);
                        if (s == 0) { Err("DSA6", $"pool {c} class {k}: span {Dp(dp)} in no live segment"); break; }
                        if (Snap.Spans.ContainsKey(dp)) { Err("DSA6", $"pool {c} class {k}: span {Dp(dp)} listed twice"); break; }
                        if (RdDp(s + L.SPAN_prevspan) != prev) Err("DSA6", $"pool {c} class {k}: span {Dp(dp)} prevspan {Dp(RdDp(s + L.SPAN_prevspan))} != {Dp(prev)}");
                        if (U16(s + L.SPAN_fclass) != k) Err("DSA6", $"pool {c}: span {Dp(dp)} on list {k} has fclass {U16(s + L.SPAN_fclass)}");
                        if (RdDp(s + L.SPAN_pool) != poolDp) Err("DSA6", $"pool {c}: span {Dp(dp)} points at another pool");
                        CheckSpan(c, k, head, dp, s, pages);
                        head = false;
                        prev = dp;
                        dp = RdDp(s + L.SPAN_nextspan);
                        if (++steps > MaxSteps) { Err("DSA6", $"pool {c} class {k} list does not end"); break; }
                    }
                }
            }
            return pages;
        }

        private void CheckSpan(int c, int k, bool head, ulong dp, ulong s, Dictionary<ulong, Dictionary<ulong, ulong>> pages)
        {
            int sc = U16(s + L.SPAN_size_class);
            ulong start = RdDp(s + L.SPAN_start), npages = U64(s + L.SPAN_npages);
            int nalloc = U16(s + L.SPAN_nallocatable), nmax = U16(s + L.SPAN_nmax), ninit = U16(s + L.SPAN_ninitialized);
            Snap.Spans[dp] = (sc, start, npages, nalloc, nmax);
            if (sc != c) { Err("DSA5", $"span {Dp(dp)} in pool {c} has size_class {sc}"); return; }
            ulong expectPages = c == DSA_SCLASS_BLOCK_OF_SPANS ? 1UL : c == DSA_SCLASS_SPAN_LARGE ? npages : DSA_PAGES_PER_SUPERBLOCK;
            if (npages != expectPages || npages == 0) Err("DSA5", $"span {Dp(dp)} (class {c}) has npages {npages}");
            if (P.DSA_EXTRACT_OFFSET(start) % FpmLayout.FPM_PAGE_SIZE != 0) Err("DSA5", $"span {Dp(dp)} start {Dp(start)} not page-aligned");
            if (c == DSA_SCLASS_BLOCK_OF_SPANS && start != dp) Err("DSA5", $"block of spans {Dp(dp)} does not describe itself (start {Dp(start)})");

            // pages the span claims
            ulong seg = P.DSA_EXTRACT_SEGMENT_NUMBER(start), first = P.DSA_EXTRACT_OFFSET(start) / FpmLayout.FPM_PAGE_SIZE;
            if (!_base.TryGetValue(seg, out ulong b)) { Err("DSA5", $"span {Dp(dp)} start {Dp(start)} in no live segment"); return; }
            if ((first + npages) * FpmLayout.FPM_PAGE_SIZE > _size[seg]) { Err("DSA5", $"span {Dp(dp)} runs past its segment"); return; }
            if (!pages.TryGetValue(seg, out var pm)) pages[seg] = pm = new Dictionary<ulong, ulong>();
            for (ulong p = first; p < first + npages; p++)
            {
                if (!pm.TryAdd(p, dp)) Err("DSA3", $"segment {seg} page {p} is in spans {Dp(pm[p])} and {Dp(dp)}");
            }
            // DSA4
            ulong pagemap = b + L.PagemapOffset(seg);
            ulong checkPages = c == DSA_SCLASS_SPAN_LARGE ? 1 : npages;
            for (ulong p = first; p < first + checkPages; p++)
            {
                ulong e = RdDp(pagemap + p * (ulong)L.W);
                if (e != dp) Err("DSA4", $"segment {seg} pagemap[{p}] = {Dp(e)}, span is {Dp(dp)}");
            }

            if (c == DSA_SCLASS_SPAN_LARGE)
            {
                if (k != 1) Err("DSA6", $"large span {Dp(dp)} on fullness list {k}");
                return;
            }
            // DSA5: counts and the free list
            int expectMax = L.Classes.ObjectsPerSuperblock(c);
            if (nmax != expectMax) Err("DSA5", $"span {Dp(dp)} (class {c}) nmax {nmax} != {expectMax}");
            int extra = c == DSA_SCLASS_BLOCK_OF_SPANS ? 1 : 0;
            if (nalloc > nmax) Err("DSA5", $"span {Dp(dp)} nallocatable {nalloc} > nmax {nmax}");
            if (ninit > nmax + extra) Err("DSA5", $"span {Dp(dp)} ninitialized {ninit} > {nmax + extra}");
            var free = new HashSet<int>();
            ushort f = U16(s + L.SPAN_firstfree);
            ulong size = (ulong)L.Classes.Size(c);
            ulong sb = b + P.DSA_EXTRACT_OFFSET(start);
            while (f != DSA_SPAN_NOTHING_FREE)
            {
                if (f >= ninit || (extra == 1 && f == 0) || !free.Add(f))
                {
                    Err("DSA5", $"span {Dp(dp)} free list holds bad or repeated index {f} (ninitialized {ninit})");
                    break;
                }
                f = _m.ReadU16(sb + f * size);
            }
            int expectFree = nalloc - (nmax - ninit + extra);
            if (free.Count != expectFree) Err("DSA5", $"span {Dp(dp)} free list length {free.Count} != nallocatable - uninitialised = {expectFree}");
            _free[dp] = free;
            _ninit[dp] = ninit;

            // DSA6: class 3 exactly the full spans; a wholly free span only as class 1's head
            if ((k == DSA_FULLNESS_CLASSES - 1) != (nalloc == 0)) Err("DSA6", $"span {Dp(dp)} (class {c}) with nallocatable {nalloc} on fullness list {k}");
            if (nalloc == nmax && !(k == 1 && head)) Err("DSA6", $"entirely free span {Dp(dp)} (class {c}) kept on list {k}{(head ? " as head" : "")}");
        }

        private readonly Dictionary<ulong, HashSet<int>> _free = new();
        private readonly Dictionary<ulong, int> _ninit = new();

        /// <summary>DSA7: the span descriptors of pools other than 0 are exactly the allocated
        /// objects of pool 0.</summary>
        private void CheckSpanObjects()
        {
            var allocated = new HashSet<ulong>();
            ulong size = (ulong)L.Classes.Size(DSA_SCLASS_BLOCK_OF_SPANS);
            foreach ((ulong dp, var sp) in Snap.Spans)
            {
                if (sp.SizeClass != DSA_SCLASS_BLOCK_OF_SPANS || !_ninit.TryGetValue(dp, out int ninit)) continue;
                for (int i = 1; i < ninit; i++)
                    if (!_free[dp].Contains(i)) allocated.Add(sp.Start + (ulong)i * size);
            }
            foreach ((ulong dp, var sp) in Snap.Spans)
            {
                if (sp.SizeClass == DSA_SCLASS_BLOCK_OF_SPANS) continue;
                if (!allocated.Remove(dp)) Err("DSA7", $"span {Dp(dp)} (class {sp.SizeClass}) is not a live object of pool 0");
            }
            _unowned = allocated;
        }

        private HashSet<ulong> _unowned = new();

        /// <summary>DSA7's leak direction, less the objects PostgreSQL is known to leak (D1).</summary>
        public void CheckLeaks(IReadOnlySet<ulong> known)
        {
            foreach (ulong dp in _unowned)
                if (!known.Contains(dp)) Err("DSA7", $"pool 0 object {Dp(dp)} describes no span (leaked)");
        }

        /// <summary>DSA3: each page of each segment is metadata, FPM-owned or in exactly one span.</summary>
        private void CheckPartition(Dictionary<ulong, FpmSnapshot> fpms, Dictionary<ulong, Dictionary<ulong, ulong>> spanPages)
        {
            foreach ((ulong i, ulong b) in _base)
            {
                ulong npages = _size[i] / FpmLayout.FPM_PAGE_SIZE;
                ulong meta = (_size[i] - U64(b + HDR_usable_pages) * FpmLayout.FPM_PAGE_SIZE) / FpmLayout.FPM_PAGE_SIZE;
                var owner = new string?[npages];
                for (ulong p = 0; p < meta && p < npages; p++) owner[p] = "metadata";
                void Claim(ulong p, string who)
                {
                    if (p >= npages) { Err("DSA3", $"segment {i}: {who} claims page {p} beyond {npages}"); return; }
                    if (owner[p] is not null) Err("DSA3", $"segment {i} page {p} is both {owner[p]} and {who}");
                    else owner[p] = who;
                }
                if (fpms.TryGetValue(i, out FpmSnapshot? f))
                {
                    foreach ((ulong first, ulong n) in f.Runs)
                        for (ulong p = first; p < first + n; p++) Claim(p, "free");
                    foreach (ulong p in f.BtreePages) Claim(p, "btree");
                    foreach (ulong p in f.RecycledPages) Claim(p, "recycled");
                }
                if (spanPages.TryGetValue(i, out var sp))
                    foreach ((ulong p, ulong dp) in sp) Claim(p, $"span {Dp(dp)}");
                ulong lost = 0;
                for (ulong p = 0; p < npages; p++) if (owner[p] is null) lost++;
                if (lost > 0) Snap.LostPages[i] = lost;
                ulong known = opt.KnownLostPages is { } k && k.TryGetValue(i, out ulong kl) ? kl : 0;
                if (opt.CheckLostPages && lost > known) Err("DSA3", $"segment {i}: {lost} page(s) owned by nobody (first {Array.FindIndex(owner, o => o is null)})");
            }
        }

        /// <summary>DSA1, DSA13: each live pointer is an allocated object of the right span.</summary>
        private void CheckLive(IReadOnlyDictionary<ulong, ulong> live)
        {
            foreach ((ulong dp, ulong size) in live)
            {
                ulong seg = P.DSA_EXTRACT_SEGMENT_NUMBER(dp), off = P.DSA_EXTRACT_OFFSET(dp);
                if (!_base.TryGetValue(seg, out ulong b)) { Err("DSA1", $"live {Dp(dp)} in no live segment"); continue; }
                ulong page = off / FpmLayout.FPM_PAGE_SIZE;
                ulong meta = (_size[seg] - U64(b + HDR_usable_pages) * FpmLayout.FPM_PAGE_SIZE) / FpmLayout.FPM_PAGE_SIZE;
                if (page < meta || off >= _size[seg]) { Err("DSA1", $"live {Dp(dp)} outside the usable pages"); continue; }
                ulong spanDp = RdDp(b + L.PagemapOffset(seg) + page * (ulong)L.W);
                if (!Snap.Spans.TryGetValue(spanDp, out var sp)) { Err("DSA13", $"live {Dp(dp)}: pagemap names no live span"); continue; }
                if (size > MaxClassSize)
                {
                    if (sp.SizeClass != DSA_SCLASS_SPAN_LARGE || sp.Start != dp || sp.Npages != (size + FpmLayout.FPM_PAGE_SIZE - 1) / FpmLayout.FPM_PAGE_SIZE)
                        Err("DSA13", $"live large {Dp(dp)} ({size} bytes) is not its span's object");
                    continue;
                }
                if (dp % 8 != 0) Err("DSA1", $"live {Dp(dp)} not 8-byte aligned");
                ulong csize = (ulong)L.Classes.Size(sp.SizeClass);
                if (sp.SizeClass < 2 || csize < size || dp < sp.Start || (dp - sp.Start) % csize != 0 || dp - sp.Start >= DSA_SUPERBLOCK_SIZE)
                {
                    Err("DSA13", $"live {Dp(dp)} ({size} bytes) is not an object of span {Dp(spanDp)} (class {sp.SizeClass})");
                    continue;
                }
                int idx = (int)((dp - sp.Start) / csize);
                // a span whose walk stopped early (already reported) has no free list to look at
                if (!_ninit.TryGetValue(spanDp, out int spanInit)) continue;
                if (idx >= spanInit || _free[spanDp].Contains(idx)) Err("DSA13", $"live {Dp(dp)} is free in its span (index {idx})");
            }
            // the leak direction: every allocated ordinary object is live
            var liveSet = new HashSet<ulong>(live.Keys);
            foreach ((ulong dp, var sp) in Snap.Spans)
            {
                if (sp.SizeClass == DSA_SCLASS_SPAN_LARGE)
                {
                    if (!liveSet.Contains(sp.Start)) Err("DSA13", $"large span {Dp(dp)} holds no live allocation (leak)");
                    continue;
                }
                if (sp.SizeClass == DSA_SCLASS_BLOCK_OF_SPANS || !_ninit.ContainsKey(dp)) continue;
                int allocated = _ninit[dp] - _free[dp].Count;
                ulong csize = (ulong)L.Classes.Size(sp.SizeClass);
                for (int i = 0; i < _ninit[dp]; i++)
                {
                    if (_free[dp].Contains(i)) continue;
                    if (!liveSet.Contains(sp.Start + (ulong)i * csize)) { Err("DSA13", $"span {Dp(dp)} object {i} is allocated but not live (leak)"); break; }
                }
                _ = allocated;
            }
        }

        /// <summary>DSA11, DSA14: one backend's private view.</summary>
        public void CheckBackend(DsaArea a)
        {
            if (a.Detached) return;
            ulong shared = _base.Count > 0 ? U64(_control + L.CTL_freed_segment_counter) : 0;
            for (int i = 0; i < a.segment_maps.Length; i++)
            {
                DsaSegmentMap map = a.segment_maps[i];
                if (map.mapped_address == 0) continue;
                if ((ulong)i > a.high_segment_index) Err("DSA11", $"backend {a.Dsm.MyProcNumber} maps slot {i} above its high_segment_index {a.high_segment_index}");
                if (a.freed_segment_counter == shared && a.M.ReadU8(map.header + HDR_freed) != 0)
                    Err("DSA11", $"backend {a.Dsm.MyProcNumber} is current (counter {shared}) but still maps freed segment {i}");
            }
            if (a.freed_segment_counter > shared) Err("DSA11", $"backend {a.Dsm.MyProcNumber} counter {a.freed_segment_counter} ahead of shared {shared}");
            if (a.HoldsAnyLock()) Err("DSA14", $"backend {a.Dsm.MyProcNumber} holds a lock of the area between operations");
        }
    }
}
