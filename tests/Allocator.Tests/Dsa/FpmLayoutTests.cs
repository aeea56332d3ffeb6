// The struct layouts and constants of freepage.h/freepage.c for both pointer profiles, and the
// relptr encoding of relptr.h.
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Dsa;

public class FpmLayoutTests
{
    [Fact]
    public void Profile64_matches_gcc_x86_64()
    {
        FpmLayout l = FpmLayout.For(PointerProfile.Bits64, extraAsserts: false);
        Assert.Equal(1096UL, l.SIZEOF_FreePageManager);
        Assert.Equal(32UL, l.SIZEOF_FreePageSpanLeader);
        Assert.Equal(24UL, l.SIZEOF_FreePageBtreeHeader);
        Assert.Equal(16UL, l.SIZEOF_Key);
        Assert.Equal(254UL, l.FPM_ITEMS_PER_LEAF_PAGE);
        Assert.Equal(254UL, l.FPM_ITEMS_PER_INTERNAL_PAGE);
        Assert.Equal(56UL, l.OFF_contiguous_pages_dirty);
        Assert.Equal(64UL, l.OFF_freelist);
        Assert.Equal(8UL, l.OFF_span_npages);
        Assert.Equal(1104UL, FpmLayout.For(PointerProfile.Bits64, extraAsserts: true).SIZEOF_FreePageManager);
    }

    [Fact]
    public void Profile32_has_4_byte_words()
    {
        FpmLayout l = FpmLayout.For(PointerProfile.Bits32, extraAsserts: false);
        Assert.Equal(552UL, l.SIZEOF_FreePageManager);
        Assert.Equal(16UL, l.SIZEOF_FreePageSpanLeader);
        Assert.Equal(12UL, l.SIZEOF_FreePageBtreeHeader);
        Assert.Equal(8UL, l.SIZEOF_Key);
        Assert.Equal(510UL, l.FPM_ITEMS_PER_LEAF_PAGE);
        Assert.Equal(556UL, FpmLayout.For(PointerProfile.Bits32, extraAsserts: true).SIZEOF_FreePageManager);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void Relptr_uses_the_plus_one_encoding(int width)
    {
        var rel = new RelPtr(width);
        const ulong b = 0x7000_0000_0000;
        Assert.Equal(0UL, rel.Encode(b, 0));
        Assert.Equal(1UL, rel.Encode(b, b));              // base + 0 is not NULL
        Assert.Equal(b, RelPtr.Decode(b, rel.Encode(b, b)));
        Assert.Equal(0UL, RelPtr.Decode(b, 0));
        Assert.Equal(4096UL, rel.Offset(rel.Encode(b, b + 4096)));
        Assert.Throws<AssertionFailureException>(() => rel.Encode(b, b - 1));

        var m = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 4096);
        SimRegion r = m.MapRegion("r", 64);
        rel.Store(m, r.Base, r.Base + 8, r.Base + 40);
        Assert.Equal(r.Base + 40, rel.Access(m, r.Base, r.Base + 8));
        Assert.False(rel.IsNull(m, r.Base + 8));
        Assert.True(rel.IsNull(m, r.Base + 16));
    }

    [Fact]
    public void Relptr32_truncates_like_a_32_bit_store()
    {
        var rel = new RelPtr(4);
        Assert.Equal(1UL, rel.Encode(0, 1UL << 32));   // offset 2^32 + 1 keeps its low 32 bits
    }
}
