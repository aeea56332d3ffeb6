// DsaArea (dsa.c) end to end on DSM segments: the worked vector of 9.16, every size class, large
// objects, extra segments and their sizes and bins, trim, the size limit with NO_OOM, two backends,
// freed segments seen from a stale backend, and the ERRORs. DsaCheck runs after every operation.
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Shmem;
using Xunit;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Tests.Dsa;

/// <summary>An area on a DSM cluster, with a model of the live allocations and their contents.</summary>
internal sealed class DsaRig
{
    public DsmControl Control { get; }
    public DsmBackend[] B { get; }
    public DsaArea A { get; }
    public List<DsaArea> Areas { get; } = new();
    public Dictionary<ulong, ulong> Live { get; } = new();
    public DsaLayout L { get; }
    /// <summary>Run DsaCheck every this many operations (1: every one).</summary>
    public int CheckEvery { get; set; } = 1;
    private int _ops;

    public DsaRig(DsaLayout? layout = null, ulong init = DSA_DEFAULT_INIT_SEGMENT_SIZE, int backends = 2, DsaOptions? options = null)
    {
        L = layout ?? DsaLayout.Wide;
        Control = new DsmControl(new DsmControlOptions(4, 11));
        B = new DsmBackend[backends];
        for (int i = 0; i < backends; i++) B[i] = Control.Attach(i);
        A = DsaArea.dsa_create_ext(B[0], 100, init, L.P.DSA_MAX_SEGMENT_SIZE, L, options);
        Areas.Add(A);
        Ok();
    }

    public DsaArea AttachOther(int i)
    {
        DsaArea a = DsaArea.dsa_attach(B[i], A.dsa_get_handle(), L, A.Options);
        Areas.Add(a);
        Ok();
        return a;
    }

    private static byte Pattern(ulong dp, ulong j) => (byte)(dp * 31 + j * 7 + 1);

    public ulong Alloc(ulong size, int flags = 0, DsaArea? via = null)
    {
        DsaArea a = via ?? A;
        ulong dp = a.dsa_allocate_extended(size, flags);
        if (dp != 0)
        {
            Assert.False(Live.ContainsKey(dp), $"0x{dp:x} handed out twice");
            ulong p = a.dsa_get_address(dp);
            if ((flags & DSA_ALLOC_ZERO) != 0)
                for (ulong j = 0; j < size; j += 97) Assert.Equal(0, a.M.ReadU8(p + j));
            Live[dp] = size;
            Write(a, dp, size);
        }
        Step();
        return dp;
    }

    /// <summary>Writes the pattern at the start, the end and every 512th byte.</summary>
    private static void Write(DsaArea a, ulong dp, ulong size)
    {
        ulong p = a.dsa_get_address(dp);
        foreach (ulong j in Probe(size)) a.M.WriteU8(p + j, Pattern(dp, j));
    }

    private static IEnumerable<ulong> Probe(ulong size)
    {
        for (ulong j = 0; j < Math.Min(size, 16); j++) yield return j;
        for (ulong j = 16; j < size; j += 512) yield return j;
        if (size > 16) yield return size - 1;
    }

    public void Free(ulong dp, DsaArea? via = null)
    {
        Assert.True(Live.Remove(dp));
        (via ?? A).dsa_free(dp);
        Step();
    }

    public void FreeAll()
    {
        foreach (ulong dp in Live.Keys.OrderBy(x => x).ToList()) Free(dp);
    }

    private void Step()
    {
        if (++_ops % CheckEvery == 0) Ok();
    }

    private DsaSnapshot? _previous;

    /// <summary>Options for every check (Live is filled in).</summary>
    public DsaCheckOptions CheckOptions { get; set; } = new();

    public void Ok(DsaCheckOptions? options = null)
    {
        var errors = new List<string>();
        DsaSnapshot snap = DsaCheck.Walk(A, errors, (options ?? CheckOptions) with { Live = Live, Previous = _previous }, Areas);
        _previous = snap;
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
        // DSA13: contents survive, read through every attached backend
        foreach (DsaArea a in Areas.Where(x => !x.Detached))
        {
            foreach ((ulong dp, ulong size) in Live)
            {
                ulong p = a.dsa_get_address(dp);
                foreach (ulong j in Probe(size))
                    Assert.True(a.M.ReadU8(p + j) == Pattern(dp, j), $"backend {a.Dsm.MyProcNumber}: 0x{dp:x}+{j} changed");
            }
        }
    }

    public ulong SegmentSize(ulong i) => A.HdrU64(A.get_segment_by_index(i).header, DsaLayout.HDR_size);
}

public sealed class DsaAreaTests
{
    public static TheoryData<string> Widths => new() { "wide", "small" };
    private static DsaLayout Lay(string w) => w == "wide" ? DsaLayout.Wide : DsaLayout.Small;

    [Fact]
    public void Layout_MatchesTheSpec()
    {
        DsaLayout l = DsaLayout.Wide;
        Assert.Equal(6192UL, l.SIZEOF_dsa_area_control);
        Assert.Equal(56UL, l.SIZEOF_dsa_area_span);
        Assert.Equal(48UL, l.SIZEOF_dsa_area_pool);
        Assert.Equal(1096UL, l.Fpm.SIZEOF_FreePageManager);
        Assert.Equal(6192UL, l.FpmOffset(0));
        Assert.Equal(7288UL, l.PagemapOffset(0));
        Assert.Equal(56UL, l.FpmOffset(1));
        Assert.Equal(1152UL, l.PagemapOffset(1));
        Assert.Equal(8192UL, DsaArea.dsa_minimum_size());
        // 1 MiB: 3 metadata pages, 253 usable; 256 KiB: 2 + 62
        Assert.Equal(3 * 4096UL, l.Segment0MetadataBytes(1 << 20));
        Assert.Equal(2 * 4096UL, l.Segment0MetadataBytes(256 << 10));
    }

    [Fact]
    public void WorkedVector_Of916()
    {
        var r = new DsaRig();
        Assert.Equal(253UL, r.A.HdrU64(r.A.control, DsaLayout.HDR_usable_pages));
        Assert.Equal(0x4000UL, r.Alloc(8));
        DsaSegmentMap s0 = r.A.segment_maps[0];
        for (ulong p = 4; p < 20; p++) Assert.Equal(12344UL, r.A.RdDp(s0.pagemap + p * 8));
        Assert.Equal(12288UL, r.A.RdDp(s0.pagemap + 3 * 8)); // the block of spans describes itself
        Assert.Equal(0x4008UL, r.Alloc(8));
        Assert.Equal(0x14000UL, r.Alloc(10000));
        Assert.Equal(12400UL, r.A.RdDp(s0.pagemap + 20 * 8));
        DsaSnapshot snap = DsaCheck.Walk(r.A, new List<string>());
        Assert.Equal((DSA_SCLASS_SPAN_LARGE, 0x14000UL, 3UL, 0, 0), snap.Spans[12400]);
    }

    [Fact]
    public void InPlaceSizeTooSmall_IsAnError()
    {
        var c = new DsmControl(new DsmControlOptions(2, 3));
        DsmBackend b = c.Attach(0);
        DsmSegment seg = b.dsm_create(8192)!;
        var e = Assert.Throws<PgErrorException>(() => DsaArea.dsa_create_in_place_ext(b, DsmBackend.dsm_segment_address(seg), 8191, 1, null,
            DSA_MIN_SEGMENT_SIZE, DSA_MIN_SEGMENT_SIZE));
        Assert.Equal("dsa_area space must be at least 8192, but 8191 provided", e.Message);
        DsaArea a = DsaArea.dsa_create_in_place_ext(b, DsmBackend.dsm_segment_address(seg), 8192, 1, null, DSA_MIN_SEGMENT_SIZE, DSA_MIN_SEGMENT_SIZE);
        Assert.Equal(0UL, a.HdrU64(a.control, DsaLayout.HDR_usable_pages)); // all of it is metadata
        ulong dp = a.dsa_allocate(100); // served from a new 256 KiB segment
        Assert.Equal(1UL, DsaLayout.Wide.P.DSA_EXTRACT_SEGMENT_NUMBER(dp));
        a.dsa_free(dp);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EverySizeClass_AllocatesAndFrees(string width)
    {
        var r = new DsaRig(Lay(width)) { CheckEvery = 64 };
        DsaSizeClasses classes = r.L.Classes;
        for (int c = 2; c < classes.DSA_NUM_SIZE_CLASSES; c++)
        {
            ulong size = (ulong)classes.Size(c);
            ulong lower = (ulong)classes.Size(c - 1) + 1;
            int n = classes.ObjectsPerSuperblock(c) + 1; // two superblocks
            if (n > 600) n = 600;
            var mine = new List<ulong>();
            for (int i = 0; i < n; i++) mine.Add(r.Alloc(i % 2 == 0 ? size : Math.Max(1, c == 2 ? 1 : lower)));
            foreach (ulong dp in mine)
            {
                ulong page = r.L.P.DSA_EXTRACT_OFFSET(dp) / 4096;
                ulong span = r.A.RdDp(r.A.get_segment_by_index(r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(dp)).pagemap + page * (ulong)r.L.W);
                Assert.Equal(c, r.A.SpanU16(r.A.dsa_get_address(span), r.L.SPAN_size_class));
            }
            r.Ok();
            for (int i = 0; i < mine.Count; i += 2) r.Free(mine[i]);
            r.Ok();
            for (int i = 1; i < mine.Count; i += 2) r.Free(mine[i]);
            r.Ok();
        }
        r.A.dsa_trim();
        r.Ok();
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SizeClassBoundaries_ReuseFreedObjects(string width)
    {
        var r = new DsaRig(Lay(width));
        ulong a = r.Alloc(100), b = r.Alloc(100), c = r.Alloc(100);
        r.Free(b);
        Assert.Equal(b, r.Alloc(112)); // same class (97..112), LIFO free list
        r.Free(a);
        r.Free(c);
        Assert.Equal(c, r.Alloc(97));
        ulong z = r.Alloc(500, DSA_ALLOC_ZERO);
        Assert.NotEqual(0UL, z);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LargeObjects(string width)
    {
        var r = new DsaRig(Lay(width));
        ulong[] sizes = [8193, 10000, 12288, 12289, 65536, 100000, 300000];
        var got = sizes.Select(s => r.Alloc(s)).ToList();
        foreach (ulong dp in got) Assert.Equal(0UL, r.L.P.DSA_EXTRACT_OFFSET(dp) % 4096);
        r.Free(got[1]);
        r.Free(got[4]);
        ulong again = r.Alloc(10000, DSA_ALLOC_ZERO);
        Assert.Equal(got[1], again); // best fit: the 3-page hole
        // a request bigger than any standard segment: an odd-sized segment (4da2afd01f)
        ulong huge = r.Alloc(3 << 20);
        ulong seg = r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(huge);
        Assert.True(seg >= 1);
        Assert.True(r.SegmentSize(seg) > 3UL << 20);
        r.FreeAll();
        // Q7: large frees never release segments
        Assert.NotEqual(0U, r.A.SegmentHandle(seg));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void NewSegments_DoubleEveryTwo_AndAreBinned(string width)
    {
        var r = new DsaRig(Lay(width), init: DSA_MIN_SEGMENT_SIZE) { CheckEvery = 8 };
        // 64 KiB superblocks of 8 KiB objects fill segments one after another
        int maxSeg = r.L.P.DSA_MAX_SEGMENTS;
        ulong slots = (ulong)Math.Min(9, maxSeg - 1);
        while (r.A.high_segment_index < slots) r.Alloc(8192);
        r.Ok();
        for (ulong i = 1; i <= slots; i++)
            Assert.Equal(DSA_MIN_SEGMENT_SIZE << (int)(i / DSA_NUM_SEGMENTS_AT_EACH_SIZE), r.SegmentSize(i));
        DsaSnapshot snap = DsaCheck.Walk(r.A, new List<string>());
        ulong total = snap.Segments.Values.Aggregate(0UL, (s, x) => s + x);
        Assert.Equal(total, r.A.dsa_get_total_size());
        // the last segment is nearly empty: its bin is its largest run's
        DsaSegmentMap last = r.A.get_segment_by_index(slots);
        Assert.Equal((ulong)contiguous_pages_to_segment_bin(last.fpm!.Largest), r.A.HdrU64(last.header, DsaLayout.HDR_bin));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FreeEverything_ThenTrim_ReturnsSegments(string width)
    {
        var r = new DsaRig(Lay(width), init: DSA_MIN_SEGMENT_SIZE) { CheckEvery = 16 };
        ulong s0 = r.SegmentSize(0);
        while (r.A.high_segment_index < 4) r.Alloc(2048);
        for (int i = 0; i < 50; i++) r.Alloc(40);
        r.FreeAll();
        r.A.dsa_trim();
        r.Ok();
        Assert.Equal(s0, r.A.dsa_get_total_size());
        for (ulong i = 1; i <= 4; i++) Assert.Equal(0U, r.A.SegmentHandle(i));
        DsaSnapshot snap = DsaCheck.Walk(r.A, new List<string>());
        Assert.Single(snap.Segments);
        Assert.Empty(snap.Spans);
        // the freed slots are reused, sized by slot again
        r.Alloc(8192);
        r.Ok();
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SizeLimit_NoOom_ReturnsInvalidExactlyAtTheLimit(string width)
    {
        var r = new DsaRig(Lay(width), init: DSA_MIN_SEGMENT_SIZE);
        ulong limit = 3 * DSA_MIN_SEGMENT_SIZE; // segment 0 and segment 1 (256 KiB) and 256 KiB of segment 2
        r.A.dsa_set_size_limit(limit);
        ulong dp;
        int n = 0;
        while ((dp = r.Alloc(40000, DSA_ALLOC_NO_OOM)) != 0) n++;
        Assert.True(n > 6);
        Assert.Equal(limit, r.A.dsa_get_total_size()); // the last segment was capped to what was left
        var e = Assert.Throws<PgErrorException>(() => r.A.dsa_allocate(40000));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed on DSA request of size 40000.", e.Detail);
        r.Ok();
        // small objects still fit in the remaining pages until those run out too
        int m = 0;
        while (r.Alloc(4096, DSA_ALLOC_NO_OOM) != 0) m++;
        Assert.Equal(limit, r.A.dsa_get_total_size());
        r.Ok();
        // raising the limit lets it grow again
        r.A.dsa_set_size_limit(limit + 2 * DSA_MIN_SEGMENT_SIZE);
        Assert.NotEqual(0UL, r.Alloc(40000, DSA_ALLOC_NO_OOM));
    }

    [Fact]
    public void InvalidRequestSizes_AreErrors()
    {
        var r = new DsaRig();
        Assert.Equal("invalid DSA memory alloc request size 1073741824",
            Assert.Throws<PgErrorException>(() => r.A.dsa_allocate(DsaArea.MaxAllocSize + 1)).Message);
        Assert.Throws<AssertionFailureException>(() => r.A.dsa_allocate(0));
        // HUGE passes validation and fails for lack of space (the segment would exceed 1 TiB? no: total is unlimited, the DSM object cannot be that big here)
        r.A.dsa_set_size_limit(4 << 20);
        Assert.Equal(0UL, r.A.dsa_allocate_extended(DsaArea.MaxAllocSize + 1, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM));
        r.Ok();
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void TwoBackends_SharePointers_NotAddresses(string width)
    {
        var r = new DsaRig(Lay(width), init: DSA_MIN_SEGMENT_SIZE, backends: 2);
        DsaArea a1 = r.AttachOther(1);
        Assert.Equal(2, r.A.refcnt);
        ulong dp = r.Alloc(300);
        ulong p0 = r.A.dsa_get_address(dp), p1 = a1.dsa_get_address(dp);
        Assert.NotEqual(p0, p1);
        Assert.Throws<SimFaultException>(() => a1.M.ReadU8(p0));
        // backend 1 makes segments; backend 0 maps them on demand
        var theirs = new List<ulong>();
        while (a1.high_segment_index < 3) theirs.Add(r.Alloc(8000, 0, a1));
        r.Ok();
        foreach (ulong t in theirs) Assert.NotEqual(0UL, r.A.dsa_get_address(t));
        // backend 0 frees them all: segments go away; backend 1 still maps them until it looks
        // straight to the area: the rig's content check would read through backend 1 and refresh it
        foreach (ulong t in theirs)
        {
            r.Live.Remove(t);
            r.A.dsa_free(t);
        }
        r.A.dsa_trim();
        Assert.True(r.A.dsa_get_total_size() < 3 * DSA_MIN_SEGMENT_SIZE);
        Assert.NotEqual(0UL, a1.segment_maps[2].mapped_address);
        Assert.NotEqual(r.A.freed_segment_counter, a1.freed_segment_counter);
        a1.dsa_get_address(dp); // runs check_for_freed_segments
        Assert.Equal(0UL, a1.segment_maps[2].mapped_address);
        Assert.Equal(r.A.freed_segment_counter, a1.freed_segment_counter);
        r.Ok();
        // detach: the reference goes with the control segment's mapping
        a1.dsa_detach();
        Assert.Equal(1, r.A.refcnt);
        r.Ok();
    }

    /// <summary>DSA8's exception, observed: an allocation's FPM Get can end with a cleanup that
    /// merges runs, leaving a segment in a bin below its largest run until a free path rebins it.
    /// (Harmless: get_best_segment only looks in higher bins, so the segment is merely passed over
    /// for requests it could serve.)</summary>
    [Fact]
    public void GetCleanup_CanLeaveASegmentBinnedTooLow()
    {
        var opts = new DsaOptions { Fpm = new FpmOptions { FixRootPageLeak = true } };
        var r = new DsaRig(DsaLayout.Wide, init: DSA_MIN_SEGMENT_SIZE, backends: 2, options: opts) { CheckEvery = 1 << 30 };
        DsaArea a1 = r.AttachOther(1);
        var rng = new Random(1234);
        ulong[] sizes = [1, 8, 9, 24, 100, 255, 256, 1023, 1024, 1025, 3000, 4096, 8191, 8192, 8193, 20000, 70000];
        int seenAt = -1;
        for (int step = 0; step < 1500 && seenAt < 0; step++)
        {
            DsaArea via = rng.Next(2) == 0 ? r.A : a1;
            int op = rng.Next(10);
            bool alloc = op < 5 || r.Live.Count == 0;
            if (alloc) r.Alloc(sizes[rng.Next(sizes.Length)], rng.Next(3) == 0 ? DSA_ALLOC_ZERO : 0, via);
            else if (op < 9) r.Free(r.Live.Keys.OrderBy(x => x).ElementAt(rng.Next(r.Live.Count)), via);
            else via.dsa_trim();
            if (DsaCheck.Check(r.A, new DsaCheckOptions { CheckBinNotBelowLargest = true }).Any(e => e.StartsWith("DSA8:", StringComparison.Ordinal)))
            {
                Assert.True(alloc); // only an allocation (a Get) gets there
                seenAt = step;
            }
        }
        Assert.Equal(1080, seenAt);
        r.Ok(); // and the default check allows it
    }

    [Fact]
    public void PinAndRefcount()
    {
        var r = new DsaRig(backends: 3);
        r.A.dsa_pin();
        Assert.Equal("dsa_area already pinned", Assert.Throws<PgErrorException>(() => r.A.dsa_pin()).Message);
        Assert.Equal(2, r.A.refcnt);
        uint h = r.A.dsa_get_handle();
        ulong dp = r.Alloc(64);
        r.A.dsa_detach(); // pinned: survives with no backend attached
        r.Areas.Clear();
        DsaArea a1 = DsaArea.dsa_attach(r.B[1], h);
        Assert.Equal(2, a1.refcnt);
        Assert.NotEqual(0UL, a1.dsa_get_address(dp));
        a1.dsa_unpin();
        DsaArea a2 = DsaArea.dsa_attach(r.B[2], h);
        Assert.Equal("dsa_area not pinned", Assert.Throws<PgErrorException>(() => a1.dsa_unpin()).Message);
        Assert.False(a1.HoldsAnyLock());
        a2.dsa_detach();
        // with only one reference left, a second unpin trips dsa.c's Assert before its ERROR
        Assert.Throws<AssertionFailureException>(() => a1.dsa_unpin());
        r.B[1].AbortCleanup();
        a1.dsa_detach(); // last reference: every segment unpinned, the area is gone
        Assert.Null(r.B[2].dsm_attach(h));
        Assert.Equal("could not attach to dynamic shared area",
            Assert.Throws<PgErrorException>(() => DsaArea.dsa_attach(r.B[2], h)).Message);
    }

    [Fact]
    public void AttachAtRefcntZero_IsAnError()
    {
        var r = new DsaRig(backends: 2);
        // a backend still maps the control segment but the count already dropped to 0 (fddf45b380)
        r.A.M.WriteU32(r.A.control + r.L.CTL_refcnt, 0);
        var e = Assert.Throws<PgErrorException>(() => DsaArea.dsa_attach(r.B[1], r.A.dsa_get_handle()));
        Assert.Equal("could not attach to dynamic shared area", e.Message);
        r.B[1].AbortCleanup(); // error recovery releases the area lock
        r.A.M.WriteU32(r.A.control + r.L.CTL_refcnt, 1);
    }

    [Fact]
    public void LockOrder_IsAsserted()
    {
        var r = new DsaRig();
        r.A.Acquire(r.A.AreaLock);
        var e = Assert.Throws<AssertionFailureException>(() => r.A.dsa_allocate(8));
        Assert.Contains("dsa area lock", e.Message, StringComparison.Ordinal);
        r.A.Release(r.A.AreaLock);
        r.A.Acquire(r.A.PoolLock(5));
        Assert.Throws<AssertionFailureException>(() => r.A.Acquire(r.A.PoolLock(6)));
        r.A.Acquire(r.A.PoolLock(0));
        r.A.Acquire(r.A.AreaLock);
        r.A.Release(r.A.AreaLock);
        r.A.Release(r.A.PoolLock(0));
        r.A.Release(r.A.PoolLock(5));
        r.Ok();
        // the same lock has a different address in another backend but the same name
        DsaArea a1 = r.AttachOther(1);
        Assert.NotEqual(r.A.AreaLock, a1.AreaLock);
        Assert.Equal(r.A.DescribeLock(r.A.PoolLock(9)), a1.DescribeLock(a1.PoolLock(9)));
        Assert.Equal($"dsa {r.A.handle:x} pool lock 9", a1.DescribeLock(a1.PoolLock(9)));
        Assert.Null(a1.DescribeLock(r.A.AreaLock));
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void RandomOps_KeepEveryInvariant(string width)
    {
        // with the FPM root-page leak fixed every page is accounted for (see RootPageLeak_* for PostgreSQL's)
        var opts = new DsaOptions { Fpm = new FpmOptions { FixRootPageLeak = true } };
        var r = new DsaRig(Lay(width), init: DSA_MIN_SEGMENT_SIZE, backends: 2, options: opts);
        DsaArea a1 = r.AttachOther(1);
        var rng = new Random(1234);
        ulong[] sizes = [1, 8, 9, 24, 100, 255, 256, 1023, 1024, 1025, 3000, 4096, 8191, 8192, 8193, 20000, 70000];
        for (int step = 0; step < 1500; step++)
        {
            DsaArea via = rng.Next(2) == 0 ? r.A : a1;
            int op = rng.Next(10);
            if (op < 5 || r.Live.Count == 0) r.Alloc(sizes[rng.Next(sizes.Length)], rng.Next(3) == 0 ? DSA_ALLOC_ZERO : 0, via);
            else if (op < 9) r.Free(r.Live.Keys.OrderBy(x => x).ElementAt(rng.Next(r.Live.Count)), via);
            else via.dsa_trim();
        }
        r.FreeAll();
        r.A.dsa_trim();
        r.Ok();
    }
}

public sealed class DsaSlotReuseTests
{
    /// <summary>Interleaving (a) of 9.15 run sequentially: backend 1 keeps a mapping of slot 1
    /// after backend 0 freed that segment and made a new one in the same slot; backend 1's next
    /// dsa_free / dsa_get_address must notice (freed_segment_counter) and map the new segment,
    /// not write into the old one (38763d6778).</summary>
    [Fact]
    public void StaleMappingOfAReusedSlot_IsReplaced()
    {
        var r = new DsaRig(init: DsaSizeClasses.DSA_MIN_SEGMENT_SIZE) { CheckEvery = 1000 };
        DsaArea a1 = r.AttachOther(1);
        var first = new List<ulong>();
        while (r.A.high_segment_index < 1) first.Add(r.Alloc(8000));
        ulong inOld = first[^1];
        Assert.Equal(1UL, r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(inOld));
        a1.dsa_get_address(inOld);
        ulong oldMapping = a1.segment_maps[1].mapped_address;
        uint oldHandle = r.A.SegmentHandle(1);
        foreach (ulong dp in first.Where(d => r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(d) == 1))
        {
            r.Live.Remove(dp);
            r.A.dsa_free(dp);
        }
        r.A.dsa_trim();
        Assert.Equal(0U, r.A.SegmentHandle(1));
        // a new segment in slot 1
        ulong inNew = 0;
        while (r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(inNew) != 1) inNew = r.A.dsa_allocate(8000);
        Assert.NotEqual(oldHandle, r.A.SegmentHandle(1));
        Assert.Equal(oldMapping, a1.segment_maps[1].mapped_address); // still the stale one
        a1.dsa_free(inNew);
        Assert.NotEqual(oldMapping, a1.segment_maps[1].mapped_address);
        r.A.dsa_trim();
        r.Ok();
    }
}
