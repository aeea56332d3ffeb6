// dsa.c's size classes and pointer encoding against the facts of pg-mmgr-dsa.md §9.1-9.2: the 38
// class sizes, the objects per superblock of each, PostgreSQL's literal lookup table agreeing with
// "the smallest class that fits" for every size it serves, the binary chop above it, the widening
// rule of the classes above 1 KiB, the pointer layouts of both widths, and the segment bins.
using Allocator.Common;
using Allocator.Dsa;
using Xunit;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Tests.Dsa;

public sealed class DsaSizeClassTests
{
    private static readonly DsaSizeClasses C = DsaSizeClasses.Wide;

    [Fact]
    public void There_are_38_classes_and_the_span_class_is_sizeof_dsa_area_span()
    {
        Assert.Equal(38, C.DSA_NUM_SIZE_CLASSES);
        Assert.Equal(56, C.Size(DSA_SCLASS_BLOCK_OF_SPANS));
        Assert.Equal(0, C.Size(DSA_SCLASS_SPAN_LARGE));
        Assert.Equal(8192, C.Size(37));
        Assert.Equal(40, DsaSizeClasses.Small.Size(DSA_SCLASS_BLOCK_OF_SPANS));
        for (int i = 3; i < C.DSA_NUM_SIZE_CLASSES; i++) Assert.True(C.Size(i) > C.Size(i - 1));
    }

    [Fact]
    public void Objects_per_superblock_match_the_spec_table()
    {
        int[] nmax = [8192, 4096, 2730, 2048, 1638, 1365, 1170, 1024, 819, 682, 585, 512, 409, 341, 292, 256, 204,
            170, 146, 128, 102, 85, 73, 64, 51, 42, 36, 32, 25, 21, 18, 16, 12, 10, 9, 8];
        Assert.Equal(nmax, Enumerable.Range(2, 36).Select(C.ObjectsPerSuperblock));
        Assert.Equal(72, C.ObjectsPerSuperblock(DSA_SCLASS_BLOCK_OF_SPANS));
        Assert.Throws<AssertionFailureException>(() => C.ObjectsPerSuperblock(DSA_SCLASS_SPAN_LARGE));
    }

    [Fact]
    public void Classes_above_1KiB_are_the_largest_multiple_of_8_with_their_object_count()
    {
        for (int i = 26; i < C.DSA_NUM_SIZE_CLASSES; i++)
        {
            int n = C.ObjectsPerSuperblock(i);
            Assert.Equal(DSA_SUPERBLOCK_SIZE / n / 8 * 8, C.Size(i));
        }
    }

    [Fact]
    public void The_lookup_table_and_the_chop_give_the_smallest_class_that_fits_for_every_size()
    {
        Assert.Equal(128, dsa_size_class_map.Length);
        for (ulong size = 1; size <= MaxClassSize; size++)
        {
            int expected = Enumerable.Range(2, 36).First(i => (ulong)C.Size(i) >= size);
            Assert.Equal(expected, C.SizeClassFor(size));
        }
        Assert.Equal(25, C.SizeClassFor(1023));
        Assert.Equal(25, C.SizeClassFor(1024));
        Assert.Equal(26, C.SizeClassFor(1025));
        Assert.Throws<AssertionFailureException>(() => C.SizeClassFor(0));
        Assert.Throws<AssertionFailureException>(() => C.SizeClassFor(MaxClassSize + 1));
    }

    [Fact]
    public void Pointer_layouts_encode_segment_and_offset_as_dsa_h_does()
    {
        DsaPointerLayout w = DsaPointerLayout.Wide, s = DsaPointerLayout.Small;
        Assert.Equal((40, 1024, 1UL << 40), (w.DSA_OFFSET_WIDTH, w.DSA_MAX_SEGMENTS, w.DSA_MAX_SEGMENT_SIZE));
        Assert.Equal((27, 32, 128UL << 20), (s.DSA_OFFSET_WIDTH, s.DSA_MAX_SEGMENTS, s.DSA_MAX_SEGMENT_SIZE));
        ulong dp = w.DSA_MAKE_POINTER(3, 0x1234);
        Assert.Equal(0x0000_0300_0000_1234UL, dp);
        Assert.Equal((3UL, 0x1234UL), (w.DSA_EXTRACT_SEGMENT_NUMBER(dp), w.DSA_EXTRACT_OFFSET(dp)));
        ulong sp = s.DSA_MAKE_POINTER(31, (1UL << 27) - 1);
        Assert.Equal(uint.MaxValue, sp);
        Assert.Equal("ffffffff", s.Format(sp));
        Assert.Equal("0000030000001234", w.Format(dp));
        Assert.Throws<AssertionFailureException>(() => s.DSA_MAKE_POINTER(32, 0));
        Assert.Throws<AssertionFailureException>(() => w.DSA_MAKE_POINTER(0, 1UL << 40));
        Assert.False(DsaPointerLayout.DsaPointerIsValid(DsaPointerLayout.InvalidDsaPointer));
    }

    [Fact]
    public void Segment_bins_are_floor_log2_plus_one_capped()
    {
        Assert.Equal(0, contiguous_pages_to_segment_bin(0));
        Assert.Equal(1, contiguous_pages_to_segment_bin(1));
        Assert.Equal(2, contiguous_pages_to_segment_bin(2));
        Assert.Equal(2, contiguous_pages_to_segment_bin(3));
        Assert.Equal(3, contiguous_pages_to_segment_bin(4));
        Assert.Equal(8, contiguous_pages_to_segment_bin(253)); // a 1 MiB area's first segment
        Assert.Equal(15, contiguous_pages_to_segment_bin(1UL << 14));
        Assert.Equal(15, contiguous_pages_to_segment_bin(ulong.MaxValue));
    }
}
