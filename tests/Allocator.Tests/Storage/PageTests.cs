// Tests of Storage/PageHeader.cs and Storage/PageChecksum.cs: header offsets, PageInit, the LSN
// halves, and pg_checksum_page. The pinned checksum values were computed by an independent
// throw-away reimplementation of the published algorithm (not by this port), so they cross-check
// the row/column walk, the pd_checksum masking, the block-number mix and the 16-bit fold.
using Allocator.Common;
using Allocator.Storage;
using Xunit;

namespace Allocator.Tests.Storage;

public class PageTests
{
    private static byte[] NewPage(int size = PageHeader.DefaultBlckSz, int special = 0)
    {
        var p = new byte[size];
        PageHeader.PageInit(p, special);
        return p;
    }

    [Fact]
    public void Layout_MatchesPostgres17()
    {
        Assert.Equal(0, PageHeader.OffLsn);
        Assert.Equal(8, PageHeader.OffChecksum);
        Assert.Equal(10, PageHeader.OffFlags);
        Assert.Equal(12, PageHeader.OffLower);
        Assert.Equal(14, PageHeader.OffUpper);
        Assert.Equal(16, PageHeader.OffSpecial);
        Assert.Equal(18, PageHeader.OffPageSizeVersion);
        Assert.Equal(20, PageHeader.OffPruneXid);
        Assert.Equal(24, PageHeader.SizeOfPageHeaderData);
    }

    [Fact]
    public void PageInit_SetsBoundsAndVersion()
    {
        var p = new byte[8192];
        Array.Fill(p, (byte)0xEE);
        PageHeader.PageInit(p, 13);
        Assert.Equal(24, PageHeader.GetLower(p));
        Assert.Equal(8192 - 16, PageHeader.GetUpper(p));
        Assert.Equal(8192 - 16, PageHeader.GetSpecial(p));
        Assert.Equal(8192 | 4, PageHeader.GetPageSizeVersion(p));
        Assert.Equal(8192, PageHeader.GetPageSize(p));
        Assert.Equal(4, PageHeader.GetPageLayoutVersion(p));
        Assert.Equal(0UL, PageHeader.PageGetLSN(p));
        Assert.Equal(0u, PageHeader.GetPruneXid(p));
        Assert.Equal(0, p[100]);
        Assert.False(PageHeader.PageIsNew(p));
        Assert.True(PageHeader.HeaderIsSane(p));
        Assert.True(PageHeader.PageIsNew(new byte[8192]));
    }

    [Fact]
    public void Lsn_StoredAsHighThenLowHalf()
    {
        var p = NewPage();
        PageHeader.PageSetLSN(p, 0x0000_0001_2345_6789UL);
        Assert.Equal(0x0000_0001_2345_6789UL, PageHeader.PageGetLSN(p));
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0x89, 0x67, 0x45, 0x23 }, p[..8]);
    }

    [Fact]
    public void Checksum_PinnedVectors()
    {
        var p = NewPage();
        Assert.Equal(25952, PageChecksum.Compute(p, 0));
        Assert.Equal(25951, PageChecksum.Compute(p, 1));
        Assert.Equal(21863, PageChecksum.Compute(p, 12345));

        var q = NewPage();
        PageHeader.PageSetLSN(q, 0x1_0234_5678UL);
        q[100] = 0xAB;
        q[8191] = 0x5A;
        Assert.Equal(55393, PageChecksum.Compute(q, 3));

        Assert.Equal(40388, PageChecksum.Compute(NewPage(1024, 16), 0));
    }

    [Fact]
    public void Checksum_IgnoresStoredChecksumAndDoesNotModifyPage()
    {
        var p = NewPage();
        ushort c = PageChecksum.Compute(p, 9);
        PageHeader.SetChecksum(p, 0xBEEF);
        var copy = (byte[])p.Clone();
        Assert.Equal(c, PageChecksum.Compute(p, 9));
        Assert.Equal(copy, p);
    }

    [Fact]
    public void Checksum_NeverZero_DependsOnBlockAndContent()
    {
        var prng = new Prng(0x5EED);
        var p = NewPage();
        var seen = new HashSet<ushort>();
        for (int i = 0; i < 200; i++)
        {
            p[24 + prng.Index(8192 - 24)] = (byte)prng.NextU32();
            ushort c = PageChecksum.Compute(p, (uint)i);
            Assert.NotEqual(0, c);
            seen.Add(c);
        }
        Assert.True(seen.Count > 190);

        var q = NewPage();
        ushort before = PageChecksum.Compute(q, 5);
        Assert.NotEqual(before, PageChecksum.Compute(q, 6));
        for (int bit = 0; bit < 8; bit++)
        {
            q[4000] ^= (byte)(1 << bit);
            Assert.NotEqual(before, PageChecksum.Compute(q, 5));
            q[4000] ^= (byte)(1 << bit);
        }
        Assert.Equal(before, PageChecksum.Compute(q, 5));
    }

    [Fact]
    public void Checksum_OfNewPage_Asserts()
    {
        Assert.Throws<AssertionFailureException>(() => PageChecksum.Compute(new byte[8192], 0));
    }

    [Fact]
    public void PageIsVerified_Semantics()
    {
        Assert.True(PageChecksum.PageIsVerified(new byte[8192], 0, true, out bool f0));
        Assert.False(f0);

        var p = NewPage();
        PageChecksum.SetInplace(p, 4);
        Assert.True(PageChecksum.PageIsVerified(p, 4, true, out bool f1));
        Assert.False(f1);
        Assert.False(PageChecksum.PageIsVerified(p, 5, true, out bool f2));
        Assert.True(f2);
        Assert.True(PageChecksum.PageIsVerified(p, 5, false, out _));

        p[5000] ^= 0x10;
        Assert.False(PageChecksum.PageIsVerified(p, 4, true, out bool f3));
        Assert.True(f3);

        // A non-new page with an insane header fails even without checksums.
        var q = NewPage();
        PageHeader.SetFlags(q, 0x0100);
        Assert.False(PageChecksum.PageIsVerified(q, 0, false, out bool f4));
        Assert.False(f4);
    }
}
