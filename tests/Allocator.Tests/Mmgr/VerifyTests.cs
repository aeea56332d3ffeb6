// VerifyTests: MemoryContextVerify (MC1-MC8 and AS1-AS10) stays silent over a long deterministic
// mixed workload in every build, and speaks up, with the right invariant id, when a structure is
// corrupted on purpose.
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class VerifyTests
{
    public static TheoryData<string> Builds => new() { "production", "checking", "checking-noclobber", "randomize" };

    private static MemoryContextOptions Options(string build) => build switch
    {
        "production" => Production,
        "checking" => Checking,
        "checking-noclobber" => new MemoryContextOptions { MemoryContextChecking = true },
        _ => new MemoryContextOptions { MemoryContextChecking = true, ClobberFreedMemory = true, RandomizeAllocatedMemory = true },
    };

    private static readonly ulong[] Sizes = { 0, 1, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 1023, 1024, 1025, 4096, 8191, 8192, 8193, 20000 };

    [Theory]
    [MemberData(nameof(Builds))]
    public void MixedWorkload_VerifiesCleanAfterEveryOperation_AndLeavesNoLeak(string build)
    {
        Mcxt m = New(Options(build));
        ulong state = 0x5EED_0000 + (ulong)build.Length;
        ulong Next() { state += 0x9E3779B97F4A7C15; ulong z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31); }
        var contexts = new List<ulong>();
        var live = new List<(ulong Ptr, ulong Ctx, ulong Size, byte Fill)>();
        long heapBlocks0 = m.Heap.OutstandingBlocks;

        for (int step = 0; step < 1500; step++)
        {
            ulong r = Next() % 100;
            if (contexts.Count == 0 || r < 4)
            {
                ulong parent = contexts.Count == 0 || Next() % 2 == 0 ? m.TopMemoryContext : contexts[(int)(Next() % (ulong)contexts.Count)];
                ulong c = (Next() % 4) switch
                {
                    0 => m.AllocSetContextCreate(parent, "d", 0, 8192, 8 * 1024 * 1024),
                    1 => m.AllocSetContextCreate(parent, "s", 0, 1024, 8192),
                    2 => m.AllocSetContextCreate(parent, "ss", 0, 1024, 8 * 1024 * 1024),
                    _ => m.AllocSetContextCreate(parent, "odd", 4096, 2048, 32768),
                };
                contexts.Add(c);
            }
            else if (r < 55 || live.Count == 0)
            {
                ulong c = contexts[(int)(Next() % (ulong)contexts.Count)];
                ulong size = Next() % 3 == 0 ? Next() % 3000 : Sizes[Next() % (ulong)Sizes.Length];
                ulong p = m.MemoryContextAlloc(c, size);
                byte fill = (byte)Next();
                m.Memory.Fill(p, size, fill);
                live.Add((p, c, size, fill));
            }
            else if (r < 80)
            {
                int i = (int)(Next() % (ulong)live.Count);
                AssertContents(m, live[i]);
                m.pfree(live[i].Ptr);
                live.RemoveAt(i);
            }
            else if (r < 93)
            {
                int i = (int)(Next() % (ulong)live.Count);
                var (p, c, size, fill) = live[i];
                AssertContents(m, live[i]);
                ulong newSize = Sizes[Next() % (ulong)Sizes.Length];
                ulong q = m.repalloc(p, newSize);
                Assert.Equal(c, m.GetMemoryChunkContext(q));
                live[i] = (q, c, Math.Min(size, newSize), fill);
                AssertContents(m, live[i]);
                m.Memory.Fill(q, newSize, fill);
                live[i] = (q, c, newSize, fill);
            }
            else if (r < 97)
            {
                ulong c = contexts[(int)(Next() % (ulong)contexts.Count)];
                var doomed = Subtree(m, c);
                m.MemoryContextReset(c);
                live.RemoveAll(l => doomed.Contains(l.Ctx));
                contexts.RemoveAll(x => x != c && doomed.Contains(x));
            }
            else
            {
                ulong c = contexts[(int)(Next() % (ulong)contexts.Count)];
                var doomed = Subtree(m, c);
                m.MemoryContextDelete(c);
                live.RemoveAll(l => doomed.Contains(l.Ctx));
                contexts.RemoveAll(doomed.Contains);
            }
            IReadOnlyList<string> problems = m.MemoryContextVerify(m.TopMemoryContext);
            Assert.True(problems.Count == 0, $"step {step}: {string.Join("\n", problems)}");
        }

        foreach (var l in live) AssertContents(m, l);
        if (Options(build).MemoryContextChecking) m.MemoryContextCheck(m.TopMemoryContext);
        Assert.Empty(Warnings(m));
        foreach (ulong c in contexts.ToList())
            if (m.GetParent(c) == m.TopMemoryContext) m.MemoryContextDelete(c);
        AllocSet aset = m.AllocSetMethods;
        Assert.Equal(heapBlocks0 + aset.RecycledCount(0) + aset.RecycledCount(1), m.Heap.OutstandingBlocks);
        AssertClean(m);
    }

    private static HashSet<ulong> Subtree(Mcxt m, ulong c)
    {
        var set = new HashSet<ulong> { c };
        for (ulong x = m.GetFirstChild(c); x != 0; x = m.MemoryContextTraverseNext(x, c)) set.Add(x);
        return set;
    }

    private static void AssertContents(Mcxt m, (ulong Ptr, ulong Ctx, ulong Size, byte Fill) l)
    {
        ReadOnlySpan<byte> bytes = m.Memory.ReadSpan(l.Ptr, l.Size);
        for (int i = 0; i < bytes.Length; i++)
            Assert.True(bytes[i] == l.Fill, $"chunk 0x{l.Ptr:x} byte {i} is {bytes[i]}, expected {l.Fill}");
    }

    [Fact]
    public void CorruptTreeLinks_AreReportedAsMC1()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong y = m.AllocSetContextCreate(x, "Y", 0, 1024, 8192);
        m.Memory.WriteU64(y + OffParent, m.TopMemoryContext);
        Assert.Contains(m.MemoryContextVerify(m.TopMemoryContext), s => s.StartsWith("MC1:", StringComparison.Ordinal));
        m.Memory.WriteU64(y + OffParent, x);
        m.Memory.WriteU64(y + OffFirstChild, x);   // a cycle
        Assert.Contains(m.MemoryContextVerify(m.TopMemoryContext), s => s.StartsWith("MC1:", StringComparison.Ordinal));
    }

    [Fact]
    public void CorruptAccountingAndBlockLinks_AreReportedAsAS7AndAS1()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        m.MemoryContextAlloc(x, 20000);
        ulong mem = m.GetMemAllocated(x);
        m.SetMemAllocated(x, mem + 8);
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS7:", StringComparison.Ordinal));
        m.SetMemAllocated(x, mem);
        ulong second = m.Memory.ReadU64(KeeperBlock(x) + BlkOffNext);
        m.Memory.WriteU64(second + BlkOffPrev, 0);
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS1:", StringComparison.Ordinal));
        m.Memory.WriteU64(second + BlkOffPrev, KeeperBlock(x));
        m.Memory.WriteU64(KeeperBlock(x) + BlkOffNext, 0x10);   // a wild pointer: reported, not thrown
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS1:", StringComparison.Ordinal));
    }

    [Fact]
    public void IsResetWithChunks_IsReportedAsAS8_AndDeletedCurrentContextAsMC7()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        m.MemoryContextAlloc(x, 10);
        m.SetIsReset(x, true);
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS8:", StringComparison.Ordinal));
        m.SetIsReset(x, false);
        m.MemoryContextDelete(x);
        m.CurrentMemoryContext = x;   // a dangling CurrentMemoryContext (on the recycled list)
        Assert.Contains(m.MemoryContextVerify(m.TopMemoryContext), s => s.StartsWith("MC7:", StringComparison.Ordinal));
        ulong odd = m.AllocSetContextCreate(m.TopMemoryContext, "odd", 0, 2048, 8192);
        m.MemoryContextDelete(odd);
        m.CurrentMemoryContext = odd;   // freed
        Assert.Contains(m.MemoryContextVerify(m.TopMemoryContext), s => s.StartsWith("MC7:", StringComparison.Ordinal));
    }

    [Fact]
    public void CorruptRecycledList_IsReportedAsAS9()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        m.MemoryContextDelete(x);
        AssertClean(m);
        m.Memory.WriteU64(x + OffParent, m.TopMemoryContext);
        Assert.Contains(m.MemoryContextVerify(m.TopMemoryContext), s => s.StartsWith("AS9:", StringComparison.Ordinal));
    }
}
