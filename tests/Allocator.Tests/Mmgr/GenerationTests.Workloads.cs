// GenerationTests.Workloads: the Generation tests that run whole workloads: the OOM sweep (fail
// every malloc call in turn), the allocation-free hot paths of all three types, and a seeded random
// workload checked for contents and invariants after every step.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Mmgr;

public partial class GenerationTests
{
    /// <summary>Fails the k-th simulated malloc of a workload (creation included), for every k until
    /// the workload runs clean: each time the outcome must be PostgreSQL's out-of-memory ERROR, the
    /// tree must verify clean, and deleting the context must give every block back.</summary>
    internal static void OomSweep(bool checking, Func<Mcxt, ulong> create, Action<Mcxt, ulong> workload)
    {
        for (long k = 1; k < 200; k++)
        {
            var heapOptions = new SimHeapOptions();
            Mcxt m = McxtFixture.New(checking, heapOptions);
            long baseBlocks = m.Heap.OutstandingBlocks;
            heapOptions.FailOnCall = m.Heap.Calls + k;
            ulong c = 0;
            try
            {
                c = create(m);
                workload(m, c);
            }
            catch (PgErrorException e)
            {
                Assert.Equal("out of memory", e.Message);
            }
            Assert.True(m.Heap.FailedCalls <= 1);
            McxtFixture.AssertClean(m);
            if (c != 0) m.MemoryContextDelete(c);
            Assert.Equal(baseBlocks, m.Heap.OutstandingBlocks);
            if (m.Heap.FailedCalls == 0) return;   // the workload made fewer than k calls: all covered
        }
        Assert.Fail("the OOM sweep did not reach the end of the workload");
    }

    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void Oom_AtEveryMallocCall_LeavesAConsistentContextAndNoLeak(bool checking) =>
        OomSweep(checking, m => NewGen(m, "gen", init: 1024, max: 4096), (m, g) =>
        {
            var ps = new List<ulong>();
            for (int i = 0; i < 60; i++) ps.Add(m.MemoryContextAlloc(g, (ulong)(i * 53 % 700)));
            ps.Add(m.MemoryContextAlloc(g, 5000));
            for (int i = 0; i < ps.Count; i += 2) m.pfree(ps[i]);
            for (int i = 1; i < ps.Count; i += 4) ps[i] = m.repalloc(ps[i], 900);
        });

    /// <summary>Hot paths keep managed allocations at zero: a warm alloc/free/realloc loop that
    /// stays inside existing blocks allocates nothing on the host heap.</summary>
    [Theory]
    [MemberData(nameof(McxtFixture.CheckingOnOff), MemberType = typeof(McxtFixture))]
    public void HotPaths_AllocateNoManagedMemory(bool checking)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong g = NewGen(m);
        ulong s = m.SlabContextCreate(m.TopMemoryContext, "S", 8192, 32);
        ulong b = m.BumpContextCreate(m.TopMemoryContext, "B", 0, 65536, Max8M);
        void Round()
        {
            ulong p = m.MemoryContextAlloc(g, 40);
            ulong q = m.MemoryContextAlloc(g, 40);
            q = m.repalloc(q, 20);
            m.pfree(p);
            m.pfree(q);
            ulong x = m.MemoryContextAlloc(s, 32);
            m.pfree(x);
            m.MemoryContextAlloc(b, 16);
        }
        for (int i = 0; i < 50; i++) Round();
        ManagedAllocations.AssertSomeWindowAllocatesNothing(Round);
    }

    [Theory]
    [InlineData(false, 1UL)]
    [InlineData(true, 2UL)]
    [InlineData(false, 3UL)]
    [InlineData(true, 4UL)]
    public void RandomWorkload_ContentsAndInvariantsHoldAfterEveryStep(bool checking, ulong seed)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong g = NewGen(m, "gen", init: 1024, max: 16384);
        var live = new List<(ulong P, ulong Size, byte Tag)>();
        var prng = new Prng(seed);
        for (int step = 0; step < 300; step++)
        {
            int op = prng.Index(10);
            if (op < 5 || live.Count == 0)
            {
                ulong size = prng.Chance(1, 20) ? (ulong)prng.Range(2000, 9000) : prng.Below(300);
                ulong p = m.MemoryContextAlloc(g, size);
                byte tag = (byte)prng.Below(256);
                m.Memory.Fill(p, size, tag);
                live.Add((p, size, tag));
            }
            else if (op < 8)
            {
                int i = prng.Index(live.Count);
                m.pfree(live[i].P);
                live.RemoveAt(i);
            }
            else
            {
                int i = prng.Index(live.Count);
                ulong size = prng.Below(600);
                ulong q = m.repalloc(live[i].P, size);
                ulong keep = Math.Min(size, live[i].Size);
                Assert.True(m.Memory.ReadSpan(q, keep).ToArray().All(b => b == live[i].Tag), $"step {step}: repalloc lost data");
                m.Memory.Fill(q, size, live[i].Tag);
                live[i] = (q, size, live[i].Tag);
            }
            foreach (var (p, size, tag) in live)
                Assert.True(m.Memory.ReadSpan(p, size).ToArray().All(b => b == tag), $"step {step}: chunk {Mcxt.Ptr(p)} changed");
            McxtFixture.AssertClean(m, g);
        }
        m.MemoryContextCheck(g);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(g);
        McxtFixture.AssertClean(m);
    }
}
