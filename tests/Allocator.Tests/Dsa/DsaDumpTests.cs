// dsa_dump's text for the worked vector of 9.16.
using Allocator.Dsa;
using Xunit;

namespace Allocator.Tests.Dsa;

public sealed class DsaDumpTests
{
    [Fact]
    public void Dump_OfTheWorkedVector()
    {
        var r = new DsaRig();
        r.Alloc(8);
        r.Alloc(8);
        r.Alloc(10000);
        string d = r.A.dsa_dump();
        ulong addr = r.A.segment_maps[0].mapped_address;
        string expected =
            $"dsa_area handle {r.A.handle:x}:\n" +
            "  max_total_segment_size: 18446744073709551615\n" +
            "  total_segment_size: 1048576\n" +
            "  refcnt: 1\n" +
            "  pinned: f\n" +
            "  segment bins:\n" +
            "    segment bin 8 (at least 128 contiguous pages free):\n" +
            $"      segment index 0, usable_pages = 253, contiguous_pages = 233, mapped at 0x{addr:x}\n" +
            "  pools:\n" +
            "    pool for blocks of span objects:\n" +
            "      fullness class 0 is empty\n" +
            "      fullness class 1:\n" +
            "        span descriptor at 0000000000003000, superblock at 0000000000003000, pages = 1, objects free = 70/72\n" +
            "      fullness class 2 is empty\n" +
            "      fullness class 3 is empty\n" +
            "    pool for large object spans:\n" +
            "      fullness class 0 is empty\n" +
            "      fullness class 1:\n" +
            "        span descriptor at 0000000000003070, superblock at 0000000000014000, pages = 3, objects free = 0/0\n" +
            "      fullness class 2 is empty\n" +
            "      fullness class 3 is empty\n" +
            "    pool for size class 2 (object size 8 bytes):\n" +
            "      fullness class 0 is empty\n" +
            "      fullness class 1:\n" +
            "        span descriptor at 0000000000003038, superblock at 0000000000004000, pages = 16, objects free = 8190/8192\n" +
            "      fullness class 2 is empty\n" +
            "      fullness class 3 is empty\n";
        Assert.Equal(expected, d);
        Assert.False(r.A.HoldsAnyLock());
        r.Ok();
    }

    [Fact]
    public void Dump_SmallPointers_UseEightDigits()
    {
        var r = new DsaRig(DsaLayout.Small);
        r.Alloc(8);
        Assert.Contains("span descriptor at 00001", r.A.dsa_dump(), StringComparison.Ordinal);
    }
}
