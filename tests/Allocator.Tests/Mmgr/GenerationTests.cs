// GenerationTests: the Generation context type (generation.c) against pg-mmgr-dsa.md section 3:
// layout and worked vectors, block recycling (keeper, current block, freeblock, free), dedicated
// blocks, realloc, exact ERROR/WARNING texts, GenerationCheck and the GEN1-GEN6 walker on planted
// corruption, OOM, clobber/randomize, accounting and a seeded random workload checked after every step.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Tests.Mmgr;

public partial class GenerationTests
{
    private const ulong Max8M = 8 * 1024 * 1024;

    private static ulong NewGen(Mcxt m, string name = "G", ulong min = 0, ulong init = 8192, ulong max = Max8M) =>
        m.GenerationContextCreate(m.TopMemoryContext, name, min, init, max);

    private static ulong Hdr(bool checking) => checking ? 16UL : 8UL;

    [Fact]
    public void Constants_MatchSpec()
    {
        Assert.Equal(128UL, Generation_CONTEXTSZ);
        Assert.Equal(56UL, Generation_BLOCKHDRSZ);
        Assert.Equal(Generation_CONTEXTSZ + Generation_BLOCKHDRSZ, FIRST_BLOCKHDRSZ);
        Assert.Equal(Generation_CONTEXTSZ, OffBlocks + 16);
        Assert.Equal(Generation_BLOCKHDRSZ, OffBlkEndptr + 8);
        Assert.Equal(Generation_BLOCKHDRSZ, MAXALIGN(Generation_BLOCKHDRSZ));
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Create_KeeperSharesTheHeaderChunkAndIsNotCounted(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong g = NewGen(m);
        Assert.Equal(NodeTag.T_GenerationContext, m.GetTag(g));
        Assert.Equal(8192UL, m.Heap.RequestedSize(g));
        Assert.Equal(8192UL - 128, m.GetMemAllocated(g));
        Assert.Equal(Generation.KeeperBlock(g), m.Memory.ReadU64(g + OffBlock));
        Assert.Equal(0UL, m.Memory.ReadU64(g + OffFreeBlock));
        Assert.Equal(524288U, m.Memory.ReadU32(g + OffAllocChunkLimit));
        Assert.True(m.MemoryContextIsEmpty(g));
        Assert.Equal("G: 8192 total in 1 blocks (0 chunks); 8008 free (0 chunks); 184 used", McxtFixture.StatsLine(m, g));
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Alloc_WorkedVector_HeaderAndStats()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong g = NewGen(m);
        ulong p1 = m.MemoryContextAlloc(g, 1);
        ulong p2 = m.MemoryContextAlloc(g, 100);
        Assert.Equal(g + 192, p1);
        // Offset 56 from the keeper, value 8 (the chunk's data size), method 4.
        Assert.Equal(0x000000E000000104UL, m.Memory.ReadU64(p1 - 8));
        Assert.Equal(p1 + 8 + 8, p2);
        Assert.Equal(8UL + 104, m.GetMemoryChunkSpace(p2));
        Assert.Equal(g, m.GetMemoryChunkContext(p2));
        Assert.False(m.MemoryContextIsEmpty(g));
        Assert.Equal("G: 8192 total in 1 blocks (2 chunks); 7880 free (0 chunks); 312 used", McxtFixture.StatsLine(m, g));
    }

    [Fact]
    public void Alloc_Checking_ReservesSentinelAndRecordsRequest()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong g = NewGen(m);
        ulong p = m.MemoryContextAlloc(g, 8);
        Assert.Equal(g + 200, p);
        Assert.Equal(8UL, m.Memory.ReadU64(p - 16));               // requested_size
        Assert.Equal(16UL, MemoryChunk.GetValue(m.Memory.ReadU64(p - 8)));   // MAXALIGN(8 + 1)
        Assert.Equal(SentinelByte, m.Memory.ReadU8(p + 8));
        ulong p0 = m.MemoryContextAlloc(g, 0);
        Assert.Equal(8UL, MemoryChunk.GetValue(m.Memory.ReadU64(p0 - 8)));  // palloc(0): 8 bytes with checking
        Assert.NotEqual(p, p0);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void EmptyBlocks_KeeperKept_FirstBecomesFreeblock_SecondFreed_FreeblockReused(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        SimMemory mem = m.Memory;
        ulong g = NewGen(m, init: 1024, max: 1024);
        ulong keeper = Generation.KeeperBlock(g);
        var byBlock = new Dictionary<ulong, List<ulong>>();
        var order = new List<ulong>();
        while (order.Count < 4)   // keeper, B1, B2, B3 (current)
        {
            ulong p = m.MemoryContextAlloc(g, 40);
            ulong block = mem.ReadU64(g + OffBlock);
            if (!byBlock.TryGetValue(block, out List<ulong>? list))
            {
                byBlock[block] = list = new List<ulong>();
                order.Add(block);
            }
            list.Add(p);
        }
        Assert.Equal(keeper, order[0]);
        ulong b1 = order[1], b2 = order[2], b3 = order[3];
        Assert.Equal(896UL + 3 * 1024, m.GetMemAllocated(g));
        McxtFixture.AssertClean(m);

        foreach (ulong p in byBlock[b1]) m.pfree(p);
        Assert.Equal(b1, mem.ReadU64(g + OffFreeBlock));
        Assert.Equal(0U, mem.ReadU32(b1 + OffBlkNChunks));
        Assert.True(m.Heap.IsLive(b1));
        McxtFixture.AssertClean(m);

        foreach (ulong p in byBlock[b2]) m.pfree(p);
        Assert.False(m.Heap.IsLive(b2));
        Assert.Equal(896UL + 2 * 1024, m.GetMemAllocated(g));
        McxtFixture.AssertClean(m);

        foreach (ulong p in byBlock[keeper]) m.pfree(p);
        Assert.Equal(0U, mem.ReadU32(keeper + OffBlkNChunks));
        Assert.Equal(keeper + Generation_BLOCKHDRSZ, mem.ReadU64(keeper + OffBlkFreeptr));
        McxtFixture.AssertClean(m);

        // Fill the current block; the next request moves to the freeblock, not to a new malloc.
        long mallocs = m.Heap.Calls;
        byBlock[b1] = new List<ulong>();
        while (true)
        {
            ulong p = m.MemoryContextAlloc(g, 40);
            ulong block = mem.ReadU64(g + OffBlock);
            byBlock[block].Add(p);
            if (block != b3) break;
        }
        Assert.Equal(b1, mem.ReadU64(g + OffBlock));
        Assert.Equal(0UL, mem.ReadU64(g + OffFreeBlock));
        Assert.Equal(mallocs, m.Heap.Calls);
        McxtFixture.AssertClean(m);

        // A drained current block is only marked empty; a drained older one becomes the freeblock.
        foreach (ulong p in byBlock[b1]) m.pfree(p);
        Assert.Equal(b1, mem.ReadU64(g + OffBlock));
        Assert.Equal(0U, mem.ReadU32(b1 + OffBlkNChunks));
        foreach (ulong p in byBlock[b3]) m.pfree(p);
        Assert.Equal(b3, mem.ReadU64(g + OffFreeBlock));
        Assert.True(m.Heap.IsLive(b3));
        Assert.True(m.MemoryContextIsEmpty(g));
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void LargeChunk_DedicatedBlock_AtHead_NotCurrent_ThenRecycledAsFreeblock(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong g = NewGen(m);
        ulong small = m.MemoryContextAlloc(g, 16);
        ulong big = m.MemoryContextAlloc(g, 600_000);
        ulong hdr = Hdr(checking);
        ulong block = big - hdr - Generation_BLOCKHDRSZ;
        ulong chunkSize = MAXALIGN(600_000 + (checking ? 1UL : 0));
        Assert.True(MemoryChunk.HasExternalFlag(m.Memory.ReadU64(big - 8)));
        Assert.Equal(block, m.Memory.ReadU64(g + OffBlocks + 8));            // head of blocks
        Assert.Equal(Generation.KeeperBlock(g), m.Memory.ReadU64(g + OffBlock));  // not current
        Assert.Equal(hdr + chunkSize, m.GetMemoryChunkSpace(big));
        Assert.Equal(8064UL + chunkSize + hdr + Generation_BLOCKHDRSZ, m.GetMemAllocated(g));
        McxtFixture.AssertClean(m);

        m.pfree(big);
        Assert.Equal(block, m.Memory.ReadU64(g + OffFreeBlock));   // kept and reused as an ordinary block
        McxtFixture.AssertClean(m);
        m.pfree(small);
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Realloc_ShrinkInPlace_GrowCopies(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong g = NewGen(m);
        ulong p = m.MemoryContextAlloc(g, 100);
        m.Memory.Fill(p, 100, 0xAB);
        Assert.Equal(p, m.repalloc(p, 50));
        ulong q = m.repalloc(p, 5000);
        Assert.NotEqual(p, q);
        Assert.True(m.Memory.ReadSpan(q, 50).ToArray().All(b => b == 0xAB));
        if (checking) Assert.Equal(SentinelByte, m.Memory.ReadU8(q + 5000));
        McxtFixture.AssertClean(m);
        // Non-checking can grow into the rounding slack; checking needs a byte for the sentinel.
        ulong r = m.MemoryContextAlloc(g, 12);
        ulong r2 = m.repalloc(r, 16);
        if (checking) Assert.NotEqual(r, r2);
        else Assert.Equal(r, r2);
    }

    [Fact]
    public void Checking_DoublePfree_ReallocOfFreed_AndWritePastEnd()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong g = NewGen(m, "gen");
        ulong keep = m.MemoryContextAlloc(g, 10);
        ulong p = m.MemoryContextAlloc(g, 10);
        m.Memory.WriteU8(p + 10, 0);   // clobber the sentinel
        m.MemoryContextCheck(g);
        Assert.Contains($"problem in Generation gen: detected write past chunk end in block {Mcxt.Ptr(Generation.KeeperBlock(g))}, chunk {Mcxt.Ptr(p - 16)}", McxtFixture.Warnings(m));
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("GEN2:", StringComparison.Ordinal) && s.Contains("sentinel"));

        m.pfree(p);
        Assert.Contains($"detected write past chunk end in gen {Mcxt.Ptr(p - 16)}", McxtFixture.Warnings(m));
        Assert.Equal(0x7F, m.Memory.ReadU8(p));   // clobbered
        var e = Assert.Throws<PgErrorException>(() => m.pfree(p));
        Assert.Equal($"detected double pfree in gen {Mcxt.Ptr(p - 16)}", e.Message);
        e = Assert.Throws<PgErrorException>(() => m.repalloc(p, 20));
        Assert.Equal($"detected realloc of freed chunk in gen {Mcxt.Ptr(p - 16)}", e.Message);
        m.pfree(keep);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_ErrorOrNull_AndCreationFailure(bool checking)
    {
        var heapOptions = new SimHeapOptions();
        Mcxt m = McxtFixture.New(checking, heapOptions);
        ulong g = NewGen(m, "gen");
        heapOptions.FailFromCall = m.Heap.Calls + 1;
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(g, 20_000));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed on request of size 20000 in memory context \"gen\".", e.Detail);
        Assert.Equal(0UL, m.MemoryContextAllocExtended(g, 700_000, MCXT_ALLOC_NO_OOM));
        e = Assert.Throws<PgErrorException>(() => NewGen(m, "g2"));
        Assert.Equal("Failed while creating memory context \"g2\".", e.Detail);
        heapOptions.FailFromCall = 0;
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void HugeRequest_TakesLargePath_AndIsSizeChecked()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong g = NewGen(m);
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(g, MaxAllocSize + 1));
        Assert.Equal($"invalid memory alloc request size {MaxAllocSize + 1}", e.Message);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void ResetAndDelete_ReturnEverythingButTheKeeper_ThenEverything(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        long baseBlocks = m.Heap.OutstandingBlocks;
        ulong g = NewGen(m);
        for (int i = 0; i < 200; i++) m.MemoryContextAlloc(g, (ulong)(i * 37 % 3000));
        m.MemoryContextAlloc(g, 700_000);
        m.MemoryContextReset(g);
        Assert.Equal(baseBlocks + 1, m.Heap.OutstandingBlocks);
        Assert.Equal(8064UL, m.GetMemAllocated(g));
        Assert.Equal(8192U, m.Memory.ReadU32(g + OffNextBlockSize));
        Assert.True(m.MemoryContextIsEmpty(g));
        McxtFixture.AssertClean(m);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(g);
        Assert.Equal(baseBlocks, m.Heap.OutstandingBlocks);
    }

    [Fact]
    public void Randomize_FillsNewBytesWithTheCounterPattern()
    {
        Mcxt m = McxtFixture.New(new MemoryContextOptions { MemoryContextChecking = true, RandomizeAllocatedMemory = true });
        ulong g = NewGen(m);
        int ctr = m.RandomizeCounter;
        ulong p = m.MemoryContextAlloc(g, 5);
        for (ulong i = 0; i < 5; i++)
        {
            Assert.Equal((byte)ctr, m.Memory.ReadU8(p + i));
            ctr = ctr == 251 ? 1 : ctr + 1;
        }
        // In-place growth randomizes only [old request, new size).
        ulong q = m.MemoryContextAlloc(g, 20);   // chunk of 24
        m.Memory.Fill(q, 20, 0);
        ctr = m.RandomizeCounter;
        Assert.Equal(q, m.repalloc(q, 22));
        Assert.Equal(0, m.Memory.ReadU8(q + 19));
        Assert.Equal((byte)ctr, m.Memory.ReadU8(q + 20));
    }
}
