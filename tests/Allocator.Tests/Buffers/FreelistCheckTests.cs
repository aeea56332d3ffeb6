// FreelistCheck reports each corruption under its spec number.
using Allocator.Buffers;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class FreelistCheckTests
{
    private const int N = 16;

    private static void AssertReports(BufferBackends g, string number, IEnumerable<BufferAccessStrategy?>? rings = null) =>
        Assert.Contains(FreelistCheck.Check(g.Strategy, rings), e => e.StartsWith(number, StringComparison.Ordinal));

    [Fact]
    public void Cycle_IsF1()
    {
        var g = new BufferBackends(1, N);
        BufferDescriptors.WriteFreeNext(g.Descs.InitMemory, g.Descs.GetBufferDescriptor(9), 4);
        AssertReports(g, "F1:");
    }

    [Fact]
    public void BadLink_AndWrongTail_AreF1()
    {
        var g = new BufferBackends(1, N);
        BufferDescriptors.WriteFreeNext(g.Descs.InitMemory, g.Descs.GetBufferDescriptor(3), N + 2);
        AssertReports(g, "F1:");
        var g2 = new BufferBackends(1, N);
        g2.Descs.InitMemory.WriteU32(g2.Strategy.LastFreeBufferAddr, 5);
        AssertReports(g2, "F1:");
    }

    [Fact]
    public void NotInListMarks_AreF2()
    {
        var g = new BufferBackends(1, N);
        // cut the list after buffer 5: 6.. keep their links but are no longer members
        BufferDescriptors.WriteFreeNext(g.Descs.InitMemory, g.Descs.GetBufferDescriptor(5), FREENEXT_END_OF_LIST);
        g.Descs.InitMemory.WriteU32(g.Strategy.LastFreeBufferAddr, 5);
        AssertReports(g, "F2:");
        var g2 = new BufferBackends(1, N);
        BufferDescriptors.WriteFreeNext(g2.Descs.InitMemory, g2.Descs.GetBufferDescriptor(2), FREENEXT_NOT_IN_LIST);
        AssertReports(g2, "F2:");
    }

    [Fact]
    public void UnfoldedHand_AndShrinkingPasses_AreF4_HeldLockIsSL()
    {
        var g = new BufferBackends(1, N);
        g.Descs.InitMemory.WriteU32(g.Strategy.NextVictimBufferAddr, N); // the next tick folds it: fine
        Assert.Empty(FreelistCheck.Check(g.Strategy));
        g.Descs.InitMemory.WriteU32(g.Strategy.NextVictimBufferAddr, N + 1);
        AssertReports(g, "F4:");
        var g2 = new BufferBackends(1, N);
        Assert.Contains(FreelistCheck.Check(g2.Strategy, previousCompletePasses: 1), e => e.StartsWith("F4:", StringComparison.Ordinal));
        g2.Descs.InitMemory.WriteU32(g2.Strategy.LockAddr, 1);
        AssertReports(g2, "SL:");
    }

    [Fact]
    public void BadRingSlot_IsF6()
    {
        var g = new BufferBackends(1, N);
        BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, g.Descs, 8192)!;
        Assert.Empty(FreelistCheck.Check(g.Strategy, new[] { ring }));
        ring.buffers[1] = N + 1;
        AssertReports(g, "F6:", new[] { ring });
    }

    [Fact]
    public void RingSizesGetAccessStrategyCannotProduce_AreF7()
    {
        var g = new BufferBackends(1, N);
        // Every ring GetAccessStrategy builds for this pool passes (each capped at NBuffers / 8 = 2).
        foreach (BufferAccessStrategyType t in new[] { BufferAccessStrategyType.BAS_BULKREAD, BufferAccessStrategyType.BAS_BULKWRITE, BufferAccessStrategyType.BAS_VACUUM })
        {
            BufferAccessStrategy ring = BufferAccessStrategy.GetAccessStrategy(t, g.Descs, 8192)!;
            Assert.Equal(N / 8, ring.nbuffers);
            Assert.Empty(FreelistCheck.Check(g.Strategy, new[] { ring }));
        }
        AssertReports(g, "F7:", new[] { new BufferAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, N / 8 + 1, g.Descs) });
        AssertReports(g, "F7:", new[] { new BufferAccessStrategy(BufferAccessStrategyType.BAS_NORMAL, 1, g.Descs) });
        // Without a pool (a pin-only test ring) only the pool-independent part is judged.
        Assert.Empty(FreelistCheck.Check(g.Strategy, new[] { new BufferAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, N) }));
    }
}
