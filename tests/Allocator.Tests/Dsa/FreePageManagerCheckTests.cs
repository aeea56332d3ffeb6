// FreePageManagerCheck: a healthy manager passes, and each invariant FPM1-FPM9 fires when simulated
// memory is corrupted the way it describes. Wild pointers end the walk with a violation, not a crash.
using Allocator.Dsa;
using Xunit;

namespace Allocator.Tests.Dsa;

public class FreePageManagerCheckTests
{
    /// <summary>Btree mode: root page 10, leaf keys 11(4) 20(3) 30(2).</summary>
    private static FpmRig Tree(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 5);
        r.Put(20, 3);
        r.Put(30, 2);
        r.AssertClean();
        return r;
    }

    private static ulong Page(FpmRig r, ulong p) => r.Region.Base + p * FpmLayout.FPM_PAGE_SIZE;

    private static void WriteWord(FpmRig r, ulong at, ulong v)
    {
        if (r.Fpm.Layout.Word == 8) r.M.WriteU64(at, v);
        else r.M.WriteU32(at, (uint)v);
    }

    private static ulong Key(FpmRig r, ulong i) => r.Fpm.Layout.Key(Page(r, 10), i);

    private static void AssertHas(FpmRig r, string id, bool afterGet = false)
    {
        List<string> v = r.Violations(afterGet);
        Assert.True(v.Any(s => s.StartsWith(id + ":", StringComparison.Ordinal)), $"no {id} in:\n{string.Join("\n", v)}");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Healthy_tree_passes(int bits) => Assert.Empty(Tree(bits).Violations());

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM1_overlapping_runs(int bits)
    {
        FpmRig r = Tree(bits);
        WriteWord(r, Key(r, 0) + r.Fpm.Layout.OFF_key_second, 10);   // 11(10) covers 20(3)
        AssertHas(r, "FPM1");
    }

    [Fact]
    public void FPM1_page_missing_from_the_manager()
    {
        FpmRig r = Tree(64);
        r.Free.Add(40);               // the caller believes page 40 was put
        AssertHas(r, "FPM1");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM2_counter_disagrees(int bits)
    {
        FpmRig r = Tree(bits);
        WriteWord(r, r.Fpm.Address + r.Fpm.Layout.OFF_free_pages, 99);
        AssertHas(r, "FPM2");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM3_leader_size_disagrees_with_its_key(int bits)
    {
        FpmRig r = Tree(bits);
        WriteWord(r, Page(r, 20) + r.Fpm.Layout.OFF_span_npages, 2);
        AssertHas(r, "FPM3");
    }

    [Fact]
    public void FPM3_singleton_without_leader()
    {
        var r = new FpmRig(PointerProfile.Bits64, 64);
        r.Put(10, 5);
        WriteWord(r, r.Fpm.Layout.Freelist(r.Fpm.Address, 4), 0);
        AssertHas(r, "FPM3");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM4_touching_runs(int bits)
    {
        FpmRig r = Tree(bits);
        WriteWord(r, Key(r, 1) + r.Fpm.Layout.OFF_key_first_page, 15);   // 11(4) ends at 15
        AssertHas(r, "FPM4");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM5_bad_magic(int bits)
    {
        FpmRig r = Tree(bits);
        r.M.WriteU32(Page(r, 10), 0xdeadbeef);
        AssertHas(r, "FPM5");
    }

    [Fact]
    public void FPM5_depth_without_root()
    {
        FpmRig r = Tree(64);
        r.M.WriteU32(r.Fpm.Address + r.Fpm.Layout.OFF_btree_depth, 0);
        AssertHas(r, "FPM5");
    }

    [Fact]
    public void FPM5_wrong_parent_in_a_deep_tree()
    {
        var r = new FpmRig(PointerProfile.Bits64, 700);
        for (ulong p = 1; p < 699; p += 2) r.Put(p, 1);
        Assert.Equal(2u, r.Fpm.btree_depth);
        FpmSnapshot s = r.Snapshot();
        ulong leaf = s.BtreePages[1];
        WriteWord(r, Page(r, leaf) + r.Fpm.Layout.OFF_hdr_parent, 0);
        AssertHas(r, "FPM5");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM6_recycle_count_disagrees(int bits)
    {
        FpmRig r = Tree(bits);
        r.M.WriteU32(r.Fpm.Address + r.Fpm.Layout.OFF_btree_recycle_count, 3);
        AssertHas(r, "FPM6");
    }

    [Fact]
    public void FPM6_freelist_cycle_is_reported_not_followed()
    {
        FpmRig r = Tree(64);
        FpmLayout l = r.Fpm.Layout;
        // The leader of 20(3) links to itself.
        l.Rel.Store(r.M, r.Region.Base, Page(r, 20) + l.OFF_span_next, Page(r, 20));
        AssertHas(r, "FPM6");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void FPM7_stale_largest(int bits)
    {
        FpmRig r = Tree(bits);
        WriteWord(r, r.Fpm.Address + r.Fpm.Layout.OFF_contiguous_pages, 99);
        AssertHas(r, "FPM7");
    }

    [Fact]
    public void FPM7_dirty_flag_left_set()
    {
        FpmRig r = Tree(64);
        r.M.WriteU8(r.Fpm.Address + r.Fpm.Layout.OFF_contiguous_pages_dirty, 1);
        AssertHas(r, "FPM7");
    }

    [Fact]
    public void FPM8_one_key_root_after_a_get()
    {
        var r = new FpmRig(PointerProfile.Bits64, 64);
        r.Put(10, 1);
        r.Put(20, 1);
        Assert.Empty(r.Violations(afterGet: false));
        AssertHas(r, "FPM8", afterGet: true);
    }

    [Fact]
    public void FPM9_get_contract()
    {
        FpmRig r = Tree(64);
        FpmSnapshot s = r.Snapshot();
        Assert.Empty(FreePageManagerCheck.CheckGet(s, 3, true, 20));
        Assert.Empty(FreePageManagerCheck.CheckGet(s, 5, false, 0));
        Assert.Empty(FreePageManagerCheck.CheckGet(s, 0, false, 0));
        Assert.Single(FreePageManagerCheck.CheckGet(s, 3, true, 21));     // 21..23 leaves 20(3)
        Assert.Single(FreePageManagerCheck.CheckGet(s, 4, false, 0));     // 11(4) was there
        Assert.Single(FreePageManagerCheck.CheckGet(s, 1, true, 10));     // the root page
    }

    [Fact]
    public void Wild_root_pointer_is_a_violation_not_a_crash()
    {
        FpmRig r = Tree(64);
        r.M.WriteU64(r.Fpm.Address + r.Fpm.Layout.OFF_btree_root, 1UL << 40);
        List<string> v = r.Violations();
        Assert.NotEmpty(v);
        Assert.Contains(v, s => s.StartsWith("FPM5", StringComparison.Ordinal));
    }
}
