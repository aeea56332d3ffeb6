// DsaArea: one backend's dsa_area (src/backend/utils/mmgr/dsa.c, PostgreSQL 17): creation,
// attach, detach, pinning, limits and dsa_get_address, and the segment management below them
// (get_segment_by_index, get_best_segment, make_new_segment, rebin_segment, unlink_segment,
// check_for_freed_segments[_locked]). Allocation and free are in DsaArea.Alloc.cs, dsa_dump in
// DsaArea.Dump.cs, the invariant walker in DsaCheck.cs.
//
// Everything shared lives in simulated memory at DsaLayout's offsets: the control block at the
// start of segment 0, one FreePageManager and pagemap per segment, spans and pools reached only
// through dsa_pointers, because every backend maps every segment at its own address (DsmBackend
// gives each backend its own slice). The area lock and the 38 pool locks are LWLocks inside the
// control block, taken at this backend's address of that block.
//
// Concurrency: fields covered by a lock are read and written through the backend's SimMemory while
// the lock is held. The unlocked reads of spec 9.15 (the shared freed_segment_counter, a
// segment_handles entry, the pagemap entry and span fields dsa_free reads before taking a lock) go
// through the backend's ISyncRuntime as SharedRead32/64, so the explorer can schedule them; so does
// get_segment_by_index's unlocked assertion that the segment is not marked freed.
//
// Divergences: Asserts are Pg.Assert (always on); ERROR/FATAL are PgErrorException and
// PgFatalException thrown at the same point (with whatever lock is held, as C's longjmp; error
// recovery releases it). A large span's nallocatable, which C leaves uninitialised, is set to 0.
// Not ported (newer than 17): LW_SHARED for dsa_get_total_size and dump (a6d05c8193),
// dsa_get_total_size_from_handle and the named-DSA registry (f894acb24a, fe07100e82).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Dsa.DsaLayout;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Dsa;

public sealed partial class DsaArea
{
    public const ulong MaxAllocSize = 0x3fffffff;
    public const ulong MaxAllocHugeSize = ulong.MaxValue / 2;

    public DsmBackend Dsm { get; }
    public DsaLayout L { get; }
    public DsaOptions Options { get; }
    public SimMemory M => Dsm.Memory;
    public ISyncRuntime Rt => Dsm.Runtime;
    private LWLockBackend Locks => Dsm.Backend.LWLocks;
    private DsaPointerLayout P => L.P;

    /// <summary>control: this backend's address of the dsa_area_control.</summary>
    public ulong control { get; }
    public DsmResourceOwner? resowner { get; private set; }
    public DsaSegmentMap[] segment_maps { get; }
    public ulong high_segment_index { get; private set; }
    public ulong freed_segment_counter { get; private set; }
    /// <summary>Span objects this backend leaked in ensure_active_superblock (finding D1; see
    /// DsaOptions.FixSuperblockSpanLeak). Instrumentation for DsaCheck's DSA7, not PostgreSQL state.</summary>
    public HashSet<ulong> LeakedSpanObjects { get; } = new();

    /// <summary>Set by dsa_detach: the object is pfree'd in C, every entry point asserts it is not.</summary>
    public bool Detached { get; private set; }

    private DsaArea(DsmBackend dsm, ulong place, DsaLayout layout, DsaOptions? options)
    {
        Dsm = dsm;
        L = layout;
        Options = options ?? DsaOptions.Default;
        control = place;
        resowner = dsm.CurrentResourceOwner;
        segment_maps = new DsaSegmentMap[layout.P.DSA_MAX_SEGMENTS];
        for (int i = 0; i < segment_maps.Length; i++) segment_maps[i] = new DsaSegmentMap((ulong)i);
    }

    // ------------------------------------------------------------------ memory helpers

    internal ulong RdDp(ulong at) => L.W == 8 ? M.ReadU64(at) : M.ReadU32(at);

    internal void WrDp(ulong at, ulong v)
    {
        if (L.W == 8) M.WriteU64(at, v);
        else M.WriteU32(at, (uint)v);
    }

    /// <summary>A raw dsa_pointer store, for tests that corrupt shared state on purpose.</summary>
    public void WrDpPublic(ulong at, ulong v) => WrDp(at, v);

    /// <summary>An unlocked read of a dsa_pointer (through the seam).</summary>
    internal ulong RdDpShared(ulong at) => L.W == 8 ? Rt.SharedRead64(at) : Rt.SharedRead32(at);

    internal ulong Ctl(ulong off) => M.ReadU64(control + off);
    internal void SetCtl(ulong off, ulong v) => M.WriteU64(control + off, v);
    internal uint SegmentHandle(ulong i) => M.ReadU32(control + CTL_segment_handles + 4 * i);
    private void SetSegmentHandle(ulong i, uint h) => M.WriteU32(control + CTL_segment_handles + 4 * i, h);
    internal ulong SegmentBin(ulong b) => M.ReadU64(control + L.CTL_segment_bins + 8 * b);
    private void SetSegmentBin(ulong b, ulong v) => M.WriteU64(control + L.CTL_segment_bins + 8 * b, v);
    internal ulong PoolAddr(int c) => L.PoolAddr(control, c);
    internal ulong PoolSpans(ulong pool, int fclass) => RdDp(pool + POOL_spans + (ulong)(fclass * L.W));
    private void SetPoolSpans(ulong pool, int fclass, ulong v) => WrDp(pool + POOL_spans + (ulong)(fclass * L.W), v);

    public uint handle => M.ReadU32(control + CTL_handle);
    public int refcnt => (int)M.ReadU32(control + L.CTL_refcnt);
    public bool pinned => M.ReadU8(control + L.CTL_pinned) != 0;

    // header fields (address of a dsa_segment_header)
    internal ulong HdrU64(ulong h, ulong off) => M.ReadU64(h + off);
    private void SetHdr(ulong h, ulong off, ulong v) => M.WriteU64(h + off, v);

    // ------------------------------------------------------------------ locks

    /// <summary>DSA_AREA_LOCK(area).</summary>
    public LWLock AreaLock => new(control + L.CTL_lock);

    /// <summary>DSA_SCLASS_LOCK(area, sclass).</summary>
    public LWLock PoolLock(int sizeClass) => new(PoolAddr(sizeClass) + POOL_lock);

    /// <summary>Which lock of this area an LWLock is: -1 the area lock, a size class for a pool
    /// lock, null for none of this area's.</summary>
    public int? LockId(LWLock l)
    {
        if (l.Address == control + L.CTL_lock) return -1;
        ulong p0 = PoolAddr(0);
        if (l.Address >= p0 && l.Address < PoolAddr(L.Classes.DSA_NUM_SIZE_CLASSES) && (l.Address - p0) % L.SIZEOF_dsa_area_pool == 0)
            return (int)((l.Address - p0) / L.SIZEOF_dsa_area_pool);
        return null;
    }

    private static string LockName(int id) => id < 0 ? "dsa area lock" : $"dsa pool lock {id}";

    /// <summary>A backend-independent name for one of this area's locks ("dsa &lt;handle&gt; area
    /// lock", "dsa &lt;handle&gt; pool lock &lt;c&gt;"), or null. The LWLock's address differs in
    /// every backend (segment 0 is mapped at a different base in each), so an explorer that
    /// identifies locks by address must map (backend, address) to this name, i.e. to (area handle,
    /// offset in segment 0).</summary>
    public string? DescribeLock(LWLock l) => LockId(l) is int id ? $"dsa {handle:x} {LockName(id).Substring(4)}" : null;

    /// <summary>The lock order of spec 9.15: pool(c != 0), then pool(0), then the area lock; nothing
    /// after the area lock, no second ordinary pool.</summary>
    private void CheckOrder(LWLock want)
    {
        if (!Options.CheckLockOrder) return;
        int w = LockId(want) ?? throw new InvalidOperationException("not a lock of this area");
        for (int i = 0; i < Locks.NumHeld; i++)
        {
            int? h = LockId(Locks.Held(i).Lock);
            if (h is null) continue;
            bool ok = h.Value switch
            {
                -1 => false,
                0 => w == -1,
                _ => w == -1 || w == 0,
            };
            if (!ok)
                throw new AssertionFailureException("dsa lock order 9.15",
                    $"backend {Dsm.MyProcNumber} requests {LockName(w)} while holding {LockName(h.Value)}");
        }
    }

    internal void Acquire(LWLock l, LWLockMode mode = LWLockMode.LW_EXCLUSIVE)
    {
        CheckOrder(l);
        Locks.LWLockAcquire(l, mode);
    }

    internal void Release(LWLock l) => Locks.LWLockRelease(l);

    internal bool HeldByMe(LWLock l) => Locks.LWLockHeldByMe(l);

    /// <summary>Whether this backend holds any lock of this area (DSA14 at operation end).</summary>
    public bool HoldsAnyLock()
    {
        for (int i = 0; i < Locks.NumHeld; i++)
            if (LockId(Locks.Held(i).Lock) is not null) return true;
        return false;
    }

    private void Live() => Pg.Assert(!Detached, "dsa_area used after dsa_detach");

    // ------------------------------------------------------------------ creation and attach

    public static ulong dsa_minimum_size(DsaLayout? layout = null) => (layout ?? DsaLayout.Wide).dsa_minimum_size();

    /// <summary>dsa_create: a 1 MiB first segment, segments of at most DSA_MAX_SEGMENT_SIZE.</summary>
    public static DsaArea dsa_create(DsmBackend dsm, int trancheId, DsaLayout? layout = null, DsaOptions? options = null)
    {
        layout ??= DsaLayout.Wide;
        return dsa_create_ext(dsm, trancheId, DSA_DEFAULT_INIT_SEGMENT_SIZE, layout.P.DSA_MAX_SEGMENT_SIZE, layout, options);
    }

    /// <summary>dsa_create_ext: creates and pins the control segment and registers the detach hook
    /// that drops this backend's reference.</summary>
    public static DsaArea dsa_create_ext(DsmBackend dsm, int trancheId, ulong initSegmentSize, ulong maxSegmentSize,
        DsaLayout? layout = null, DsaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dsm);
        layout ??= DsaLayout.Wide;
        DsmSegment segment = dsm.dsm_create(initSegmentSize, 0)!;
        dsm.dsm_pin_segment(segment);
        ulong place = DsmBackend.dsm_segment_address(segment);
        DsaArea area = create_internal(dsm, place, initSegmentSize, trancheId, DsmBackend.dsm_segment_handle(segment), segment,
            initSegmentSize, maxSegmentSize, layout, options);
        DsmBackend.on_dsm_detach(segment, ReleaseHook(layout), place);
        return area;
    }

    /// <summary>dsa_create_in_place_ext: an area in memory the caller provides (no handle); segment,
    /// if given, gets the detach hook.</summary>
    public static DsaArea dsa_create_in_place_ext(DsmBackend dsm, ulong place, ulong size, int trancheId, DsmSegment? segment,
        ulong initSegmentSize, ulong maxSegmentSize, DsaLayout? layout = null, DsaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dsm);
        layout ??= DsaLayout.Wide;
        DsaArea area = create_internal(dsm, place, size, trancheId, DsmConstants.DSM_HANDLE_INVALID, null,
            initSegmentSize, maxSegmentSize, layout, options);
        if (segment is not null) DsmBackend.on_dsm_detach(segment, ReleaseHook(layout), place);
        return area;
    }

    private static readonly on_dsm_detach_callback ReleaseWide = (seg, place) => dsa_release_in_place(seg.Owner, place, DsaLayout.Wide);
    private static readonly on_dsm_detach_callback ReleaseSmall = (seg, place) => dsa_release_in_place(seg.Owner, place, DsaLayout.Small);

    /// <summary>dsa_on_dsm_detach_release_in_place for a layout (one delegate per layout, so
    /// cancel_on_dsm_detach can find it).</summary>
    public static on_dsm_detach_callback ReleaseHook(DsaLayout layout) => ReferenceEquals(layout, DsaLayout.Small) ? ReleaseSmall : ReleaseWide;

    private static DsaArea create_internal(DsmBackend dsm, ulong place, ulong size, int trancheId, uint controlHandle,
        DsmSegment? controlSegment, ulong initSegmentSize, ulong maxSegmentSize, DsaLayout l, DsaOptions? options)
    {
        Pg.Assert(initSegmentSize >= DSA_MIN_SEGMENT_SIZE);
        Pg.Assert(maxSegmentSize >= initSegmentSize);
        Pg.Assert(maxSegmentSize <= l.P.DSA_MAX_SEGMENT_SIZE);

        if (size < l.dsa_minimum_size())
            throw new PgErrorException($"dsa_area space must be at least {l.dsa_minimum_size()}, but {size} provided");

        ulong metadataBytes = l.Segment0MetadataBytes(size);
        Pg.Assert(metadataBytes <= size);
        ulong usablePages = (size - metadataBytes) / FpmLayout.FPM_PAGE_SIZE;

        SimMemory m = dsm.Memory;
        m.Fill(place, l.SIZEOF_dsa_area_control, 0);
        var area = new DsaArea(dsm, place, l, options);
        m.WriteU32(place + HDR_magic, DSA_SEGMENT_HEADER_MAGIC ^ controlHandle ^ 0);
        area.SetHdr(place, HDR_next, DSA_SEGMENT_INDEX_NONE);
        area.SetHdr(place, HDR_prev, DSA_SEGMENT_INDEX_NONE);
        area.SetHdr(place, HDR_usable_pages, usablePages);
        m.WriteU8(place + HDR_freed, 0);
        area.SetHdr(place, HDR_size, size);
        m.WriteU32(place + CTL_handle, controlHandle);
        area.SetCtl(l.CTL_init_segment_size, initSegmentSize);
        area.SetCtl(l.CTL_max_segment_size, maxSegmentSize);
        area.SetCtl(l.CTL_max_total_segment_size, ulong.MaxValue);
        area.SetCtl(l.CTL_total_segment_size, size);
        area.SetSegmentHandle(0, controlHandle);
        for (ulong i = 0; i < DSA_NUM_SEGMENT_BINS; ++i) area.SetSegmentBin(i, DSA_SEGMENT_INDEX_NONE);
        m.WriteU32(place + l.CTL_refcnt, 1);
        m.WriteU32(place + l.CTL_lwlock_tranche_id, (uint)trancheId);

        area.resowner = dsm.CurrentResourceOwner;
        LWLock.Initialize(m, area.AreaLock, (ushort)trancheId);
        for (int i = 0; i < l.Classes.DSA_NUM_SIZE_CLASSES; ++i) LWLock.Initialize(m, area.PoolLock(i), (ushort)trancheId);

        DsaSegmentMap map = area.segment_maps[0];
        area.MapSegment(map, controlSegment, place);
        map.fpm = FreePageManager.Initialize(m, place + l.FpmOffset(0), place, l.Fpm, area.Options.Fpm);
        if (usablePages > 0) map.fpm.Put(metadataBytes / FpmLayout.FPM_PAGE_SIZE, usablePages);

        ulong bin = (ulong)contiguous_pages_to_segment_bin(usablePages);
        area.SetSegmentBin(bin, 0);
        area.SetHdr(place, HDR_bin, bin);
        return area;
    }

    /// <summary>Fills a segment map for a mapping at <paramref name="address"/>.</summary>
    private void MapSegment(DsaSegmentMap map, DsmSegment? segment, ulong address)
    {
        map.segment = segment;
        map.mapped_address = address;
        map.header = address;
        map.fpm = new FreePageManager(M, address + L.FpmOffset(map.Index), L.Fpm, Options.Fpm);
        map.pagemap = address + L.PagemapOffset(map.Index);
    }

    /// <summary>dsa_attach: maps the control segment named <paramref name="h"/> and takes a reference.</summary>
    public static DsaArea dsa_attach(DsmBackend dsm, uint h, DsaLayout? layout = null, DsaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dsm);
        layout ??= DsaLayout.Wide;
        DsmSegment segment = dsm.dsm_attach(h) ?? throw new PgErrorException("could not attach to dynamic shared area");
        ulong place = DsmBackend.dsm_segment_address(segment);
        DsaArea area = attach_internal(dsm, place, segment, h, layout, options);
        DsmBackend.on_dsm_detach(segment, ReleaseHook(layout), place);
        return area;
    }

    /// <summary>dsa_attach_in_place: an area created in place in memory this backend maps at
    /// <paramref name="place"/>.</summary>
    public static DsaArea dsa_attach_in_place(DsmBackend dsm, ulong place, DsmSegment? segment, DsaLayout? layout = null, DsaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dsm);
        layout ??= DsaLayout.Wide;
        DsaArea area = attach_internal(dsm, place, null, DsmConstants.DSM_HANDLE_INVALID, layout, options);
        if (segment is not null) DsmBackend.on_dsm_detach(segment, ReleaseHook(layout), place);
        return area;
    }

    private static DsaArea attach_internal(DsmBackend dsm, ulong place, DsmSegment? segment, uint h, DsaLayout l, DsaOptions? options)
    {
        SimMemory m = dsm.Memory;
        Pg.Assert(m.ReadU32(place + CTL_handle) == h);
        Pg.Assert(m.ReadU32(place + CTL_segment_handles) == h);
        Pg.Assert(m.ReadU32(place + HDR_magic) == (DSA_SEGMENT_HEADER_MAGIC ^ h ^ 0));

        var area = new DsaArea(dsm, place, l, options);
        area.MapSegment(area.segment_maps[0], segment, place);

        area.Acquire(area.AreaLock);
        if (area.refcnt == 0 && (area.Options.Canary & DsaCanary.AttachIgnoresZeroRefcnt) == 0)
        {
            // raised with the area lock held; error recovery releases it
            throw new PgErrorException("could not attach to dynamic shared area");
        }
        m.WriteU32(place + l.CTL_refcnt, (uint)(area.refcnt + 1));
        area.freed_segment_counter = area.Ctl(l.CTL_freed_segment_counter);
        area.Release(area.AreaLock);
        return area;
    }

    /// <summary>dsa_release_in_place: drops one reference; the last one unpins every segment.</summary>
    public static void dsa_release_in_place(DsmBackend dsm, ulong place, DsaLayout l)
    {
        ArgumentNullException.ThrowIfNull(dsm);
        ArgumentNullException.ThrowIfNull(l);
        SimMemory m = dsm.Memory;
        var lock_ = new LWLock(place + l.CTL_lock);
        dsm.Backend.LWLocks.LWLockAcquire(lock_, LWLockMode.LW_EXCLUSIVE);
        uint h = m.ReadU32(place + CTL_handle);
        Pg.Assert(m.ReadU32(place + HDR_magic) == (DSA_SEGMENT_HEADER_MAGIC ^ h ^ 0));
        uint rc = m.ReadU32(place + l.CTL_refcnt);
        Pg.Assert(rc > 0);
        m.WriteU32(place + l.CTL_refcnt, rc - 1);
        if (rc - 1 == 0)
        {
            ulong high = m.ReadU64(place + l.CTL_high_segment_index);
            for (ulong i = 0; i <= high; ++i)
            {
                uint sh = m.ReadU32(place + CTL_segment_handles + 4 * i);
                if (sh != DsmConstants.DSM_HANDLE_INVALID) dsm.dsm_unpin_segment(sh);
            }
        }
        dsm.Backend.LWLocks.LWLockRelease(lock_);
    }

    /// <summary>dsa_pin_mapping: keep the mappings for the session.</summary>
    public void dsa_pin_mapping()
    {
        Live();
        if (resowner is not null)
        {
            resowner = null;
            for (ulong i = 0; i <= high_segment_index; ++i)
                if (segment_maps[i].segment is { } s) Dsm.dsm_pin_mapping(s);
        }
    }

    /// <summary>dsa_get_handle: only areas created with dsa_create have one.</summary>
    public uint dsa_get_handle()
    {
        Live();
        Pg.Assert(handle != DsmConstants.DSM_HANDLE_INVALID);
        return handle;
    }

    /// <summary>dsa_detach: unmaps every segment this backend mapped. The reference is dropped by
    /// the control segment's detach hook, not here.</summary>
    public void dsa_detach()
    {
        Live();
        for (ulong i = 0; i <= high_segment_index; ++i)
            if (segment_maps[i].segment is { } s) Dsm.dsm_detach(s);
        Detached = true;
    }

    /// <summary>dsa_pin: the area outlives its last attached backend.</summary>
    public void dsa_pin()
    {
        Live();
        Acquire(AreaLock);
        if (pinned)
        {
            Release(AreaLock);
            throw new PgErrorException("dsa_area already pinned");
        }
        M.WriteU8(control + L.CTL_pinned, 1);
        M.WriteU32(control + L.CTL_refcnt, (uint)(refcnt + 1));
        Release(AreaLock);
    }

    /// <summary>dsa_unpin.</summary>
    public void dsa_unpin()
    {
        Live();
        Acquire(AreaLock);
        Pg.Assert(refcnt > 1);
        if (!pinned)
        {
            Release(AreaLock);
            throw new PgErrorException("dsa_area not pinned");
        }
        M.WriteU8(control + L.CTL_pinned, 0);
        M.WriteU32(control + L.CTL_refcnt, (uint)(refcnt - 1));
        Release(AreaLock);
    }

    /// <summary>dsa_set_size_limit: caps total_segment_size for future segments.</summary>
    public void dsa_set_size_limit(ulong limit)
    {
        Live();
        Acquire(AreaLock);
        SetCtl(L.CTL_max_total_segment_size, limit);
        Release(AreaLock);
    }

    /// <summary>dsa_get_total_size (exclusive lock, as in 17).</summary>
    public ulong dsa_get_total_size()
    {
        Live();
        Acquire(AreaLock);
        ulong size = Ctl(L.CTL_total_segment_size);
        Release(AreaLock);
        return size;
    }

    // ------------------------------------------------------------------ addresses

    /// <summary>dsa_get_address: this backend's address for a live pointer (0 for Invalid), mapping
    /// its segment if needed. No lock.</summary>
    public ulong dsa_get_address(ulong dp)
    {
        Live();
        if (!DsaPointerLayout.DsaPointerIsValid(dp)) return 0;
        if ((Options.Canary & DsaCanary.SkipFreedSegmentCheck) == 0) check_for_freed_segments();
        ulong index = P.DSA_EXTRACT_SEGMENT_NUMBER(dp);
        ulong offset = P.DSA_EXTRACT_OFFSET(dp);
        Pg.Assert(index < (ulong)P.DSA_MAX_SEGMENTS);
        if (segment_maps[index].mapped_address == 0) get_segment_by_index(index);
        return segment_maps[index].mapped_address + offset;
    }

    /// <summary>get_segment_by_index: the map of slot <paramref name="index"/>, attaching it if this
    /// backend has not. ERRORs if the slot's segment was freed.</summary>
    internal DsaSegmentMap get_segment_by_index(ulong index)
    {
        DsaSegmentMap map = segment_maps[index];
        if (map.mapped_address == 0)
        {
            uint h = Rt.SharedRead32(control + CTL_segment_handles + 4 * index);
            if (h == DsmConstants.DSM_HANDLE_INVALID)
                throw new PgErrorException("dsa_area could not attach to a segment that has been freed");
            DsmResourceOwner? oldowner = Dsm.CurrentResourceOwner;
            Dsm.CurrentResourceOwner = resowner;
            DsmSegment? segment;
            try { segment = Dsm.dsm_attach(h); }
            finally { Dsm.CurrentResourceOwner = oldowner; }
            if (segment is null) throw new PgErrorException("dsa_area could not attach to segment");
            MapSegment(map, segment, DsmBackend.dsm_segment_address(segment));
            if (high_segment_index < index) high_segment_index = index;
            Pg.Assert(M.ReadU32(map.header + HDR_magic) == (DSA_SEGMENT_HEADER_MAGIC ^ handle ^ (uint)index));
        }
        // unlocked: another backend sets freed under the area lock
        Pg.Assert((Rt.SharedRead32(map.header + HDR_freed) & 0xff) == 0);
        return map;
    }

    /// <summary>check_for_freed_segments: an unlocked look at the shared counter; if it moved, unmap
    /// the segments freed since (under the area lock).</summary>
    internal void check_for_freed_segments()
    {
        // pg_read_barrier(): the seam read is sequentially consistent
        ulong counter = Rt.SharedRead64(control + L.CTL_freed_segment_counter);
        if (freed_segment_counter != counter)
        {
            Acquire(AreaLock);
            check_for_freed_segments_locked();
            Release(AreaLock);
        }
    }

    internal void check_for_freed_segments_locked()
    {
        Pg.Assert(HeldByMe(AreaLock));
        ulong counter = Ctl(L.CTL_freed_segment_counter);
        if (freed_segment_counter != counter)
        {
            for (ulong i = 0; i <= high_segment_index; ++i)
            {
                DsaSegmentMap map = segment_maps[i];
                if (map.header != 0 && M.ReadU8(map.header + HDR_freed) != 0)
                {
                    Dsm.dsm_detach(map.segment!);
                    map.Clear();
                }
            }
            freed_segment_counter = counter;
        }
    }

    // ------------------------------------------------------------------ segment bins

    /// <summary>get_best_segment: a segment with a run of <paramref name="npages"/> free pages,
    /// rebinning the ones found in too high a bin on the way; null if none.</summary>
    private DsaSegmentMap? get_best_segment(ulong npages)
    {
        Pg.Assert(HeldByMe(AreaLock));
        check_for_freed_segments_locked();
        for (ulong bin = (ulong)contiguous_pages_to_segment_bin(npages); bin < DSA_NUM_SEGMENT_BINS; ++bin)
        {
            // bin 0 only when npages is 0, which no caller asks; C shifts by -1 there too
            ulong threshold = bin == 0 ? 0 : 1UL << (int)(bin - 1);
            ulong segmentIndex = SegmentBin(bin);
            while (segmentIndex != DSA_SEGMENT_INDEX_NONE)
            {
                DsaSegmentMap map = get_segment_by_index(segmentIndex);
                ulong next = HdrU64(map.header, HDR_next);
                ulong contiguous = map.fpm!.Largest;

                // not enough here, but in the right bin: skip
                if (contiguous >= threshold && contiguous < npages)
                {
                    segmentIndex = next;
                    continue;
                }
                // belongs in a lower bin: move it, but still consider it
                if (contiguous < threshold) rebin_segment(map);
                if (contiguous >= npages) return map;
                segmentIndex = next;
            }
        }
        return null;
    }

    /// <summary>make_new_segment: a new DSM segment in the first free slot, sized by the slot
    /// number (doubling every DSA_NUM_SEGMENTS_AT_EACH_SIZE slots) or, if that is too small, sized
    /// to fit <paramref name="requestedPages"/>; null when out of slots or over the limits.</summary>
    private DsaSegmentMap? make_new_segment(ulong requestedPages)
    {
        Pg.Assert(HeldByMe(AreaLock));
        ulong maxSegments = (ulong)P.DSA_MAX_SEGMENTS;
        ulong newIndex;
        for (newIndex = 1; newIndex < maxSegments; ++newIndex)
            if (SegmentHandle(newIndex) == DsmConstants.DSM_HANDLE_INVALID) break;
        if (newIndex == maxSegments) return null;

        ulong total = Ctl(L.CTL_total_segment_size), maxTotal = Ctl(L.CTL_max_total_segment_size);
        if (total >= maxTotal) return null;

        // size_t arithmetic: the product wraps, and a shift of 64 or more (slot 128 and up, out of
        // reach of any real area) takes its count mod 64 as x86 does
        int shift = (int)(newIndex / DSA_NUM_SEGMENTS_AT_EACH_SIZE);
        ulong totalSize = unchecked(Ctl(L.CTL_init_segment_size) * (1UL << shift));
        totalSize = Math.Min(totalSize, Ctl(L.CTL_max_segment_size));
        totalSize = Math.Min(totalSize, maxTotal - total);

        ulong metadataBytes = L.SegmentMetadataBytes(totalSize);
        if (totalSize <= metadataBytes) return null;
        ulong usablePages = (totalSize - metadataBytes) / FpmLayout.FPM_PAGE_SIZE;
        Pg.Assert(metadataBytes + usablePages * FpmLayout.FPM_PAGE_SIZE <= totalSize);

        if (requestedPages > usablePages)
        {
            // an odd-sized segment for one large request; the pagemap must also cover the
            // metadata pages themselves (4da2afd01f)
            ulong w = (ulong)L.W;
            usablePages = requestedPages;
            metadataBytes = L.PagemapOffset(1) + usablePages * w;
            metadataBytes += (metadataBytes + (FpmLayout.FPM_PAGE_SIZE - w) - 1) / (FpmLayout.FPM_PAGE_SIZE - w) * w;
            metadataBytes = Align(metadataBytes, FpmLayout.FPM_PAGE_SIZE);
            totalSize = metadataBytes + usablePages * FpmLayout.FPM_PAGE_SIZE;
            ulong totalRequestedPages = totalSize / FpmLayout.FPM_PAGE_SIZE;
            Pg.Assert((metadataBytes - L.PagemapOffset(1)) / w >= totalRequestedPages);
            if (totalSize > P.DSA_MAX_SEGMENT_SIZE) return null;
            if (totalSize > maxTotal - total) return null;
        }

        DsmResourceOwner? oldowner = Dsm.CurrentResourceOwner;
        Dsm.CurrentResourceOwner = resowner;
        DsmSegment? segment;
        try { segment = Dsm.dsm_create(totalSize, 0); }
        finally { Dsm.CurrentResourceOwner = oldowner; }
        if (segment is null) return null;
        Dsm.dsm_pin_segment(segment);

        SetSegmentHandle(newIndex, DsmBackend.dsm_segment_handle(segment));
        if (Ctl(L.CTL_high_segment_index) < newIndex) SetCtl(L.CTL_high_segment_index, newIndex);
        if (high_segment_index < newIndex) high_segment_index = newIndex;
        SetCtl(L.CTL_total_segment_size, total + totalSize);
        Pg.Assert(total + totalSize <= maxTotal);

        DsaSegmentMap map = segment_maps[newIndex];
        ulong addr = DsmBackend.dsm_segment_address(segment);
        MapSegment(map, segment, addr);
        map.fpm = FreePageManager.Initialize(M, addr + L.FpmOffset(newIndex), addr, L.Fpm, Options.Fpm);
        map.fpm.Put(metadataBytes / FpmLayout.FPM_PAGE_SIZE, usablePages);

        ulong h = map.header;
        M.WriteU32(h + HDR_magic, DSA_SEGMENT_HEADER_MAGIC ^ handle ^ (uint)newIndex);
        SetHdr(h, HDR_usable_pages, usablePages);
        SetHdr(h, HDR_size, totalSize);
        ulong bin = (ulong)contiguous_pages_to_segment_bin(usablePages);
        SetHdr(h, HDR_bin, bin);
        SetHdr(h, HDR_prev, DSA_SEGMENT_INDEX_NONE);
        SetHdr(h, HDR_next, SegmentBin(bin));
        M.WriteU8(h + HDR_freed, 0);
        SetSegmentBin(bin, newIndex);
        ulong nextIndex = HdrU64(h, HDR_next);
        if (nextIndex != DSA_SEGMENT_INDEX_NONE)
        {
            DsaSegmentMap next = get_segment_by_index(nextIndex);
            Pg.Assert(HdrU64(next.header, HDR_bin) == bin);
            SetHdr(next.header, HDR_prev, newIndex);
        }
        return map;
    }

    /// <summary>rebin_segment: moves a segment to the bin of its largest free run.</summary>
    private void rebin_segment(DsaSegmentMap map)
    {
        ulong newBin = (ulong)contiguous_pages_to_segment_bin(map.fpm!.Largest);
        if (HdrU64(map.header, HDR_bin) == newBin) return;
        unlink_segment(map);
        ulong index = map.Index;
        SetHdr(map.header, HDR_prev, DSA_SEGMENT_INDEX_NONE);
        SetHdr(map.header, HDR_next, SegmentBin(newBin));
        SetHdr(map.header, HDR_bin, newBin);
        SetSegmentBin(newBin, index);
        ulong nextIndex = HdrU64(map.header, HDR_next);
        if (nextIndex != DSA_SEGMENT_INDEX_NONE)
        {
            DsaSegmentMap next = get_segment_by_index(nextIndex);
            Pg.Assert(HdrU64(next.header, HDR_bin) == newBin);
            SetHdr(next.header, HDR_prev, index);
        }
    }

    /// <summary>unlink_segment: removes a segment from its bin's list.</summary>
    private void unlink_segment(DsaSegmentMap map)
    {
        ulong prevIndex = HdrU64(map.header, HDR_prev), nextIndex = HdrU64(map.header, HDR_next);
        if (prevIndex != DSA_SEGMENT_INDEX_NONE)
        {
            DsaSegmentMap prev = get_segment_by_index(prevIndex);
            SetHdr(prev.header, HDR_next, nextIndex);
        }
        else
        {
            ulong bin = HdrU64(map.header, HDR_bin);
            Pg.Assert(SegmentBin(bin) == map.Index);
            SetSegmentBin(bin, nextIndex);
        }
        if (nextIndex != DSA_SEGMENT_INDEX_NONE)
        {
            DsaSegmentMap next = get_segment_by_index(nextIndex);
            SetHdr(next.header, HDR_prev, prevIndex);
        }
    }
}
