// CanaryTests: each planted AllocSet bug (AllocatorCanary) is caught by the walkers, so a clean
// walker result means something (style-anchors.md synthesis 13: the checker itself is tested).
using Allocator.Mmgr;
using Xunit;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class CanaryTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FreelistIndexOffByOne_IsCaughtByVerify_AS4(bool assertChecking)
    {
        Mcxt m = New(Production with { Canary = AllocatorCanary.FreelistIndexOffByOne, AssertChecking = assertChecking });
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 16);
        AssertClean(m);
        m.pfree(p);
        IReadOnlyList<string> problems = m.MemoryContextVerify(x);
        Assert.Contains(problems, s => s.StartsWith("AS4:", StringComparison.Ordinal) && s.Contains("freelist 2 holds chunk", StringComparison.Ordinal));
        if (assertChecking)
        {
            // AllocSetAlloc's Assert(fidx == MemoryChunkGetValue(chunk)) traps the popped chunk.
            Assert.Throws<Allocator.Common.AssertionFailureException>(() => m.MemoryContextAlloc(x, 32));
        }
        else
        {
            // The next 17..32-byte request gets the 16-byte chunk: an overlap only a model sees.
            Assert.Equal(p, m.MemoryContextAlloc(x, 32));
        }
    }

    [Fact]
    public void SentinelSkipped_IsCaughtByAllocSetCheck()
    {
        Mcxt m = New(Checking with { Canary = AllocatorCanary.SentinelSkipped });
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.MemoryContextCheck(x);
        Assert.Contains($"problem in alloc set X: detected write past chunk end in block 0x{AllocSetConstants.KeeperBlock(x):x}, chunk 0x{p - 16:x}", Warnings(m));
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS10:", StringComparison.Ordinal));
    }

    [Fact]
    public void KeeperFreeptrNotRewound_IsCaughtByVerify_AS8()
    {
        Mcxt m = New(Production with { Canary = AllocatorCanary.KeeperFreeptrNotRewound });
        ulong x = DefaultSet(m);
        m.MemoryContextAlloc(x, 100);
        m.MemoryContextReset(x);
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS8:", StringComparison.Ordinal));
    }

    [Fact]
    public void NoCanary_SameScenarios_VerifyClean()
    {
        foreach (MemoryContextOptions o in new[] { Production, Checking })
        {
            Mcxt m = New(o);
            ulong x = DefaultSet(m);
            ulong p = m.MemoryContextAlloc(x, 16);
            m.pfree(p);
            m.MemoryContextAlloc(x, 10);
            m.MemoryContextCheck(x);
            Assert.Empty(Warnings(m));
            m.MemoryContextReset(x);
            AssertClean(m);
        }
    }
}
