// DsaCheck reports each corruption under its invariant id (DSA1-DSA14).
using Allocator.Dsa;
using Xunit;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Tests.Dsa;

public sealed class DsaCheckTests
{
    /// <summary>Two backends; small objects, a large object, and a second segment.</summary>
    private static (DsaRig r, DsaArea a1, ulong small, ulong large, ulong inSeg1) Setup()
    {
        var r = new DsaRig(init: DSA_MIN_SEGMENT_SIZE);
        DsaArea a1 = r.AttachOther(1);
        ulong small = r.Alloc(100);
        r.Alloc(100);
        ulong large = r.Alloc(20000);
        ulong inSeg1 = 0;
        while (r.A.high_segment_index < 1) inSeg1 = r.Alloc(8000);
        a1.dsa_get_address(inSeg1); // backend 1 maps segment 1 too
        r.Ok();
        return (r, a1, small, large, inSeg1);
    }

    private static List<string> Errors(DsaRig r) => DsaCheck.Check(r.A, new DsaCheckOptions { Live = r.Live }, r.Areas);

    private static void AssertReports(DsaRig r, string id)
    {
        List<string> e = Errors(r);
        Assert.True(e.Any(x => x.StartsWith(id + ":", StringComparison.Ordinal)), $"expected {id}, got:\n{string.Join("\n", e)}");
    }

    private static ulong Span(DsaRig r, ulong dp)
    {
        DsaSegmentMap map = r.A.get_segment_by_index(r.L.P.DSA_EXTRACT_SEGMENT_NUMBER(dp));
        return r.A.dsa_get_address(r.A.RdDp(map.pagemap + r.L.P.DSA_EXTRACT_OFFSET(dp) / 4096 * 8));
    }

    [Fact]
    public void Clean_ReportsNothing() => Assert.Empty(Errors(Setup().r));

    [Fact]
    public void LivePointerOutsideUsablePages_IsDSA1()
    {
        var (r, _, _, _, _) = Setup();
        r.Live[r.L.P.DSA_MAKE_POINTER(0, 64)] = 8; // in the control block
        AssertReports(r, "DSA1");
        (r, _, _, _, _) = Setup();
        r.Live[r.L.P.DSA_MAKE_POINTER(7, 0x4000)] = 8; // no such segment
        AssertReports(r, "DSA1");
    }

    [Fact]
    public void BadSegmentHeader_IsDSA2()
    {
        var (r, _, _, _, s1) = Setup();
        ulong h = r.A.get_segment_by_index(1).header;
        r.A.M.WriteU32(h + DsaLayout.HDR_magic, 0x1234);
        AssertReports(r, "DSA2");
        (r, _, _, _, _) = Setup();
        h = r.A.get_segment_by_index(1).header;
        r.A.M.WriteU64(h + DsaLayout.HDR_usable_pages, r.A.M.ReadU64(h + DsaLayout.HDR_usable_pages) + 1);
        AssertReports(r, "DSA2");
    }

    [Fact]
    public void PageBothFreeAndInASpan_IsDSA3()
    {
        var (r, _, small, _, _) = Setup();
        ulong page = r.L.P.DSA_EXTRACT_OFFSET(small) / 4096;
        r.A.segment_maps[0].fpm!.Put(page, 1); // the FPM now thinks a superblock page is free
        AssertReports(r, "DSA3");
    }

    [Fact]
    public void WrongPagemapEntry_IsDSA4()
    {
        var (r, _, _, large, _) = Setup();
        ulong page = r.L.P.DSA_EXTRACT_OFFSET(large) / 4096;
        r.A.WrDpPublic(r.A.segment_maps[0].pagemap + page * 8, 0);
        AssertReports(r, "DSA4");
    }

    [Fact]
    public void DoubleFree_IsDSA5()
    {
        var (r, _, small, _, _) = Setup();
        r.A.dsa_free(small);
        r.Live.Remove(small);
        r.A.dsa_free(small); // no validation in dsa.c: the index goes on the list twice
        AssertReports(r, "DSA5");
    }

    [Fact]
    public void WrongFullnessClass_IsDSA6()
    {
        var (r, _, small, _, _) = Setup();
        r.A.M.WriteU16(Span(r, small) + r.L.SPAN_fclass, 2);
        AssertReports(r, "DSA6");
    }

    [Fact]
    public void LostLargeSpan_IsDSA7()
    {
        var (r, _, _, _, _) = Setup();
        ulong pool1 = r.A.PoolAddr(DSA_SCLASS_SPAN_LARGE);
        r.A.WrDpPublic(pool1 + DsaLayout.POOL_spans + 8, 0); // forget the large spans
        AssertReports(r, "DSA7");
    }

    [Fact]
    public void WrongBin_IsDSA8()
    {
        var (r, _, _, _, _) = Setup();
        ulong h = r.A.get_segment_by_index(1).header;
        r.A.M.WriteU64(h + DsaLayout.HDR_bin, 2);
        AssertReports(r, "DSA8");
    }

    [Fact]
    public void WrongTotal_IsDSA9()
    {
        var (r, _, _, _, _) = Setup();
        r.A.M.WriteU64(r.A.control + r.L.CTL_total_segment_size, 12345);
        AssertReports(r, "DSA9");
    }

    [Fact]
    public void ControlSlotRewritten_IsDSA10()
    {
        var (r, _, _, _, _) = Setup();
        r.A.M.WriteU32(r.A.control + DsaLayout.CTL_segment_handles, 42);
        AssertReports(r, "DSA10");
    }

    [Fact]
    public void SegmentGoneWithoutCounter_IsDSA10()
    {
        var (r, _, _, _, _) = Setup();
        DsaSnapshot before = DsaCheck.Walk(r.A, new List<string>());
        r.A.M.WriteU64(r.A.control + r.L.CTL_freed_segment_counter, before.FreedSegmentCounter + 1); // a free that freed nothing
        List<string> e = DsaCheck.Check(r.A, new DsaCheckOptions { Previous = before, PreviousIsOneOperation = true });
        Assert.Contains(e, x => x.StartsWith("DSA10:", StringComparison.Ordinal));
    }

    [Fact]
    public void CurrentBackendMappingAFreedSegment_IsDSA11()
    {
        var (r, a1, _, _, _) = Setup();
        r.A.M.WriteU8(r.A.get_segment_by_index(1).header + DsaLayout.HDR_freed, 1); // freed without a counter bump
        AssertReports(r, "DSA11");
    }

    [Fact]
    public void ZeroRefcnt_IsDSA12()
    {
        var (r, _, _, _, _) = Setup();
        r.A.M.WriteU32(r.A.control + r.L.CTL_refcnt, 0);
        AssertReports(r, "DSA12");
    }

    [Fact]
    public void FreedButLive_IsDSA13()
    {
        var (r, _, small, _, _) = Setup();
        r.A.dsa_free(small); // the model still thinks it is live
        AssertReports(r, "DSA13");
        (r, _, _, _, _) = Setup();
        r.Live.Remove(r.Live.Keys.Max()); // allocated but forgotten: a leak
        AssertReports(r, "DSA13");
    }

    [Fact]
    public void LockHeldBetweenOperations_IsDSA14()
    {
        var (r, a1, _, _, _) = Setup();
        a1.Acquire(a1.PoolLock(7));
        AssertReports(r, "DSA14");
        a1.Release(a1.PoolLock(7));
        Assert.Empty(Errors(r));
    }
}
