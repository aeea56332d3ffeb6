// SlabTests.Corruption: planted corruption against SlabCheck (PostgreSQL's WARNING texts) and the
// SL1-SL5/MC3/MC4 walker, plus a seeded random workload checked after every step.
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Tests.Mmgr;

public partial class SlabTests
{
    [Fact]
    public void Check_ReportsCorruption_WithPostgresTexts()
    {
        Mcxt m = McxtFixture.New(checking: true);
        ulong s = NewSlab(m, blockSize: 1024, name: "sl");
        int cpb = (int)m.Memory.ReadU32(s + OffChunksPerBlock);   // 11
        var ps = new List<ulong>();
        for (int i = 0; i < cpb + 1; i++) ps.Add(m.MemoryContextAlloc(s, 64));
        ulong full = BlockOf(m, ps[0]);       // on blocklist 0
        ulong partial = BlockOf(m, ps[cpb]);  // one chunk used
        string f = Mcxt.Ptr(full), pb = Mcxt.Ptr(partial);

        m.Memory.WriteU32(full + OffBlkNFree, 2);
        m.Memory.WriteU64(partial + OffBlkSlab, m.TopMemoryContext);
        m.MemoryContextCheck(s);
        List<string> w = McxtFixture.Warnings(m);
        Assert.Contains($"problem in slab sl: block {f} is on blocklist 0 but should be on blocklist 1", w);
        Assert.Contains($"problem in slab sl: nfree in block {f} is 2 but 0 chunk were found as free", w);
        Assert.Contains($"problem in slab sl: bogus slab link in block {pb}", w);
        IReadOnlyList<string> v = m.MemoryContextVerify(s);
        Assert.Contains(v, x => x.StartsWith("SL1:", StringComparison.Ordinal) && x.Contains(f));
        Assert.Contains(v, x => x.StartsWith("SL2:", StringComparison.Ordinal) && x.Contains(f));
        Assert.Contains(v, x => x.StartsWith("SL1:", StringComparison.Ordinal) && x.Contains(pb));
        m.Memory.WriteU32(full + OffBlkNFree, 0);
        m.Memory.WriteU64(partial + OffBlkSlab, s);

        m.Memory.WriteU64(partial + OffBlkUnused, partial + 4096);
        m.Memory.WriteU64(partial + OffBlkFreeHead, partial + 3);
        m.Log.Clear();
        m.MemoryContextCheck(s);
        w = McxtFixture.Warnings(m);
        Assert.Contains($"problem in slab sl: bogus free list link {Mcxt.Ptr(partial + 3)} in block {pb}", w);
        Assert.Contains($"problem in slab sl: mismatch detected between nunused chunks and unused pointer in block {pb}", w);
        Assert.Contains(m.MemoryContextVerify(s), x => x.StartsWith("SL2:", StringComparison.Ordinal));
        m.Memory.WriteU64(partial + OffBlkFreeHead, 0);
        m.Memory.WriteU64(partial + OffBlkUnused, partial + Slab_BLOCKHDRSZ + 88);

        m.pfree(ps[cpb]);   // partial is now empty and retained
        m.Memory.WriteU32(partial + OffBlkNFree, 5);
        m.Log.Clear();
        m.MemoryContextCheck(s);
        Assert.Contains($"problem in slab sl: empty block {pb} should have {cpb} free chunks but has 5 chunks free", McxtFixture.Warnings(m));
        m.Memory.WriteU32(partial + OffBlkNFree, (uint)cpb);

        m.Memory.WriteU32(s + OffCurBlocklistIndex, 2);
        Assert.Contains(m.MemoryContextVerify(s), x => x.StartsWith("SL3:", StringComparison.Ordinal));
        m.Memory.WriteU32(s + OffCurBlocklistIndex, 0);
        m.SetMemAllocated(s, 0);
        IReadOnlyList<string> acct = m.MemoryContextVerify(s);
        Assert.Contains(acct, x => x.StartsWith("SL4:", StringComparison.Ordinal));
        Assert.Contains(acct, x => x.StartsWith("MC3:", StringComparison.Ordinal));
        m.SetMemAllocated(s, 2048);
        McxtFixture.AssertClean(m);
    }

    [Fact]
    public void Verify_SurvivesCyclicFreeListAndWildLinks()
    {
        Mcxt m = McxtFixture.New(checking: false);
        ulong s = NewSlab(m, blockSize: 1024);
        ulong p = m.MemoryContextAlloc(s, 64);
        ulong q = m.MemoryContextAlloc(s, 64);
        m.MemoryContextAlloc(s, 64);
        m.pfree(q);
        m.pfree(p);
        m.Memory.WriteU64(q, p - 8);   // q's link back to p: a cycle
        Assert.Contains(m.MemoryContextVerify(s), x => x.StartsWith("SL2:", StringComparison.Ordinal) && x.Contains("twice"));
        m.Memory.WriteU64(s + Lists(m) + 2 * SizeOfDlistHead + 8, 0xBAD0_0000);
        Assert.Contains(m.MemoryContextVerify(s), x => x.StartsWith("SL1:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, 11UL, 1024UL)]
    [InlineData(true, 12UL, 1024UL)]
    [InlineData(false, 13UL, 8192UL)]
    [InlineData(true, 14UL, 256UL)]
    public void RandomWorkload_ContentsAndInvariantsHoldAfterEveryStep(bool checking, ulong seed, ulong blockSize)
    {
        Mcxt m = McxtFixture.New(checking);
        ulong s = NewSlab(m, blockSize: blockSize, chunkSize: 40, name: "sl");
        var live = new List<(ulong P, byte Tag)>();
        var prng = new Prng(seed);
        for (int step = 0; step < 400; step++)
        {
            // Phases of growth and shrinkage drive blocks through every list and the empty list.
            bool grow = (step / 100) % 2 == 0 ? prng.Chance(3, 4) : prng.Chance(1, 4);
            if (grow || live.Count == 0)
            {
                ulong p = m.MemoryContextAlloc(s, 40);
                byte tag = (byte)prng.Below(256);
                m.Memory.Fill(p, 40, tag);
                live.Add((p, tag));
            }
            else
            {
                int i = prng.Index(live.Count);
                m.pfree(live[i].P);
                live.RemoveAt(i);
            }
            foreach (var (p, tag) in live)
                Assert.True(m.Memory.ReadSpan(p, 40).ToArray().All(x => x == tag), $"step {step}: chunk {Mcxt.Ptr(p)} changed");
            McxtFixture.AssertClean(m, s);
        }
        m.MemoryContextCheck(s);
        Assert.Empty(McxtFixture.Warnings(m));
        m.MemoryContextDelete(s);
        McxtFixture.AssertClean(m);
    }
}
