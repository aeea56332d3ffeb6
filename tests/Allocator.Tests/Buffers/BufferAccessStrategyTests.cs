// Buffer access strategy rings: PostgreSQL 17's sizes per type, ring reuse through StrategyGetBuffer,
// the fall-back to the shared strategy when the ring's buffer is busy, and StrategyRejectBuffer.
using Allocator.Buffers;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufferAccessStrategyTests
{
    private const int N = 16;

    [Theory]
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 16384, 8192, 32)]   // 256 kB / 8 kB
    [InlineData(BufferAccessStrategyType.BAS_VACUUM, 16384, 8192, 256)]    // 2048 kB
    [InlineData(BufferAccessStrategyType.BAS_BULKWRITE, 16384, 8192, 2048)] // 16 MB
    [InlineData(BufferAccessStrategyType.BAS_BULKWRITE, 1024, 8192, 128)]  // capped at NBuffers / 8
    [InlineData(BufferAccessStrategyType.BAS_VACUUM, 1024, 8192, 128)]
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 1024, 8192, 32)]
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 1024, 1024, 128)]   // 256 kB of 1 kB pages, capped
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 16384, 1024, 256)]  // 256 kB / 1 kB: the pool's BLCKSZ
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 16384, 32768, 8)]   // 256 kB / 32 kB
    [InlineData(BufferAccessStrategyType.BAS_BULKREAD, 16, 8192, 2)]
    public void GetAccessStrategy_RingSizes(BufferAccessStrategyType t, int nbuffers, int blcksz, int expected)
    {
        var descs = new BufferDescriptors(nbuffers);
        BufferAccessStrategy? s = BufferAccessStrategy.GetAccessStrategy(t, descs, blcksz);
        Assert.NotNull(s);
        Assert.Equal(expected, s.nbuffers);
        Assert.Equal(expected, BufferAccessStrategy.GetAccessStrategyBufferCount(s));
        Assert.Equal(t == BufferAccessStrategyType.BAS_BULKREAD ? expected : expected / 2,
            BufferAccessStrategy.GetAccessStrategyPinLimit(s, nbuffers));
        Assert.All(s.buffers, b => Assert.Equal(InvalidBuffer, b));
        Assert.Equal(0, s.current);
    }

    [Fact]
    public void Normal_AndZeroSize_MeanNoRing()
    {
        var descs = new BufferDescriptors(N);
        Assert.Null(BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_NORMAL, descs, 8192));
        Assert.Null(BufferAccessStrategy.GetAccessStrategyWithSize(BufferAccessStrategyType.BAS_VACUUM, 0, descs, 8192));
        Assert.Null(BufferAccessStrategy.GetAccessStrategyWithSize(BufferAccessStrategyType.BAS_VACUUM, 7, descs, 8192)); // under one block
        Assert.Equal(N, BufferAccessStrategy.GetAccessStrategyPinLimit(null, N));
        Assert.Equal(0, BufferAccessStrategy.GetAccessStrategyBufferCount(null));
    }

    private static int Get(BufferBackends g, BufferPins p, BufferAccessStrategy ring, out bool fromRing, uint usageAfter = 1)
    {
        BufferDesc d = Freelist.StrategyGetBuffer(p.Backend, g.Strategy, ring, out uint s, out fromRing);
        Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(s));
        // what BufferAlloc plus a ring pin leave behind: usage count 1
        BufHdrLock.UnlockBufHdr(p.Backend, d, (s & ~BUF_USAGECOUNT_MASK) | (usageAfter << BUF_USAGECOUNT_SHIFT));
        return g.Descs.BufIdOf(d) + 1;
    }

    [Fact]
    public void Ring_FillsFromTheSharedStrategy_ThenReusesItsOwnBuffers()
    {
        var g = new BufferBackends(2, N);
        BufferPins p = g.Pins[0];
        BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Descs, 8192)!;
        Assert.Equal(2, ring.nbuffers);
        Assert.Equal(1, Get(g, p, ring, out bool fr)); // slot 1 (current advanced from 0), from the free list
        Assert.False(fr);
        Assert.Equal(2, Get(g, p, ring, out fr)); // slot 0
        Assert.False(fr);
        Assert.Equal(new[] { 2, 1 }, ring.buffers);
        uint allocs = g.Strategy.NumBufferAllocs(g.Descs.InitMemory);
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(1, Get(g, p, ring, out fr));
            Assert.True(fr);
            Assert.Equal(2, Get(g, p, ring, out fr));
            Assert.True(fr);
        }
        Assert.Equal(allocs, g.Strategy.NumBufferAllocs(g.Descs.InitMemory)); // ring reuse is not counted

        // someone else used buffer 1 (usage 2): the ring gives it up and takes a shared victim in its slot
        BufferBackends.Pin(g.Pins[1], g.Desc(1));
        g.Pins[1].UnpinBuffer(g.Desc(1));
        Assert.Equal(3, Get(g, p, ring, out fr));
        Assert.False(fr);
        Assert.Equal(new[] { 2, 3 }, ring.buffers);
        // a pinned ring buffer is not reused either
        BufferBackends.Pin(g.Pins[1], g.Desc(2));
        Assert.Equal(4, Get(g, p, ring, out fr));
        Assert.False(fr);
        Assert.Equal(new[] { 4, 3 }, ring.buffers);
        g.Pins[1].UnpinBuffer(g.Desc(2));
        Assert.Equal(3, Get(g, p, ring, out fr));
        Assert.True(fr);
        Assert.Empty(g.CheckAll(final: true, rings: new[] { ring }));
    }

    [Fact]
    public void StrategyRejectBuffer_OnlyBulkRead_OnlyTheRingsOwnCurrentBuffer()
    {
        var g = new BufferBackends(1, N);
        BufferPins p = g.Pins[0];
        BufferAccessStrategy bulk = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Descs, 8192)!;
        BufferAccessStrategy vac = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, g.Descs, 8192)!;
        int b1 = Get(g, p, bulk, out bool fr);
        Assert.False(BufferAccessStrategy.StrategyRejectBuffer(p.Backend, bulk, g.Desc(b1), from_ring: false));
        Assert.Equal(b1, bulk.buffers[bulk.current]);
        Get(g, p, bulk, out _);
        Assert.Equal(b1, Get(g, p, bulk, out fr));
        Assert.True(fr);
        Assert.False(BufferAccessStrategy.StrategyRejectBuffer(p.Backend, bulk, g.Desc(b1 + 5), from_ring: true)); // not the slot's buffer
        Assert.True(BufferAccessStrategy.StrategyRejectBuffer(p.Backend, bulk, g.Desc(b1), from_ring: true));
        Assert.Equal(InvalidBuffer, bulk.buffers[bulk.current]);

        int v = Get(g, p, vac, out _);
        Get(g, p, vac, out _);
        Assert.Equal(v, Get(g, p, vac, out fr));
        Assert.True(fr);
        Assert.False(BufferAccessStrategy.StrategyRejectBuffer(p.Backend, vac, g.Desc(v), from_ring: true));
        Assert.Equal(v, vac.buffers[vac.current]);
        Assert.Empty(g.CheckAll(final: true, rings: new[] { bulk, vac }));
    }
}
