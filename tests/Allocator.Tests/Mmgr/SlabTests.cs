// SlabTests: the Slab context type (slab.c) against pg-mmgr-dsa.md section 4: header layouts,
// chunksPerBlock and blocklist_shift, worked vectors, blocklist movement and curBlocklistIndex,
// retained empty blocks, the one-chunk-per-block edge, exact ERROR/WARNING texts, SlabCheck and
// the SL1-SL5 walker on planted corruption, OOM, clobbering and a seeded random workload.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Tests.Mmgr;

public partial class SlabTests
{
    private static ulong NewSlab(Mcxt m, ulong blockSize = 8192, ulong chunkSize = 64, string name = "S") =>
        m.SlabContextCreate(m.TopMemoryContext, name, blockSize, chunkSize);

    private static ulong Full(bool checking, ulong chunkSize = 64) =>
        checking ? 16 + MAXALIGN(chunkSize + 1) : 8 + MAXALIGN(chunkSize);

    /// <summary>The block holding a slab chunk (decoded from its header).</summary>
    private static ulong BlockOf(Mcxt m, ulong p) =>
        MemoryChunk.GetBlock(p - m.ChunkHdrSz, m.Memory.ReadU64(p - 8));

    private static ulong Lists(Mcxt m) => m.Options.MemoryContextChecking ? OffBlocklistChecking : OffBlocklist;
    private static ulong Empty(Mcxt m) => m.Options.MemoryContextChecking ? OffEmptyBlocksChecking : OffEmptyBlocks;

    [Fact]
    public void Constants_MatchSpec()
    {
        Assert.Equal(SizeOfSlabContext, OffBlocklist + SLAB_BLOCKLIST_COUNT * SizeOfDlistHead);
        Assert.Equal(SizeOfSlabContextChecking, OffBlocklistChecking + SLAB_BLOCKLIST_COUNT * SizeOfDlistHead);
        Assert.Equal(OffEmptyBlocks + 24, OffBlocklist);
        Assert.Equal(OffEmptyBlocksChecking + 24, OffBlocklistChecking);
        Assert.Equal(Slab_BLOCKHDRSZ, OffBlkNode + 16);
        Assert.Equal(8192UL, SLAB_DEFAULT_BLOCK_SIZE);
    }

    [Theory]
    [InlineData(false, 176UL, 113, 6)]
    [InlineData(true, 192UL + 92, 92, 6)]
    public void Create_LayoutAndDerivedFields(bool checking, ulong headerMalloc, int cpb, int shift)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong s = NewSlab(m);
        Assert.Equal(headerMalloc, m.Heap.RequestedSize(s));
        Assert.Equal(64U, m.Memory.ReadU32(s + OffChunkSize));
        Assert.Equal((uint)Full(checking), m.Memory.ReadU32(s + OffFullChunkSize));
        Assert.Equal((uint)cpb, m.Memory.ReadU32(s + OffChunksPerBlock));
        Assert.Equal((uint)shift, m.Memory.ReadU32(s + (checking ? OffBlocklistShiftChecking : OffBlocklistShift)));
        if (checking) Assert.Equal(s + 192, m.Memory.ReadU64(s + OffIsChunkFreeChecking));
        Assert.Equal(0UL, m.GetMemAllocated(s));
        Assert.True(m.MemoryContextIsEmpty(s));
        ulong hdr = checking ? 192UL + 92 : 176UL;
        Assert.Equal($"S: {hdr} total in 0 blocks; 0 empty blocks; 0 free (0 chunks); {hdr} used", McxtFixture.StatsLine(m, s));
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void FirstAlloc_WorkedVector(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong s = NewSlab(m);
        ulong hdr = m.ChunkHdrSz;
        ulong p = m.MemoryContextAlloc(s, 64);
        ulong block = p - hdr - Slab_BLOCKHDRSZ;
        Assert.Equal(8192UL, m.Heap.RequestedSize(block));
        Assert.Equal(MemoryChunk.Encode(Slab_BLOCKHDRSZ, 64, MemoryContextMethodID.MCTX_SLAB_ID), m.Memory.ReadU64(p - 8));
        Assert.Equal(8192UL, m.GetMemAllocated(s));
        Assert.Equal(2U, m.Memory.ReadU32(s + OffCurBlocklistIndex));   // ceil((cpb - 1) / 64) = 2
        Assert.Equal(Full(checking), m.GetMemoryChunkSpace(p));
        Assert.Equal(s, m.GetMemoryChunkContext(p));
        ulong q = m.MemoryContextAlloc(s, 64);
        Assert.Equal(p + Full(checking), q);
        int cpb = checking ? 92 : 113;
        ulong total = (checking ? 284UL : 176UL) + 8192;
        ulong free = (ulong)(cpb - 2) * Full(checking);
        Assert.Equal($"S: {total} total in 1 blocks; 0 empty blocks; {free} free ({cpb - 2} chunks); {total - free} used", McxtFixture.StatsLine(m, s));
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void WrongSize_TooSmallBlock_AndRealloc_AreErrors()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong s = NewSlab(m);
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(s, 63));
        Assert.Equal("unexpected alloc chunk size 63 (expected 64)", e.Message);
        e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(s, 0));
        Assert.Equal("unexpected alloc chunk size 0 (expected 64)", e.Message);
        e = Assert.Throws<PgErrorException>(() => NewSlab(m, blockSize: 100));
        Assert.Equal("block size 100 for slab is too small for 64-byte chunks", e.Message);

        ulong p = m.MemoryContextAlloc(s, 64);
        Assert.Equal(p, m.repalloc(p, 64));
        e = Assert.Throws<PgErrorException>(() => m.repalloc(p, 65));
        Assert.Equal("slab allocator does not support realloc()", e.Message);
        e = Assert.Throws<PgErrorException>(() => m.repalloc(p, 8));
        Assert.Equal("slab allocator does not support realloc()", e.Message);
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void EmptyBlocks_TenRetained_RestFreed_ReusedBeforeMalloc(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong s = NewSlab(m, blockSize: 1024);
        int cpb = (int)m.Memory.ReadU32(s + OffChunksPerBlock);
        var chunks = new List<ulong>();
        for (int i = 0; i < 12 * cpb; i++) chunks.Add(m.MemoryContextAlloc(s, 64));
        Assert.Equal(12UL * 1024, m.GetMemAllocated(s));
        McxtFixture.AssertClean(m);

        foreach (ulong p in chunks) m.pfree(p);
        Assert.Equal(10UL * 1024, m.GetMemAllocated(s));
        Assert.Equal(10U, m.Memory.ReadU32(s + Empty(m) + OffDclistCount));
        Assert.Equal(0U, m.Memory.ReadU32(s + OffCurBlocklistIndex));
        Assert.False(m.MemoryContextIsEmpty(s));   // retained empty blocks count
        Assert.Equal($"S: {10240 + (checking ? 192 + cpb : 176)} total in 0 blocks; 10 empty blocks; 0 free (0 chunks); {10240 + (checking ? 192 + cpb : 176)} used",
            McxtFixture.StatsLine(m, s));
        McxtFixture.AssertClean(m);

        long calls = m.Heap.Calls;
        ulong again = m.MemoryContextAlloc(s, 64);
        Assert.Equal(calls, m.Heap.Calls);
        Assert.Equal(9U, m.Memory.ReadU32(s + Empty(m) + OffDclistCount));
        // The reused block keeps its free list: the last chunk freed in it comes back first.
        Assert.Contains(again, chunks);
        McxtFixture.AssertClean(m);

        long before = m.Heap.OutstandingBlocks;
        m.MemoryContextReset(s);
        Assert.Equal(0UL, m.GetMemAllocated(s));
        Assert.Equal(before - 10, m.Heap.OutstandingBlocks);
        Assert.True(m.MemoryContextIsEmpty(s));
        McxtFixture.AssertClean(m);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(s);
        Assert.Equal(before - 11, m.Heap.OutstandingBlocks);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void FullerBlocksAreFilledFirst_AndFreeMovesBlocksBetweenLists(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong s = NewSlab(m, blockSize: 1024);
        int cpb = (int)m.Memory.ReadU32(s + OffChunksPerBlock);
        var a = new List<ulong>();
        var b = new List<ulong>();
        for (int i = 0; i < cpb; i++) a.Add(m.MemoryContextAlloc(s, 64));
        for (int i = 0; i < cpb; i++) b.Add(m.MemoryContextAlloc(s, 64));
        ulong blockA = BlockOf(m, a[0]), blockB = BlockOf(m, b[0]);
        Assert.Equal(0U, m.Memory.ReadU32(s + OffCurBlocklistIndex));
        // Free most of A and one of B: B is fuller, so the next allocation must land in B.
        for (int i = 0; i < cpb - 1; i++) { m.pfree(a[i]); McxtFixture.AssertClean(m); }
        m.pfree(b[3]);
        McxtFixture.AssertClean(m);
        Assert.Equal(1U, m.Memory.ReadU32(s + OffCurBlocklistIndex));
        ulong next = m.MemoryContextAlloc(s, 64);
        Assert.Equal(b[3], next);   // the free list is LIFO
        Assert.Equal(blockB, BlockOf(m, next));
        ulong next2 = m.MemoryContextAlloc(s, 64);
        Assert.Equal(blockA, BlockOf(m, next2));
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void OneChunkPerBlock_WithoutAsserts_IndexIsAlwaysZeroWhenFull(bool checking)
    {
        Mcxt m = McxtFixture.New(new MemoryContextOptions { MemoryContextChecking = checking, ClobberFreedMemory = checking, AssertChecking = false });
        ulong s = NewSlab(m, blockSize: Slab_BLOCKHDRSZ + Full(checking));
        Assert.Equal(1U, m.Memory.ReadU32(s + OffChunksPerBlock));
        var ps = new List<ulong>();
        for (int i = 0; i < 13; i++) { ps.Add(m.MemoryContextAlloc(s, 64)); McxtFixture.AssertClean(m); }
        Assert.Equal(0U, m.Memory.ReadU32(s + OffCurBlocklistIndex));
        foreach (ulong p in ps) { m.pfree(p); McxtFixture.AssertClean(m); }
        Assert.Equal(10U, m.Memory.ReadU32(s + Empty(m) + OffDclistCount));
        m.MemoryContextDelete(s);
        McxtFixture.AssertClean(m);
    }

    /// <summary>A finding about PostgreSQL itself, reproduced: SlabAllocFromNewBlock asserts the
    /// target blocklist is empty, which fails for the second block when chunksPerBlock is 1.</summary>
    [Fact]
    public void OneChunkPerBlock_AssertBuild_TrapsOnTheSecondBlock()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong s = NewSlab(m, blockSize: Slab_BLOCKHDRSZ + Full(false));
        m.MemoryContextAlloc(s, 64);
        var e = Assert.Throws<AssertionFailureException>(() => m.MemoryContextAlloc(s, 64));
        Assert.Contains("DlistIsEmpty(blocklist)", e.Message);
    }

    [Fact]
    public void Checking_DoublePfree_WritePastEnd_Clobber()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong s = NewSlab(m, name: "sl");
        ulong p = m.MemoryContextAlloc(s, 64);
        ulong q = m.MemoryContextAlloc(s, 64);
        m.Memory.WriteU8(q + 64, 1);   // past the requested bytes, onto the sentinel
        m.MemoryContextCheck(s);
        ulong block = BlockOf(m, q);
        Assert.Contains($"problem in slab sl: detected write past chunk end in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(q - 16)}", McxtFixture.Warnings(m));
        Assert.Contains(m.MemoryContextVerify(s), x => x.StartsWith("SL5:", StringComparison.Ordinal) && x.Contains("sentinel"));
        m.pfree(q);
        Assert.Contains($"detected write past chunk end in sl {Mcxt.Ptr(q - 16)}", McxtFixture.Warnings(m));
        Assert.Equal(p + 88, q);
        Assert.Equal(0UL, m.Memory.ReadU64(q));   // free-list link (the list was empty) is kept
        Assert.True(m.Memory.ReadSpan(q + 8, 56).ToArray().All(x => x == ClobberByte));
        var e = Assert.Throws<PgErrorException>(() => m.pfree(q));
        Assert.Equal($"detected double pfree in sl {Mcxt.Ptr(q - 16)}", e.Message);
        m.pfree(p);
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_ErrorOrNull(bool checking)
    {
        var heapOptions = new SimHeapOptions();
        Mcxt m = McxtFixture.New(checking, heapOptions);
        ulong s = NewSlab(m, name: "sl");
        heapOptions.FailFromCall = m.Heap.Calls + 1;
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(s, 64));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed on request of size 64 in memory context \"sl\".", e.Detail);
        Assert.Equal(0UL, m.MemoryContextAllocExtended(s, 64, MCXT_ALLOC_NO_OOM));
        e = Assert.Throws<PgErrorException>(() => NewSlab(m, name: "s2"));
        Assert.Equal("Failed while creating memory context \"s2\".", e.Detail);
        heapOptions.FailFromCall = 0;
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_AtEveryMallocCall_LeavesAConsistentContextAndNoLeak(bool checking) =>
        GenerationTests.OomSweep(checking, m => NewSlab(m, blockSize: 512, chunkSize: 24), (m, s) =>
        {
            var ps = new List<ulong>();
            for (int i = 0; i < 60; i++) ps.Add(m.MemoryContextAlloc(s, 24));
            for (int i = 0; i < ps.Count; i += 2) m.pfree(ps[i]);
            for (int i = 0; i < 40; i++) m.MemoryContextAlloc(s, 24);
        });
}
