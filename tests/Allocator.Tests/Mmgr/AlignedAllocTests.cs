// AlignedAllocTests: MemoryContextAllocAligned / palloc_aligned and the redirect chunk of
// alignedalloc.c (method id 6): alignment, dispatch through the redirect, realloc, sentinels.
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class AlignedAllocTests
{
    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Aligned_PointersAreAligned_AndRedirectToTheUnalignedChunk(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        m.MemoryContextSwitchTo(x);
        foreach (ulong alignto in new ulong[] { 16, 64, 4096, 65536 })
        {
            ulong p = m.palloc_aligned(100, alignto, MCXT_ALLOC_ZERO);
            Assert.Equal(0UL, p % alignto);
            ulong hdrmask = m.Memory.ReadU64(p - 8);
            Assert.Equal((ulong)MemoryContextMethodID.MCTX_ALIGNED_REDIRECT_ID, hdrmask & 15);
            Assert.Equal(alignto, MemoryChunk.GetValue(hdrmask));
            ulong unaligned = MemoryChunk.GetBlock(p - m.ChunkHdrSz, hdrmask);
            Assert.Equal(x, m.GetMemoryChunkContext(p));
            Assert.Equal(m.GetMemoryChunkSpace(unaligned), m.GetMemoryChunkSpace(p));
            Assert.True(m.Memory.ReadSpan(p, 100).ToArray().All(b => b == 0));
            m.Memory.Fill(p, 100, 0x42);
            ulong q = m.repalloc(p, 300);
            Assert.Equal(0UL, q % alignto);
            Assert.True(m.Memory.ReadSpan(q, 100).ToArray().All(b => b == 0x42));
            m.pfree(q);
        }
        Assert.Equal(m.MemoryContextAlloc(x, 8) % 8, m.palloc_aligned(24, 8, 0) % 8);   // alignto <= 8: ordinary chunk
        Assert.Empty(Warnings(m));
        m.MemoryContextSwitchTo(m.TopMemoryContext);
        AssertClean(m);
    }

    [Fact]
    public void Aligned_WritePastEnd_WarnsOnPfree()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAllocAligned(x, 50, 128, 0);
        Assert.Equal(SentinelByte, m.Memory.ReadU8(p + 50));
        m.Memory.WriteU8(p + 50, 0);
        m.pfree(p);
        Assert.Equal(new[] { $"detected write past chunk end in X 0x{p - 16:x}" }, Warnings(m));
    }

    [Fact]
    public void Aligned_InvalidAlignment_IsAnAssertionFailure()
    {
        Mcxt m = New(checking: false);
        Assert.Throws<Allocator.Common.AssertionFailureException>(() => m.palloc_aligned(10, 48, 0));
        Assert.Throws<Allocator.Common.AssertionFailureException>(() => m.palloc_aligned(10, 128 * 1024 * 1024, 0));
    }
}
