// BumpTests: the Bump context type (bump.c) against pg-mmgr-dsa.md section 5: layouts with and
// without checking, worked vectors, the four unsupported operations' ERRORs, dedicated blocks at
// the tail, abandoning the head's leftover, reset/delete, BumpCheck and the BU1-BU4 walker on
// planted corruption, OOM and a seeded random workload.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.BumpConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Tests.Mmgr;

public class BumpTests
{
    private const ulong Max8M = 8 * 1024 * 1024;

    private static ulong NewBump(Mcxt m, string name = "B", ulong min = 0, ulong init = 8192, ulong max = Max8M) =>
        m.BumpContextCreate(m.TopMemoryContext, name, min, init, max);

    private static ulong BlkHdr(bool checking) => checking ? Bump_BLOCKHDRSZ_Checking : Bump_BLOCKHDRSZ;

    private static ulong Head(Mcxt m, ulong b) => m.Memory.ReadU64(b + OffBlocks + 8);
    private static ulong Tail(Mcxt m, ulong b) => m.Memory.ReadU64(b + OffBlocks);

    [Fact]
    public void Constants_MatchSpec()
    {
        Assert.Equal(Bump_CONTEXTSZ, OffBlocks + 16);
        Assert.Equal(Bump_BLOCKHDRSZ, OffBlkEndptr + 8);
        Assert.Equal(Bump_BLOCKHDRSZ_Checking, OffBlkEndptrChecking + 8);
        Assert.Equal(0UL, Bump_CHUNKHDRSZ);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Create_HeaderCountedInMemAllocated_NotInStats(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong b = NewBump(m);
        Assert.Equal(NodeTag.T_BumpContext, m.GetTag(b));
        Assert.Equal(8192UL, m.GetMemAllocated(b));
        Assert.Equal(Bump.KeeperBlock(b), Head(m, b));
        Assert.Equal(524288U, m.Memory.ReadU32(b + OffAllocChunkLimit));
        ulong used = BlkHdr(checking);
        Assert.Equal($"B: 8080 total in 1 blocks; {8080 - used} free; {used} used", McxtFixture.StatsLine(m, b));
        Assert.True(m.MemoryContextIsEmpty(b));
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Alloc_NoHeaders_WithoutChecking()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong b = NewBump(m);
        ulong p1 = m.MemoryContextAlloc(b, 1);
        ulong p2 = m.MemoryContextAlloc(b, 100);
        ulong p3 = m.MemoryContextAlloc(b, 8);
        Assert.Equal(b + 144, p1);
        Assert.Equal(p1 + 8, p2);
        Assert.Equal(p2 + 104, p3);
        Assert.False(m.MemoryContextIsEmpty(b));
        Assert.Equal("B: 8080 total in 1 blocks; 7928 free; 152 used", McxtFixture.StatsLine(m, b));
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Alloc_Checking_FullHeaderRequestAndSentinel()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong b = NewBump(m);
        ulong p1 = m.MemoryContextAlloc(b, 8);
        ulong keeper = Bump.KeeperBlock(b);
        Assert.Equal(keeper + 40 + 16, p1);
        Assert.Equal(MemoryChunk.Encode(40, 16, MemoryContextMethodID.MCTX_BUMP_ID), m.Memory.ReadU64(p1 - 8));
        Assert.Equal(8UL, m.Memory.ReadU64(p1 - 16));
        Assert.Equal(SentinelByte, m.Memory.ReadU8(p1 + 8));
        Assert.Equal(p1 + 16 + 16, m.MemoryContextAlloc(b, 0));
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void UnsupportedOperations_RaisePostgresErrors()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong b = NewBump(m);
        ulong p = m.MemoryContextAlloc(b, 24);
        Assert.Equal("pfree is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => m.pfree(p)).Message);
        // An assert build's repalloc asks GetMemoryChunkContext for the owner first, so that ERROR wins;
        // without asserts the realloc method itself refuses.
        Assert.Equal("GetMemoryChunkContext is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => m.repalloc(p, 10)).Message);
        Mcxt noAsserts = McxtFixture.New(McxtFixture.Checking with { AssertChecking = false });
        ulong r = noAsserts.MemoryContextAlloc(NewBump(noAsserts), 24);
        Assert.Equal("realloc is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => noAsserts.repalloc(r, 10)).Message);
        Assert.Equal("GetMemoryChunkContext is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => m.GetMemoryChunkContext(p)).Message);
        Assert.Equal("GetMemoryChunkSpace is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => m.GetMemoryChunkSpace(p)).Message);

        // Without checking there is no header to route on; the method table still says no.
        Mcxt n = McxtFixture.New(checking: false);
        MemoryContextMethods bump = n.Methods[(int)MemoryContextMethodID.MCTX_BUMP_ID]!;
        ulong q = n.MemoryContextAlloc(NewBump(n), 24);
        Assert.Equal("pfree is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => bump.Free(q)).Message);
        Assert.Equal("realloc is not supported by the bump memory allocator", Assert.Throws<PgErrorException>(() => bump.Realloc(q, 1, 0)).Message);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void LargeChunk_GoesToTheTail_HeadKeepsServing(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong b = NewBump(m);
        ulong hdr = checking ? 16UL : 0;
        ulong p1 = m.MemoryContextAlloc(b, 16);
        ulong big = m.MemoryContextAlloc(b, 600_000);
        ulong block = big - hdr - BlkHdr(checking);
        Assert.Equal(block, Tail(m, b));
        Assert.Equal(Bump.KeeperBlock(b), Head(m, b));
        ulong chunk = MAXALIGN(600_000 + (checking ? 1UL : 0));
        Assert.Equal(8192 + chunk + hdr + BlkHdr(checking), m.GetMemAllocated(b));
        if (checking) Assert.True(MemoryChunk.HasExternalFlag(m.Memory.ReadU64(big - 8)));
        ulong p2 = m.MemoryContextAlloc(b, 16);
        Assert.Equal(p1 + hdr + (checking ? 24UL : 16UL), p2);   // still carved from the keeper
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void NewBlock_AbandonsTheLeftover_DoublesUpToMax_ResetRestores(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        long baseBlocks = m.Heap.OutstandingBlocks;
        ulong b = NewBump(m, init: 1024, max: 4096);
        ulong keeper = Bump.KeeperBlock(b);
        int n = 0;
        while (Head(m, b) == keeper) { m.MemoryContextAlloc(b, 200); n++; }
        ulong first = Head(m, b);
        Assert.Equal(1024UL, m.Heap.RequestedSize(first));
        Assert.Equal(2048U, m.Memory.ReadU32(b + OffNextBlockSize));
        for (int i = 0; i < 40; i++) m.MemoryContextAlloc(b, 200);
        Assert.Equal(4096U, m.Memory.ReadU32(b + OffNextBlockSize));
        McxtFixture.AssertClean(m);

        m.MemoryContextReset(b);
        Assert.Equal(baseBlocks + 1, m.Heap.OutstandingBlocks);
        Assert.Equal(1024UL, m.GetMemAllocated(b));
        Assert.Equal(1024U, m.Memory.ReadU32(b + OffNextBlockSize));
        Assert.True(m.MemoryContextIsEmpty(b));
        Assert.Equal(keeper, Head(m, b));
        McxtFixture.AssertClean(m);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(b);
        Assert.Equal(baseBlocks, m.Heap.OutstandingBlocks);
        Assert.True(n > 1);
    }

    [Fact]
    public void Reset_ClobbersTheKeeperData()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong b = NewBump(m);
        ulong p = m.MemoryContextAlloc(b, 32);
        m.Memory.Fill(p, 32, 0x11);
        m.MemoryContextReset(b);
        Assert.True(m.Memory.ReadSpan(p - 16, 48).ToArray().All(x => x == ClobberByte));
    }

    [Fact]
    public void Check_AndVerify_ReportCorruption()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong b = NewBump(m, "bu");
        ulong keeper = Bump.KeeperBlock(b);
        ulong p = m.MemoryContextAlloc(b, 10);
        m.Memory.WriteU8(p + 10, 0);   // BumpCheck does not look at sentinels; Verify does
        m.MemoryContextCheck(b);
        Assert.Empty(McxtFixture.Warnings(m));
        Assert.Contains(m.MemoryContextVerify(b), x => x.StartsWith("BU2:", StringComparison.Ordinal) && x.Contains("sentinel"));
        m.Memory.WriteU8(p + 10, SentinelByte);

        m.Memory.WriteU64(keeper + OffBlkContextChecking, m.TopMemoryContext);
        m.Memory.WriteU64(p - 8, MemoryChunk.Encode(8, 16, MemoryContextMethodID.MCTX_BUMP_ID));   // wrong block offset
        m.MemoryContextCheck(b);
        List<string> w = McxtFixture.Warnings(m);
        Assert.Contains($"problem in Bump bu: bogus context link in block {Mcxt.Ptr(keeper)}", w);
        Assert.Contains($"problem in Bump bu: bogus block link in block {Mcxt.Ptr(keeper)}, chunk {Mcxt.Ptr(p - 16)}", w);
        IReadOnlyList<string> v = m.MemoryContextVerify(b);
        Assert.Contains(v, x => x.StartsWith("BU1:", StringComparison.Ordinal));
        Assert.Contains(v, x => x.StartsWith("MC4:", StringComparison.Ordinal));
        m.Memory.WriteU64(keeper + OffBlkContextChecking, b);
        m.Memory.WriteU64(p - 8, MemoryChunk.Encode(40, 16, MemoryContextMethodID.MCTX_BUMP_ID));

        m.SetMemAllocated(b, 7);
        v = m.MemoryContextVerify(b);
        Assert.Contains(v, x => x.StartsWith("BU3:", StringComparison.Ordinal));
        Assert.Contains(v, x => x.StartsWith("MC3:", StringComparison.Ordinal));
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextCheck(b));
        m.SetMemAllocated(b, 8192);

        m.Memory.WriteU64(keeper + OffBlkFreeptrChecking, keeper + 9000);
        Assert.Contains(m.MemoryContextVerify(b), x => x.StartsWith("BU2:", StringComparison.Ordinal));
        m.Memory.WriteU64(keeper + OffBlkFreeptrChecking, p + 16);
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Verify_ReportsADedicatedBlockAtTheHead()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong b = NewBump(m);
        ulong big = m.MemoryContextAlloc(b, 600_000);
        ulong block = big - 16 - 40;
        ulong keeper = Bump.KeeperBlock(b);
        // Swap the list order by hand: [dedicated, keeper].
        ulong head = b + OffBlocks;
        m.Memory.WriteU64(head + 8, block);
        m.Memory.WriteU64(head, keeper);
        m.Memory.WriteU64(block + OffBlkNodePrev, head);
        m.Memory.WriteU64(block + OffBlkNodeNext, keeper);
        m.Memory.WriteU64(keeper + OffBlkNodePrev, block);
        m.Memory.WriteU64(keeper + OffBlkNodeNext, head);
        Assert.Contains(m.MemoryContextVerify(b), x => x.StartsWith("BU1:", StringComparison.Ordinal) && x.Contains("head"));
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_ErrorOrNull(bool checking)
    {
        var heapOptions = new SimHeapOptions();
        Mcxt m = McxtFixture.New(checking, heapOptions);
        ulong b = NewBump(m, "bu");
        heapOptions.FailFromCall = m.Heap.Calls + 1;
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(b, 9000));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed on request of size 9000 in memory context \"bu\".", e.Detail);
        Assert.Equal(0UL, m.MemoryContextAllocExtended(b, 700_000, MCXT_ALLOC_NO_OOM));
        e = Assert.Throws<PgErrorException>(() => NewBump(m, "b2"));
        Assert.Equal("Failed while creating memory context \"b2\".", e.Detail);
        heapOptions.FailFromCall = 0;
        McxtFixture.AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_AtEveryMallocCall_LeavesAConsistentContextAndNoLeak(bool checking) =>
        GenerationTests.OomSweep(checking, m => NewBump(m, "bu", init: 1024, max: 4096), (m, b) =>
        {
            for (int i = 0; i < 60; i++) m.MemoryContextAlloc(b, (ulong)(i * 53 % 250));
            m.MemoryContextAlloc(b, 3000);
            m.MemoryContextReset(b);
            for (int i = 0; i < 20; i++) m.MemoryContextAlloc(b, 200);
        });

    [Theory]
    [InlineData(false, 21UL)]
    [InlineData(true, 22UL)]
    public void RandomWorkload_ContentsAndInvariantsHoldAfterEveryStep(bool checking, ulong seed)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong b = NewBump(m, "bu", init: 1024, max: 16384);
        var live = new List<(ulong P, ulong Size, byte Tag)>();
        var prng = new Prng(seed);
        for (int step = 0; step < 300; step++)
        {
            if (prng.Chance(1, 60))
            {
                m.MemoryContextReset(b);
                live.Clear();
            }
            else
            {
                ulong size = prng.Chance(1, 25) ? (ulong)prng.Range(1500, 6000) : prng.Below(200);
                ulong p = m.MemoryContextAlloc(b, size);
                byte tag = (byte)prng.Below(256);
                m.Memory.Fill(p, size, tag);
                live.Add((p, size, tag));
            }
            foreach (var (p, size, tag) in live)
                Assert.True(m.Memory.ReadSpan(p, size).ToArray().All(x => x == tag), $"step {step}: chunk {Mcxt.Ptr(p)} changed");
            McxtFixture.AssertClean(m, b);
        }
        m.MemoryContextCheck(b);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(b);
        McxtFixture.AssertClean(m);
    }
}
