// DsaModel: the OOM regions (invalid, must fail, must succeed, either), pointer bookkeeping
// (fresh, aligned, disjoint per segment), contents patterns and probes, and the limit.
using Models.Dsa;
using Xunit;

namespace Models.Tests.Dsa;

public class DsaModelTests
{
    private const ulong K = 1024, M = 1024 * 1024;
    private const int NoOom = DsaModelGeometry.AllocNoOom, Huge = DsaModelGeometry.AllocHuge;

    private static DsaModel Model(ulong limit, ulong init = 256 * K) =>
        new(new DsaModelGeometry(40, 1UL << 40, init, 1UL << 40), limit);

    [Fact]
    public void Invalid_sizes_are_zero_and_over_the_maximum()
    {
        DsaModel m = Model(4 * M);
        Assert.Equal(DsaExpect.Invalid, m.Expect(0, NoOom, 256 * K, 1000, 1));
        Assert.Equal(DsaExpect.Invalid, m.Expect(DsaModelGeometry.MaxAllocSize + 1, NoOom, 256 * K, 1000, 1));
        Assert.NotEqual(DsaExpect.Invalid, m.Expect(DsaModelGeometry.MaxAllocSize + 1, NoOom | Huge, 256 * K, 1000, 1));
        Assert.NotEqual(DsaExpect.Invalid, m.Expect(DsaModelGeometry.MaxAllocSize, NoOom, 256 * K, 1000, 1));
    }

    [Fact]
    public void A_request_larger_than_the_capacity_must_fail()
    {
        DsaModel m = Model(1 * M);
        Assert.Equal(DsaExpect.MustFail, m.Expect(M, NoOom, 256 * K, 1000, 1));
        Assert.Equal(DsaExpect.MustFail, m.Expect(DsaModelGeometry.MaxAllocSize + 1, NoOom | Huge, 256 * K, 1000, 1));
        // live bytes count: 900 KiB live leaves no room for 200 KiB more
        Assert.Null(m.Allocated(0x1000, 900 * K, 1));
        Assert.Equal(DsaExpect.MustFail, m.Expect(200 * K, NoOom, M, 1000, 2));
        m.Freed(0x1000);
        Assert.NotEqual(DsaExpect.MustFail, m.Expect(200 * K, NoOom, M, 1000, 2));
    }

    [Fact]
    public void A_limit_below_the_total_keeps_the_total_as_capacity()
    {
        DsaModel m = Model(4 * M);
        m.SetLimit(64 * K, 1 * M);
        Assert.True(m.LimitLowered);
        Assert.Equal(DsaExpect.Either, m.Expect(100 * K, NoOom, 1 * M, 1000, 1));
        Assert.Equal(DsaExpect.MustFail, m.Expect(2 * M, NoOom, 1 * M, 1000, 1));
    }

    [Fact]
    public void Must_succeed_needs_room_for_the_next_slot_and_a_fresh_segment()
    {
        DsaModel m = Model(4 * M);
        // slot 1 is 256 KiB; a small object needs a superblock (16 pages) in a fresh segment
        Assert.Equal(DsaExpect.MustSucceed, m.Expect(100, NoOom, 256 * K, 1000, 1));
        // a 2 MiB large object fits after slot 1's 256 KiB in 4 MiB - 256 KiB
        Assert.Equal(DsaExpect.MustSucceed, m.Expect(2 * M, NoOom, 256 * K, 1000, 1));
        // not with one free slot, nor at the limit, nor when the next slot is too big to leave room
        Assert.Equal(DsaExpect.Either, m.Expect(100, NoOom, 256 * K, 1, 1));
        Assert.Equal(DsaExpect.Either, m.Expect(100, NoOom, 4 * M, 1000, 1));
        Assert.Equal(DsaExpect.Either, m.Expect(100, NoOom, 256 * K, 1000, 8));   // slot 8: 4 MiB
        Assert.Equal(DsaExpect.Either, m.Expect(3 * M + 512 * K, NoOom, 256 * K, 1000, 1));
    }

    [Fact]
    public void Need_covers_the_request_and_a_spare_page_with_its_metadata()
    {
        foreach (ulong p in new ulong[] { 1, 16, 253, 254, 255, 256, 510, 511, 4096, 100000 })
        {
            ulong need = DsaModelGeometry.Need(p);
            // metadata of a segment of `need` bytes: 1152 bytes plus 8 per page, rounded up to a page
            ulong pages = need / 4096, meta = (1152 + 8 * pages + 4095) / 4096;
            Assert.True(pages - meta >= p + 1, $"p={p}: {pages} pages, {meta} metadata");
        }
    }

    [Fact]
    public void Geometric_sizes_double_every_two_slots_up_to_the_maximum()
    {
        var g = new DsaModelGeometry(40, 1UL << 40, 256 * K, 1 * M);
        Assert.Equal([256 * K, 256 * K, 512 * K, 512 * K, M, M, M], Enumerable.Range(0, 7).Select(i => g.GeometricSize((ulong)i)));
    }

    [Fact]
    public void Pointers_must_be_fresh_aligned_and_disjoint_within_a_segment()
    {
        DsaModel m = Model(4 * M);
        Assert.Null(m.Allocated(0x4000, 8, 1));
        Assert.NotNull(m.Allocated(0x4000, 8, 1));                 // live already
        Assert.NotNull(m.Allocated(0x4004, 8, 1));                 // not 8-aligned
        Assert.NotNull(m.Allocated(0x3ff8, 16, 1));                // overlaps 0x4000
        Assert.NotNull(m.Allocated(0x5008, 9000, 1));              // large, not page-aligned
        Assert.NotNull(m.Allocated(0, 8, 1));                      // Invalid
        Assert.Null(m.Allocated((1UL << 40) | 0x4000, 8, 1));      // same offset, segment 1
        Assert.Null(m.Allocated(0x4008, 8, 1));
        Assert.Equal([0x4000UL, (1UL << 40) | 0x4000, 0x4008UL], m.Pointers);
        m.Freed(0x4000);
        Assert.Null(m.Allocated(0x4000, 8, 2));
        Assert.Equal(3, m.Count);
        Assert.Equal(24UL, m.LiveBytes());
    }

    [Fact]
    public void Contents_follow_the_last_write()
    {
        DsaModel m = Model(4 * M);
        Assert.Null(m.Allocated(0x4000, 100, 0));
        Assert.Equal(0, DsaModel.Expected(m.SeedOf(0x4000), 50));
        m.Written(0x4000, 9);
        Assert.Equal(9, m.SeedOf(0x4000));
        Assert.NotEqual(DsaModel.Expected(9, 1), DsaModel.Expected(9, 2));
        Assert.NotEqual(DsaModel.Expected(9, 5), DsaModel.Expected(10, 5));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(16UL)]
    [InlineData(17UL)]
    [InlineData(8192UL)]
    [InlineData(1048576UL)]
    public void Probes_cover_both_ends_and_stay_inside(ulong size)
    {
        List<ulong> p = DsaModel.Probes(size).ToList();
        Assert.Equal(0UL, p[0]);
        Assert.Equal(size - 1, p[^1]);
        Assert.All(p, j => Assert.True(j < size));
        Assert.True(p.Count <= 16 + 66);
    }

    [Fact]
    public void The_total_may_not_grow_past_the_limit()
    {
        DsaModel m = Model(1 * M);
        Assert.Null(m.CheckTotal(256 * K, 1 * M));
        Assert.NotNull(m.CheckTotal(256 * K, 1 * M + 4096));
        m.SetLimit(128 * K, 512 * K);
        Assert.Null(m.CheckTotal(512 * K, 512 * K));
        Assert.NotNull(m.CheckTotal(512 * K, 512 * K + 4096));
    }
}
