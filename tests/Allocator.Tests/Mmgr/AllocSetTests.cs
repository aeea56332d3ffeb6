// AllocSetTests: aset.c behaviour pinned by worked vectors from pg-mmgr-dsa.md sections 1.3, 1.8, 2.
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class AllocSetTests
{
    [Fact]
    public void FirstPallocs_MatchTheSpecsWorkedVector()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        m.MemoryContextSwitchTo(x);
        ulong p1 = m.palloc(1);
        ulong p2 = m.palloc(100);
        Assert.Equal(x + 248, p1);
        Assert.Equal(0x000000A000000003UL, m.Memory.ReadU64(p1 - 8));
        Assert.Equal(x + 264, p2);
        Assert.Equal(0x000000E000000083UL, m.Memory.ReadU64(p2 - 8));
        Assert.Equal("X: 8192 total in 1 blocks; 7800 free (0 chunks); 392 used", StatsLine(m, x));
        AssertClean(m);
    }

    [Fact]
    public void FirstPalloc_WithChecking_HasRequestedSizeAndSentinel()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p1 = m.MemoryContextAlloc(x, 1);
        Assert.Equal(x + 256, p1);
        Assert.Equal(0x000000A000000003UL, m.Memory.ReadU64(p1 - 8));
        Assert.Equal(1UL, m.Memory.ReadU64(p1 - 16));
        Assert.Equal(SentinelByte, m.Memory.ReadU8(p1 + 1));
        ulong p16 = m.MemoryContextAlloc(x, 16);   // exactly the chunk size: no sentinel byte
        Assert.Equal(16UL, m.Memory.ReadU64(p16 - 16));
        Assert.NotEqual(SentinelByte, m.Memory.ReadU8(p16 + 16));
        AssertClean(m);
    }

    [Theory]
    [InlineData(0UL, 0), InlineData(1UL, 0), InlineData(8UL, 0), InlineData(9UL, 1), InlineData(16UL, 1), InlineData(17UL, 2),
     InlineData(32UL, 2), InlineData(33UL, 3), InlineData(64UL, 3), InlineData(65UL, 4), InlineData(128UL, 4), InlineData(129UL, 5),
     InlineData(256UL, 5), InlineData(257UL, 6), InlineData(512UL, 6), InlineData(513UL, 7), InlineData(1024UL, 7),
     InlineData(1025UL, 8), InlineData(2048UL, 8), InlineData(2049UL, 9), InlineData(4096UL, 9), InlineData(4097UL, 10), InlineData(8192UL, 10)]
    public void FreeIndex_FollowsTheSpecTable(ulong size, int expected) => Assert.Equal(expected, AllocSetFreeIndex(size));

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void ChunkSpace_IsPowerOfTwoPlusHeader_OrDedicatedBlockSize(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        ulong hdr = m.ChunkHdrSz;
        Assert.Equal(8 + hdr, m.GetMemoryChunkSpace(m.MemoryContextAlloc(x, 0)));
        Assert.Equal(128 + hdr, m.GetMemoryChunkSpace(m.MemoryContextAlloc(x, 100)));
        Assert.Equal(8192 + hdr, m.GetMemoryChunkSpace(m.MemoryContextAlloc(x, 8192)));
        ulong big = m.MemoryContextAlloc(x, 10000);
        Assert.Equal(MAXALIGN(checking ? 10001UL : 10000UL) + hdr, m.GetMemoryChunkSpace(big));
        Assert.Equal(MemoryChunk.EncodeExternal(MemoryContextMethodID.MCTX_ASET_ID), m.Memory.ReadU64(big - 8));
        Assert.Equal(x, m.GetMemoryChunkContext(big));
        AssertClean(m);
    }

    [Fact]
    public void PallocZero_ReturnsDistinctChunks()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong a = m.MemoryContextAlloc(x, 0), b = m.MemoryContextAlloc(x, 0);
        Assert.NotEqual(a, b);
        m.pfree(a);
        Assert.Equal(b, m.repalloc(b, 0));
        AssertClean(m);
    }

    [Fact]
    public void Freelists_AreLifoPerSizeClass()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong a = m.MemoryContextAlloc(x, 16), b = m.MemoryContextAlloc(x, 16), c = m.MemoryContextAlloc(x, 40);
        m.pfree(a);
        m.pfree(b);
        m.pfree(c);
        Assert.Equal("X: 8192 total in 1 blocks; 7952 free (3 chunks); 240 used", StatsLine(m, x));
        Assert.Equal(c, m.MemoryContextAlloc(x, 33));   // 33..64 shares class 3 with 40
        Assert.Equal(b, m.MemoryContextAlloc(x, 9));
        Assert.Equal(a, m.MemoryContextAlloc(x, 16));
        AssertClean(m);
    }

    [Fact]
    public void NewBlock_CarvesLeftoverOntoFreelists_AndDoublesBlockSize()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        // The keeper holds 7952 data bytes: seven 1032-byte chunks, leaving 728.
        for (int i = 0; i < 7; i++) m.MemoryContextAlloc(x, 1024);
        Assert.Equal(8192UL, m.GetMemAllocated(x));
        m.MemoryContextAlloc(x, 1024);
        // 728 left over became 512 + 128 + 64 byte chunks (with their headers); a new 8 KiB block is the head.
        Assert.Equal(8192UL + 8192, m.GetMemAllocated(x));
        Assert.Equal("X: 16384 total in 2 blocks; 7848 free (3 chunks); 8536 used", StatsLine(m, x));
        Assert.Equal(16384U, m.Memory.ReadU32(x + AsetOffNextBlockSize));
        for (int i = 0; i < 7; i++) m.MemoryContextAlloc(x, 1024);
        Assert.Equal(8192UL + 8192 + 16384, m.GetMemAllocated(x));
        Assert.Equal(32768U, m.Memory.ReadU32(x + AsetOffNextBlockSize));
        AssertClean(m);
    }

    [Fact]
    public void NextBlockSize_StopsAtMaxBlockSize()
    {
        Mcxt m = New(checking: false);
        ulong s = SmallSet(m);   // init 1 KiB, max 8 KiB, allocChunkLimit 1024
        Assert.Equal(1024U, m.Memory.ReadU32(s + AsetOffAllocChunkLimit));
        for (int i = 0; i < 40; i++) m.MemoryContextAlloc(s, 1000);
        Assert.Equal(8192U, m.Memory.ReadU32(s + AsetOffNextBlockSize));
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void LargeChunk_GetsDedicatedBlockLinkedSecond_AndIsFreedToMalloc(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        long blocks0 = m.Heap.OutstandingBlocks;
        ulong big = m.MemoryContextAlloc(x, 10000);
        ulong blksize = (checking ? MAXALIGN(10001) : 10000) + ALLOC_BLOCKHDRSZ + m.ChunkHdrSz;
        Assert.Equal(8192 + blksize, m.GetMemAllocated(x));
        ulong block = big - m.ChunkHdrSz - ALLOC_BLOCKHDRSZ;
        Assert.Equal(KeeperBlock(x), m.Memory.ReadU64(x + AsetOffBlocks));
        Assert.Equal(block, m.Memory.ReadU64(KeeperBlock(x) + BlkOffNext));
        Assert.Equal(KeeperBlock(x), m.Memory.ReadU64(block + BlkOffPrev));
        Assert.Equal(blocks0 + 1, m.Heap.OutstandingBlocks);
        AssertClean(m);
        m.pfree(big);
        Assert.Equal(8192UL, m.GetMemAllocated(x));
        Assert.Equal(blocks0, m.Heap.OutstandingBlocks);
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Repalloc_SmallChunk_StaysWhileItFits_ThenCopies(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 20);
        m.Memory.Fill(p, 20, 0xAB);
        Assert.Equal(p, m.repalloc(p, 32));
        Assert.Equal(p, m.repalloc(p, 3));
        ulong q = m.repalloc(p, 33);
        Assert.NotEqual(p, q);
        int preserved = checking ? 3 : 20;   // checking copies requested_size bytes, production the whole 32-byte chunk
        Assert.True(m.Memory.ReadSpan(q, 3).ToArray().All(b => b == 0xAB));
        Assert.Equal(preserved, m.Memory.ReadSpan(q, 32).ToArray().Count(b => b == 0xAB));
        Assert.Equal(1UL, FreeChunks(m, x));
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Repalloc_ExternalChunk_StaysExternal_AndRelinksMovedBlocks(bool checking)
    {
        Mcxt m = New(checking ? Checking : Production, new SimHeapOptions { ForceReallocMove = true });
        ulong x = DefaultSet(m);
        ulong a = m.MemoryContextAlloc(x, 9000), b = m.MemoryContextAlloc(x, 12000);
        m.Memory.Fill(b, 12000, 0x5A);
        ulong b2 = m.repalloc(b, 20000);
        Assert.NotEqual(b, b2);
        Assert.True(m.Memory.ReadSpan(b2, 12000).ToArray().All(v => v == 0x5A));
        AssertClean(m);
        ulong b3 = m.repalloc(b2, 100);   // below allocChunkLimit, still a dedicated block
        Assert.True(MemoryChunk.HasExternalFlag(m.Memory.ReadU64(b3 - 8)));
        Assert.Equal(MAXALIGN(checking ? 101UL : 100UL) + m.ChunkHdrSz, m.GetMemoryChunkSpace(b3));
        AssertClean(m);
        m.pfree(a);
        m.pfree(b3);
        Assert.Equal(8192UL, m.GetMemAllocated(x));
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Reset_KeepsOnlyTheRewoundKeeper(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        long blocks0 = m.Heap.OutstandingBlocks;
        for (int i = 0; i < 100; i++) m.MemoryContextAlloc(x, (ulong)(i * 37 % 2000));
        m.MemoryContextAlloc(x, 50000);
        Assert.False(m.GetIsReset(x));
        m.MemoryContextReset(x);
        Assert.True(m.GetIsReset(x));
        Assert.Equal(8192UL, m.GetMemAllocated(x));
        Assert.Equal(blocks0, m.Heap.OutstandingBlocks);
        Assert.Equal("X: 8192 total in 1 blocks; 7952 free (0 chunks); 240 used", StatsLine(m, x));
        Assert.Equal(8192U, m.Memory.ReadU32(x + AsetOffNextBlockSize));
        Assert.Empty(Warnings(m));
        AssertClean(m);
    }

    [Fact]
    public void Delete_RecyclesDefaultContexts_AndReusesTheSameAddress()
    {
        Mcxt m = New(checking: false);
        AllocSet aset = m.AllocSetMethods;
        ulong x = DefaultSet(m);
        m.MemoryContextAlloc(x, 100000);
        m.MemoryContextDelete(x);
        Assert.Equal(1, aset.RecycledCount(0));
        Assert.Equal(x, aset.RecycledHead(0));
        AssertClean(m);
        ulong y = DefaultSet(m, "Y");
        Assert.Equal(x, y);
        Assert.Equal(0, aset.RecycledCount(0));
        Assert.Equal("Y: 8192 total in 1 blocks; 7952 free (0 chunks); 240 used", StatsLine(m, y));
        AssertClean(m);
    }

    [Fact]
    public void Delete_101DefaultContexts_LeavesOneOnList0()
    {
        Mcxt m = New(checking: false);
        AllocSet aset = m.AllocSetMethods;
        long blocks0 = m.Heap.OutstandingBlocks;
        var sets = new List<ulong>();
        for (int i = 0; i < 101; i++) sets.Add(DefaultSet(m, $"c{i}"));
        foreach (ulong s in sets) m.MemoryContextAlloc(s, 10);
        for (int i = 0; i < 100; i++) m.MemoryContextDelete(sets[i]);
        Assert.Equal(100, aset.RecycledCount(0));
        Assert.Equal(blocks0 + 101, m.Heap.OutstandingBlocks);
        m.MemoryContextDelete(sets[100]);
        Assert.Equal(1, aset.RecycledCount(0));
        Assert.Equal(sets[100], aset.RecycledHead(0));
        Assert.Equal(blocks0 + 1, m.Heap.OutstandingBlocks);
        AssertClean(m);
    }

    [Fact]
    public void Delete_NonRecyclableContext_FreesEverything()
    {
        Mcxt m = New(checking: true);
        long blocks0 = m.Heap.OutstandingBlocks;
        ulong x = m.AllocSetContextCreate(m.TopMemoryContext, "odd", 0, 2048, 65536);
        for (int i = 0; i < 50; i++) m.MemoryContextAlloc(x, 300);
        m.MemoryContextAlloc(x, 30000);
        m.MemoryContextDelete(x);
        Assert.Equal(blocks0, m.Heap.OutstandingBlocks);
        Assert.Equal(0, m.AllocSetMethods.RecycledCount(0) + m.AllocSetMethods.RecycledCount(1));
        AssertClean(m);
    }

    [Fact]
    public void Create_ComputesFirstBlockAndChunkLimit()
    {
        Mcxt m = New(checking: false);
        Assert.Equal(8192UL, m.GetMemAllocated(m.TopMemoryContext));
        Assert.Equal(8192UL, m.GetMemAllocated(m.ErrorContext));
        Assert.Equal(1024U, m.Memory.ReadU32(m.ErrorContext + AsetOffAllocChunkLimit));
        Assert.Equal(uint.MaxValue, m.Memory.ReadU32(m.ErrorContext + AsetOffFreeListIndex));   // -1
        ulong withMin = m.AllocSetContextCreate(m.TopMemoryContext, "min", 32768, 1024, 65536);
        Assert.Equal(32768UL, m.GetMemAllocated(withMin));
        Assert.Equal(8192U, m.Memory.ReadU32(withMin + AsetOffAllocChunkLimit));
        Assert.Equal(withMin + 32768, m.Memory.ReadU64(KeeperBlock(withMin) + BlkOffEndptr));
        AssertClean(m);
    }

    [Fact]
    public void RandomizeAllocatedMemory_FillsRequestedBytesFromTheProcessCounter()
    {
        Mcxt m = New(new MemoryContextOptions { RandomizeAllocatedMemory = true });
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 5);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, m.Memory.ReadSpan(p, 5).ToArray());
        ulong q = m.MemoryContextAlloc(x, 3);
        Assert.Equal(new byte[] { 6, 7, 8 }, m.Memory.ReadSpan(q, 3).ToArray());
    }

    private static ulong FreeChunks(Mcxt m, ulong context)
    {
        var counters = new MemoryContextCounters();
        m.AllocSetMethods.Stats(context, null, ref counters);
        return counters.freechunks;
    }
}
