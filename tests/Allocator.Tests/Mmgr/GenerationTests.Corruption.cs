// GenerationTests.Corruption: planted corruption against GenerationCheck (PostgreSQL's WARNING
// texts), the GEN1-GEN6/MC3/MC4 walker, and the ERROR for a bogus dedicated block.
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.GenerationConstants;

namespace Allocator.Tests.Mmgr;

public partial class GenerationTests
{
    [Fact]
    public void ExternalChunk_WithBogusBlock_IsAnError()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong g = NewGen(m);
        ulong big = m.MemoryContextAlloc(g, 600_000);
        ulong block = big - 8 - Generation_BLOCKHDRSZ;
        m.Memory.WriteU64(block + OffBlkContext, m.TopMemoryContext);   // an AllocSet, not a Generation
        var e = Assert.Throws<PgErrorException>(() => m.pfree(big));
        Assert.Equal($"could not find block containing chunk {Mcxt.Ptr(big - 8)}", e.Message);
        // Through repalloc an assert build first asserts in GetMemoryChunkContext, as C does; the
        // type's realloc itself raises the ERROR.
        Assert.Throws<AssertionFailureException>(() => m.repalloc(big, 10));
        e = Assert.Throws<PgErrorException>(() => m.Methods[(int)MemoryContextMethodID.MCTX_GENERATION_ID]!.Realloc(big, 10, 0));
        Assert.Equal($"could not find block containing chunk {Mcxt.Ptr(big - 8)}", e.Message);
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("GEN3:", StringComparison.Ordinal));
        m.Memory.WriteU64(block + OffBlkContext, g);
    }

    [Fact]
    public void Check_ReportsCorruptCountersAndLinks_WithPostgresTexts()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong g = NewGen(m, "gen");
        ulong keeper = Generation.KeeperBlock(g);
        m.MemoryContextAlloc(g, 10);
        m.MemoryContextAlloc(g, 10);
        m.Memory.WriteU32(keeper + OffBlkNFree, 3);
        m.Memory.WriteU64(keeper + OffBlkContext, m.TopMemoryContext);
        m.MemoryContextCheck(g);
        string k = Mcxt.Ptr(keeper);
        List<string> w = McxtFixture.Warnings(m);
        Assert.Contains($"problem in Generation gen: number of free chunks 3 in block {k} exceeds 2 allocated", w);
        Assert.Contains($"problem in Generation gen: bogus context link in block {k}", w);
        Assert.Contains($"problem in Generation gen: number of free chunks 0 in block {k} does not match header 3", w);
        IReadOnlyList<string> v = m.MemoryContextVerify(g);
        Assert.Contains(v, s => s.StartsWith("GEN1:", StringComparison.Ordinal));
        Assert.Contains(v, s => s.StartsWith("GEN2:", StringComparison.Ordinal));
        Assert.Contains(v, s => s.StartsWith("GEN3:", StringComparison.Ordinal));

        m.Memory.WriteU32(keeper + OffBlkNFree, 0);
        m.Memory.WriteU64(keeper + OffBlkContext, g);
        m.Memory.WriteU32(keeper + OffBlkNChunks, 5);
        m.Log.Clear();
        m.MemoryContextCheck(g);
        Assert.Contains($"problem in Generation gen: number of allocated chunks 2 in block {k} does not match header 5", McxtFixture.Warnings(m));
        m.Memory.WriteU32(keeper + OffBlkNChunks, 2);

        m.SetMemAllocated(g, 1);
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("MC3:", StringComparison.Ordinal));
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextCheck(g));   // Assert(total == mem_allocated)
        m.SetMemAllocated(g, 8064);
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Check_RunsWithoutChecking_TooOnTheHeaderCounts()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong g = NewGen(m, "gen");
        m.MemoryContextAlloc(g, 10);
        m.MemoryContextCheck(g);
        Assert.Empty(McxtFixture.Warnings(m));
        ulong keeper = Generation.KeeperBlock(g);
        m.Memory.WriteU32(keeper + OffBlkNChunks, 4);
        m.MemoryContextCheck(g);
        Assert.Equal(new[] { $"problem in Generation gen: number of allocated chunks 1 in block {Mcxt.Ptr(keeper)} does not match header 4" }, McxtFixture.Warnings(m));
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("GEN2:", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_SurvivesWildBlockLinks()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong g = NewGen(m);
        m.MemoryContextAlloc(g, 10);
        m.Memory.WriteU64(Generation.KeeperBlock(g) + OffBlkNodeNext, 0xDEAD_0000);
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("GEN3:", StringComparison.Ordinal));
        m.Memory.WriteU64(Generation.KeeperBlock(g) + OffBlkNodeNext, Generation.KeeperBlock(g));   // a self-cycle
        Assert.Contains(m.MemoryContextVerify(g), s => s.StartsWith("GEN3:", StringComparison.Ordinal) && s.Contains("cycles"));
    }
}
