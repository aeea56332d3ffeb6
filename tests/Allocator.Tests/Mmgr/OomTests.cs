// OomTests: out-of-memory paths of aset.c and mcxt.c under the simulated heap's scripted failures:
// context creation, new blocks (with the halve-and-retry loop above 1 MiB), dedicated blocks,
// realloc of dedicated blocks, NO_OOM returning NULL, and consistency after every failure.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class OomTests
{
    private static void FailNextCall(Mcxt m) => m.Heap.Options.FailOnCall = m.Heap.Calls + 1;

    [Fact]
    public void ContextCreation_Failure_RaisesOutOfMemory_AndDumpsStats()
    {
        Mcxt m = New(checking: false);
        FailNextCall(m);
        var e = Assert.Throws<PgErrorException>(() => m.AllocSetContextCreate(m.TopMemoryContext, "Y", 0, 2048, 8192));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed while creating memory context \"Y\".", e.Detail);
        Assert.StartsWith("TopMemoryContext: 8192 total in 1 blocks", m.Log.Messages.Single(x => x.Level == ElogLevel.Log).Text);
        Assert.Equal(m.ErrorContext, m.GetFirstChild(m.TopMemoryContext));
        AssertClean(m);
    }

    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void NewBlock_Failure_RaisesOutOfMemory_AfterCarvingTheLeftover(bool checking)
    {
        Mcxt m = New(checking);
        ulong x = DefaultSet(m);
        for (int i = 0; i < 7; i++) m.MemoryContextAlloc(x, 1000);
        FailNextCall(m);
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(x, 1000));
        Assert.Equal("out of memory", e.Message);
        Assert.Equal("Failed on request of size 1000 in memory context \"X\".", e.Detail);
        // As in C, what happened before malloc failed stays done: the leftover is on freelists and
        // nextBlockSize has doubled.
        Assert.Equal(8192UL, m.GetMemAllocated(x));
        Assert.Equal(16384U, m.Memory.ReadU32(x + AsetOffNextBlockSize));
        Assert.True(m.Memory.ReadU64(KeeperBlock(x) + BlkOffEndptr) - m.Memory.ReadU64(KeeperBlock(x) + BlkOffFreeptr) < 8 + m.ChunkHdrSz);
        AssertClean(m);
        Assert.NotEqual(0UL, m.MemoryContextAlloc(x, 1000));   // the next call succeeds
        AssertClean(m);
    }

    [Fact]
    public void NoOom_ReturnsNull_FromEveryPath()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        m.MemoryContextSwitchTo(x);
        for (int i = 0; i < 7; i++) m.palloc(1000);
        FailNextCall(m);
        Assert.Equal(0UL, m.palloc_extended(1000, MCXT_ALLOC_NO_OOM));
        FailNextCall(m);
        Assert.Equal(0UL, m.MemoryContextAllocExtended(x, 20000, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO));
        ulong big = m.palloc(20000);
        m.Memory.Fill(big, 20000, 0x33);
        FailNextCall(m);
        Assert.Equal(0UL, m.repalloc_extended(big, 40000, MCXT_ALLOC_NO_OOM));
        Assert.True(m.Memory.ReadSpan(big, 20000).ToArray().All(b => b == 0x33));   // old chunk intact
        FailNextCall(m);
        Assert.Equal(0UL, m.MemoryContextAllocAligned(x, 100000, 64, MCXT_ALLOC_NO_OOM));
        Assert.Empty(m.Log.Messages);   // no stats dump under NO_OOM
        m.MemoryContextSwitchTo(m.TopMemoryContext);
        AssertClean(m);
    }

    [Fact]
    public void LargeChunk_And_ExternalRealloc_Failures_RaiseOutOfMemory()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        FailNextCall(m);
        Assert.Equal("Failed on request of size 100000 in memory context \"X\".", Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(x, 100000)).Detail);
        ulong big = m.MemoryContextAlloc(x, 100000);
        FailNextCall(m);
        Assert.Equal("Failed on request of size 300000 in memory context \"X\".", Assert.Throws<PgErrorException>(() => m.repalloc(big, 300000)).Detail);
        Assert.Equal(100000UL + 8, m.GetMemoryChunkSpace(big));
        AssertClean(m);
    }

    [Fact]
    public void NewBlockOver1MiB_IsHalvedAndRetried()
    {
        Mcxt m = New(checking: false, new SimHeapOptions { FailWhen = (_, size) => size == 2 * 1024 * 1024 });
        // min 1 KiB makes the keeper tiny, so the first chunk needs a new block of init = 2 MiB.
        ulong h = m.AllocSetContextCreate(m.TopMemoryContext, "H", 1024, 2 * 1024 * 1024, 8 * 1024 * 1024);
        long failed0 = m.Heap.FailedCalls;
        m.MemoryContextAlloc(h, 8192);
        Assert.Equal(failed0 + 1, m.Heap.FailedCalls);
        Assert.Equal(1024UL + 1024 * 1024, m.GetMemAllocated(h));   // settled for 1 MiB
        Assert.Equal(4U * 1024 * 1024, m.Memory.ReadU32(h + AsetOffNextBlockSize));
        AssertClean(m);
    }

    [Theory]
    [InlineData(2UL * 1024 * 1024, 2)]
    [InlineData(4UL * 1024 * 1024, 3)]
    public void NewBlockOver1MiB_FailsAfterHalvingDownTo1MiB(ulong init, int expectedFailures)
    {
        Mcxt m = New(checking: false, new SimHeapOptions { FailWhen = (_, size) => size >= 1024 * 1024 });
        ulong h = m.AllocSetContextCreate(m.TopMemoryContext, "H", 1024, init, 8 * 1024 * 1024);
        long failed0 = m.Heap.FailedCalls;
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAlloc(h, 1000));   // does not fit the 1 KiB keeper
        Assert.Equal("Failed on request of size 1000 in memory context \"H\".", e.Detail);
        Assert.Equal(failed0 + expectedFailures, m.Heap.FailedCalls);
        Assert.Equal(0UL, m.MemoryContextAllocExtended(h, 1000, MCXT_ALLOC_NO_OOM));
        AssertClean(m);
    }

    /// <summary>A small workload with the n-th malloc failing, for every n: each time either success
    /// or "out of memory", the tree verifies, and deleting everything leaves exactly what
    /// PostgreSQL keeps (TopMemoryContext, ErrorContext and recycled contexts).</summary>
    [Theory]
    [MemberData(nameof(CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void EveryMallocFailure_LeavesAConsistentTree_AndNoLeak(bool checking)
    {
        int calls = Workload(New(checking), out _);
        Assert.True(calls > 10);
        for (int n = 1; n <= calls; n++)
        {
            Mcxt m = New(checking);
            long baseCalls = m.Heap.Calls;
            m.Heap.Options.FailOnCall = baseCalls + n;
            bool threw = false;
            try
            {
                Workload(m, out _);
            }
            catch (PgErrorException e)
            {
                threw = true;
                Assert.Equal("out of memory", e.Message);
            }
            Assert.True(threw, $"failing malloc call {n} went unnoticed");
            AssertClean(m);
            m.MemoryContextSwitchTo(m.TopMemoryContext);
            m.MemoryContextDeleteChildren(m.TopMemoryContext);
            AllocSet aset = m.AllocSetMethods;
            Assert.Equal(1 + aset.RecycledCount(0) + aset.RecycledCount(1), (int)m.Heap.OutstandingBlocks);
        }
    }

    private static int Workload(Mcxt m, out ulong top)
    {
        long calls0 = m.Heap.Calls;
        top = DefaultSet(m, "W");
        ulong small = m.AllocSetContextCreate(top, "W-small", ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_SMALL_MAXSIZE);
        ulong odd = m.AllocSetContextCreate(small, "W-odd", 0, 4096, 65536);
        m.MemoryContextSwitchTo(top);
        var live = new List<ulong>();
        for (int i = 0; i < 60; i++)
        {
            ulong ctx = (i % 3) switch { 0 => top, 1 => small, _ => odd };
            live.Add(m.MemoryContextAlloc(ctx, (ulong)(i * 97 % 3000)));
            if (i % 7 == 6) m.pfree(live[i - 3]);
        }
        ulong big = m.MemoryContextAlloc(odd, 70000);
        big = m.repalloc(big, 140000);
        m.MemoryContextReset(small);
        m.palloc(5000);
        return (int)(m.Heap.Calls - calls0);
    }
}
