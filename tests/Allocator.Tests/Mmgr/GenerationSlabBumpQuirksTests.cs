// GenerationSlabBumpQuirksTests: the quirks of pg-mmgr-dsa.md section 10 that concern Generation,
// Slab and Bump, each named by its id (Q2, Q3, Q9, Q10). The port must reproduce them, not fix them.
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class GenerationSlabBumpQuirksTests
{
    private const ulong Max8M = 8 * 1024 * 1024;

    private static ulong Gen(Mcxt m) => m.GenerationContextCreate(m.TopMemoryContext, "G", 0, 8192, Max8M);
    private static ulong Bmp(Mcxt m) => m.BumpContextCreate(m.TopMemoryContext, "B", 0, 8192, Max8M);

    [Theory]
    [InlineData(6UL)]
    [InlineData(3UL)]
    [InlineData(0UL)]
    public void Q2_Generation_SizeNearSizeMax_WrapsToAZeroByteChunk_WithoutAnySizeCheck(ulong k)
    {
        Mcxt m = New(checking: false);
        ulong g = Gen(m);
        ulong size = ulong.MaxValue - k;   // MAXALIGN(size) wraps to 0: the small path, no size check
        ulong p = m.MemoryContextAlloc(g, size);
        Assert.Equal(g + 192, p);
        Assert.Equal(0UL, MemoryChunk.GetValue(m.Memory.ReadU64(p - 8)));
        Assert.Equal(8UL, m.GetMemoryChunkSpace(p));
        Assert.Equal(p + 8, m.MemoryContextAlloc(g, 1));   // the next chunk starts right after the header
        // palloc_mul(1, size) reaches it too; MemoryContextAllocExtended rejects it up front.
        m.MemoryContextSwitchTo(g);
        Assert.NotEqual(0UL, m.palloc_mul(1, size));
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAllocExtended(g, size, 0));
        Assert.Equal($"invalid memory alloc request size {size}", e.Message);
        m.MemoryContextSwitchTo(m.TopMemoryContext);
        AssertClean(m);
    }

    [Fact]
    public void Q2_Generation_OneBelowTheWrap_TakesTheLargePathAndIsRejected()
    {
        Mcxt m = New(checking: false);
        ulong size = ulong.MaxValue - 7;   // MAXALIGN is SIZE_MAX - 7: above the chunk limit
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(Gen(m), size));
        Assert.Equal($"invalid memory alloc request size {size}", e.Message);
    }

    [Theory]
    [InlineData(7UL)]
    [InlineData(0UL)]
    public void Q2_Generation_Checking_TheSentinelAssertFires(ulong k)
    {
        Mcxt m = New(checking: true);
        ulong g = Gen(m);
        var e = Assert.Throws<AssertionFailureException>(() => m.MemoryContextAlloc(g, ulong.MaxValue - k));
        Assert.Contains("size < chunk_size", e.Message);
    }

    [Fact]
    public void Q2_Bump_SizeNearSizeMax_ReturnsFreeptrWithoutAdvancing()
    {
        Mcxt m = New(checking: false);
        ulong b = Bmp(m);
        ulong p = m.MemoryContextAlloc(b, ulong.MaxValue - 6);
        Assert.Equal(b + 144, p);
        Assert.Equal(p, m.MemoryContextAlloc(b, 8));
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(b, ulong.MaxValue - 7));
        Assert.Equal($"invalid memory alloc request size {ulong.MaxValue - 7}", e.Message);
        AssertClean(m);
    }

    [Fact]
    public void Q2_Bump_Checking_TheSentinelAssertFires()
    {
        Mcxt m = New(checking: true);
        ulong b = Bmp(m);
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextAlloc(b, ulong.MaxValue - 7));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(4UL)]
    [InlineData(7UL)]
    public void Q3_Slab_ChunkSizeBelow8_IsStoredRaised_SoTheOriginalSizeIsRejected(ulong chunkSize)
    {
        Mcxt m = New(checking: false);
        ulong s = m.SlabContextCreate(m.TopMemoryContext, "S", 8192, chunkSize);
        Assert.Equal(8U, m.Memory.ReadU32(s + SlabConstants.OffChunkSize));
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(s, chunkSize));
        Assert.Equal($"unexpected alloc chunk size {chunkSize} (expected 8)", e.Message);
        ulong p = m.MemoryContextAlloc(s, 8);
        Assert.Equal(16UL, m.GetMemoryChunkSpace(p));
        m.pfree(p);
        AssertClean(m);
    }

    [Fact]
    public void Q3_Slab_TooSmallBlockMessage_NamesTheRaisedSize()
    {
        Mcxt m = New(checking: false);
        var e = Assert.Throws<PgErrorException>(() => m.SlabContextCreate(m.TopMemoryContext, "S", 60, 3));
        Assert.Equal("block size 60 for slab is too small for 8-byte chunks", e.Message);
    }

    [Fact]
    public void Q9_Bump_Palloc0_ReturnsTheSameAddressAgain_WithoutChecking()
    {
        Mcxt m = New(checking: false);
        ulong b = Bmp(m);
        ulong p = m.MemoryContextAlloc(b, 0);
        Assert.Equal(p, m.MemoryContextAlloc(b, 0));
        Assert.Equal(p, m.MemoryContextAlloc(b, 24));   // a zero-size chunk aliases the next one
        Assert.Equal(p + 24, m.MemoryContextAlloc(b, 0));
        AssertClean(m);
    }

    [Fact]
    public void Q9_Bump_Palloc0_IsADistinctChunk_WithChecking()
    {
        Mcxt m = New(checking: true);
        ulong b = Bmp(m);
        ulong p = m.MemoryContextAlloc(b, 0);
        ulong q = m.MemoryContextAlloc(b, 0);
        Assert.Equal(p + 8 + 16, q);
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Q10_Generation_ChunkSpaceExcludesBlockHeaders_AndStatsCountFreedSpaceAsUsed(bool checking)
    {
        Mcxt m = New(checking);
        ulong g = Gen(m);
        ulong hdr = m.ChunkHdrSz;
        ulong p = m.MemoryContextAlloc(g, 100);
        ulong q = m.MemoryContextAlloc(g, 100);
        ulong chunk = MAXALIGN(100 + (checking ? 1UL : 0));
        Assert.Equal(hdr + chunk, m.GetMemoryChunkSpace(p));
        string before = StatsLine(m, g);
        m.pfree(p);
        ulong free = 8192 - 184 - 2 * (hdr + chunk);
        // The freed chunk's space stays "used"; only the free-chunk count moves.
        Assert.Equal($"G: 8192 total in 1 blocks (2 chunks); {free} free (1 chunks); {8192 - free} used", StatsLine(m, g));
        Assert.Equal(before.Replace("(0 chunks)", "(1 chunks)", StringComparison.Ordinal), StatsLine(m, g));
        // Dedicated chunks: the space is header + data, the block header is not included.
        ulong big = m.MemoryContextAlloc(g, 600_000);
        ulong afterBig = m.GetMemAllocated(g);
        Assert.Equal(hdr + MAXALIGN(600_000 + (checking ? 1UL : 0)), m.GetMemoryChunkSpace(big));
        Assert.Equal(m.GetMemoryChunkSpace(big) + GenerationConstants.Generation_BLOCKHDRSZ, afterBig - (8192 - 128));
        m.pfree(q);
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Q10_Slab_ChunkSpaceIsFullChunkSize_BlocksAccountedWhole(bool checking)
    {
        Mcxt m = New(checking);
        ulong s = m.SlabContextCreate(m.TopMemoryContext, "S", 1024, 24);
        ulong p = m.MemoryContextAlloc(s, 24);
        Assert.Equal(m.ChunkHdrSz + MAXALIGN(24 + (checking ? 1UL : 0)), m.GetMemoryChunkSpace(p));
        Assert.Equal(1024UL, m.GetMemAllocated(s));
        m.pfree(p);
        Assert.Equal(1024UL, m.GetMemAllocated(s));   // the empty block is retained and still counted
        AssertClean(m);
    }
}
