// Unit tests of the FreePageManager port: singleton mode, the switch to a btree, splits to depth 2
// and 3, consolidation back to a singleton, the recycle list, the lazily maintained largest run,
// both pointer profiles and the boundary cases of spec §12. FpmRig checks FPM1-FPM7 (and FPM9 for
// each Get) after every operation.
using Allocator.Common;
using Allocator.Dsa;
using Xunit;

namespace Allocator.Tests.Dsa;

public class FreePageManagerTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Empty_manager_has_nothing_and_get_zero_fails(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 16);
        Assert.Null(r.Get(1));
        Assert.Null(r.Get(0));
        Assert.Equal(0UL, r.Fpm.Largest);
        Assert.Equal("metadata: self 0 max contiguous pages = 0\n", r.Fpm.Dump());
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Singleton_grows_at_both_ends_and_gets_take_its_front(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 5);
        Assert.Equal(5UL, r.Fpm.Largest);
        r.Put(15, 2);                 // after
        r.Put(8, 2);                  // before
        Assert.Equal("metadata: self 0 max contiguous pages = 9\nsingleton: 8(9)\nfreelists:\n  9: 8\n", r.Fpm.Dump());
        Assert.Equal(8UL, r.Get(3));
        Assert.Equal(11UL, r.Get(6));
        Assert.Null(r.Get(1));
        Assert.Equal(0UL, r.Fpm.Largest);
        Assert.Null(r.Get(0));        // Min(0, 129) - 1 wraps: no list is searched
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Second_separate_run_builds_a_btree_rooted_in_the_first_run(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 5);
        r.Put(20, 3);
        // The root is page 10, the first page of the old singleton; the singleton shrank to 11(4).
        Assert.Equal("metadata: self 0 max contiguous pages = 4\nbtree depth 1:\n  10@0 l: 11(4) 20(3)\nfreelists:\n  3: 20\n  4: 11\n",
            r.Fpm.Dump());

        // Taking 20(3) leaves one key: Cleanup turns the root back into the singleton and recycles
        // page 10, then gives it back, where it joins 11(4) in front.
        Assert.Equal(20UL, r.Get(3));
        Assert.Equal("metadata: self 0 max contiguous pages = 5\nsingleton: 10(5)\nfreelists:\n  5: 10\n", r.Fpm.Dump());
    }

    [Fact]
    public void Cleanup_joins_two_runs_across_the_root_page()
    {
        var r = new FpmRig(FpmRig.P(64), 64);
        r.Put(10, 3);
        r.Put(14, 2);      // root = page 10; keys 11(2) 14(2); the gap at 13
        r.Put(13, 1);      // merges 11(2)+13+14(2) -> 11(5): one key, Cleanup makes it the singleton and returns page 10
        Assert.Equal("metadata: self 0 max contiguous pages = 6\nsingleton: 10(6)\nfreelists:\n  6: 10\n", r.Fpm.Dump());
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Best_fit_prefers_exact_sizes_and_the_smallest_big_run(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 2000);
        r.Put(1, 300);
        r.Put(400, 200);
        r.Put(700, 130);
        r.Put(900, 4);
        r.Put(950, 7);
        Assert.Equal(950UL, r.Get(7));        // exact list
        Assert.Equal(900UL, r.Get(3));        // next non-empty list above 3 is 4
        Assert.Equal(700UL, r.Get(129));      // list 128 scan: the smallest run >= 129 is 700(130)
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Root_that_took_the_last_page_holds_the_new_run(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 1);
        r.Put(20, 1);      // GetInternal(1) takes page 10 as the root; the singleton is empty
        Assert.Equal("metadata: self 0 max contiguous pages = 1\nbtree depth 1:\n  10@0 l: 20(1)\nfreelists:\n  1: 20\n", r.Fpm.Dump());
        Assert.Contains(r.Violations(afterGet: true), v => v.StartsWith("FPM8", StringComparison.Ordinal));
    }

    /// <summary>Finding F1: removing the only key of the root loses the root page.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Exact_get_of_a_one_key_root_loses_the_root_page(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 1);
        r.Put(20, 1);
        r.CheckEveryOp = false;
        Assert.True(r.Fpm.Get(1, out ulong first));
        Assert.Equal(20UL, first);
        r.Free.Remove(20);
        List<string> v = r.Violations();
        Assert.Equal(["FPM1: page 10 was put and not got, but is in no free run, btree page or recycle list (lost)",
            "FPM2: free_pages is 1, but runs, btree and recycled pages hold 0"], v);
        Assert.False(r.Fpm.Get(1, out _));    // the page is gone for good
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Root_page_leak_fix_recycles_the_page(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64, new FpmOptions { FixRootPageLeak = true });
        r.Put(10, 1);
        r.Put(20, 1);
        Assert.Equal(20UL, r.Get(1));
        Assert.Equal("metadata: self 0 max contiguous pages = 1\nsingleton: 10(1)\nfreelists:\n  1: 10\n", r.Fpm.Dump());
        Assert.Equal(10UL, r.Get(1));
    }

    [Fact]
    public void Leak_trips_the_extra_asserts_when_they_are_on()
    {
        var r = new FpmRig(FpmRig.P(64), 64, new FpmOptions { AssertExtra = true });
        r.Put(10, 1);
        r.Put(20, 1);
        AssertionFailureException e = Assert.Throws<AssertionFailureException>(() => r.Fpm.Get(1, out _));
        Assert.Equal("fpm->free_pages == sum_free_pages(fpm)", e.Condition);
    }

    /// <summary>Frees every other page of a fully allocated range: one key per page, leaf splits,
    /// depth 2; then puts the gaps back, merging everything into one run again.</summary>
    [Theory]
    [InlineData(64, 700)]
    [InlineData(32, 1300)]
    public void Isolated_pages_split_to_depth_two_and_consolidate_back(int bits, int runs)
    {
        ulong pages = (ulong)runs * 2 + 2;
        var r = new FpmRig(FpmRig.P(bits), pages);
        for (ulong p = 1; p < pages - 1; p += 2) r.Put(p, 1);
        Assert.True(r.Fpm.btree_depth >= 2, r.Fpm.Dump());
        ulong itemsPerPage = r.Fpm.Layout.FPM_ITEMS_PER_LEAF_PAGE;
        Assert.True(r.Snapshot().BtreePages.Count >= 3);
        Assert.True((ulong)r.Snapshot().Runs.Count > itemsPerPage);

        for (ulong p = 2; p < pages - 1; p += 2) r.Put(p, 1);
        FpmSnapshot s = r.Snapshot();
        Assert.Equal(0u, r.Fpm.btree_depth);
        Assert.Equal([(1UL, pages - 2)], s.Runs);
        Assert.Empty(s.RecycledPages);
        Assert.Equal(pages - 2, r.Fpm.Largest);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Reverse_and_random_order_frees_keep_every_invariant(int bits)
    {
        ulong pages = 1400;
        var r = new FpmRig(FpmRig.P(bits), pages);
        for (ulong p = pages - 2; p >= 1; p -= 2) r.Put(p, 1);
        Assert.True(r.Fpm.btree_depth >= 2 || bits == 32);
        var order = new List<ulong>();
        for (ulong p = pages - 3; p >= 1 && p < pages; p -= 2) order.Add(p);
        new Prng(7).Shuffle(order);
        foreach (ulong p in order) r.Put(p, 1);
        Assert.Equal(0u, r.Fpm.btree_depth);
    }

    /// <summary>Gets drain a fragmented btree: every Get is checked against the state before it.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Draining_a_fragmented_tree_returns_every_page_but_the_lost_ones(int bits)
    {
        ulong pages = 1300;
        var r = new FpmRig(FpmRig.P(bits), pages);
        for (ulong p = 1; p + 3 < pages; p += 3) r.Put(p, 2);
        int got = 0;
        while (r.Get(1) is not null) got++;
        // What is left was lost by PostgreSQL's RemovePage (finding F1), never more than a page.
        Assert.True(r.Free.Count <= 1, $"{r.Free.Count} pages left");
        Assert.True(got > 0);
    }

    [Fact]
    public void Root_split_builds_depth_three()
    {
        // Ascending frees leave every split leaf half full (127 keys): 254 leaves under one root
        // and one more leaf split the root.
        ulong runs = 33_000;
        ulong pages = runs * 2 + 2;
        var r = new FpmRig(FpmRig.P(64), pages) { CheckEveryOp = false };
        for (ulong p = 1; p < pages - 1; p += 2)
        {
            r.Put(p, 1);
            if (r.Fpm.btree_depth == 3) break;
        }
        Assert.Equal(3u, r.Fpm.btree_depth);
        r.AssertClean();
        // Drain a few thousand pages with full checking around the upper levels.
        r.CheckEveryOp = true;
        for (int i = 0; i < 50; i++) Assert.NotNull(r.Get(1));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Largest_tracks_the_big_list(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 2000);
        r.Put(1, 500);
        r.Put(600, 129);
        r.Put(800, 128);
        Assert.Equal(499UL, r.Fpm.Largest);      // page 1 became the root
        Assert.Equal(2UL, r.Get(499));
        Assert.Equal(129UL, r.Fpm.Largest);
        Assert.Equal(600UL, r.Get(129));
        Assert.Equal(128UL, r.Fpm.Largest);
        Assert.Equal(r.Fpm.LargestContiguous(), r.Fpm.Largest);
    }

    [Theory]
    [InlineData(64, 1UL)]
    [InlineData(64, 0xFFFF_FFFFUL)]
    [InlineData(32, 1UL)]
    public void Randomized_puts_and_gets_keep_every_invariant(int bits, ulong seed)
    {
        var prng = new Prng(seed);
        ulong pages = 900;
        var r = new FpmRig(FpmRig.P(bits), pages);
        var held = new List<(ulong First, ulong N)> { (1, pages - 1) };   // what the "user" holds
        for (int step = 0; step < 3000; step++)
        {
            if (held.Count > 0 && (prng.Chance(1, 2) || r.Free.Count == 0))
            {
                // Give back a piece of something held.
                int i = prng.Index(held.Count);
                (ulong f, ulong n) = held[i];
                ulong take = 1 + prng.Below(Math.Min(n, 40UL));
                ulong at = f + prng.Below(n - take + 1);
                held.RemoveAt(i);
                if (at > f) held.Add((f, at - f));
                if (at + take < f + n) held.Add((at + take, f + n - at - take));
                r.Put(at, take);
            }
            else
            {
                ulong n = 1 + prng.Below(prng.Chance(1, 8) ? 200UL : 6UL);
                if (r.Get(n) is ulong first) held.Add((first, n));
            }
        }
    }
}

public class FreePageManagerDumpTests
{
    /// <summary>A recycled page that cannot go back (the singleton is elsewhere and a root would be
    /// needed) stays on the recycle list, and the next btree takes it as its root.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    public void Recycle_list_keeps_a_page_until_the_next_root(int bits)
    {
        var r = new FpmRig(FpmRig.P(bits), 64);
        r.Put(10, 2);
        r.Put(20, 2);                 // root page 10; keys 11(1) 20(2)
        Assert.Equal(11UL, r.Get(1)); // one key left: back to the singleton, page 10 recycled and kept
        Assert.Equal("metadata: self 0 max contiguous pages = 2\nsingleton: 20(2)\nbtree recycle: 10\nfreelists:\n  2: 20\n", r.Fpm.Dump());
        r.Put(30, 1);                 // the recycled page becomes the root
        Assert.Equal("metadata: self 0 max contiguous pages = 2\nbtree depth 1:\n  10@0 l: 20(2) 30(1)\nfreelists:\n  1: 30\n  2: 20\n", r.Fpm.Dump());
    }

    [Fact]
    public void Deep_tree_dump_lists_internal_and_leaf_pages_and_bad_parents()
    {
        var r = new FpmRig(FpmRig.P(64), 700);
        for (ulong p = 1; p < 699; p += 2) r.Put(p, 1);
        string[] lines = r.Fpm.Dump().Split('\n');
        Assert.Equal("btree depth 2:", lines[1]);
        Assert.Matches(@"^  \d+@0 i: \d+->\d+ \d+->\d+", lines[2]);
        Assert.Matches(@"^  \d+@1 l: \d+\(1\) \d+\(1\)", lines[3]);
        Assert.Contains(lines, l => l.StartsWith("  1:", StringComparison.Ordinal));

        // A leaf whose parent link is cleared shows both parents, as FreePageManagerDumpBtree does
        // (NULL's page number is (0 - base) / 4096, wrapping, as in C).
        ulong leaf = r.Snapshot().BtreePages[1];
        FpmLayout l = r.Fpm.Layout;
        l.Rel.Write(r.M, r.Region.Base + leaf * FpmLayout.FPM_PAGE_SIZE + l.OFF_hdr_parent, 0);
        ulong nullPage = (0 - r.Region.Base) / FpmLayout.FPM_PAGE_SIZE;
        Assert.Contains($"  {leaf}@1 l [actual parent {nullPage}, expected {r.Snapshot().BtreePages[0]}]:", r.Fpm.Dump(), StringComparison.Ordinal);
    }
}
