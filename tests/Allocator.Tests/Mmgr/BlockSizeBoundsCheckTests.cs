// The block-size and chunk-limit bounds (AS11, GEN7, BU5; BlockSizeBounds): contexts that grow
// through the doubling sequence up to maxBlockSize and are reset stay silent; each corruption of
// nextBlockSize or allocChunkLimit is reported under the walker's number.
using Allocator.Mmgr;
using Xunit;

namespace Allocator.Tests.Mmgr;

public sealed class BlockSizeBoundsCheckTests
{
    private const ulong Init = 8192, Max = 64 * 1024;

    private static void AssertFires(IReadOnlyList<string> v, string id) =>
        Assert.Contains(v, s => s.StartsWith(id + ":", StringComparison.Ordinal));

    private static void AssertSilent(IReadOnlyList<string> v, string id) =>
        Assert.DoesNotContain(v, s => s.StartsWith(id + ":", StringComparison.Ordinal));

    /// <summary>A context of each kind with its nextBlockSize, maxBlockSize and allocChunkLimit offsets and walker number.</summary>
    public static TheoryData<string> Kinds() => new() { "aset", "generation", "bump" };

    private static (ulong Ctx, ulong OffNext, ulong OffLimit, string Id) Create(Mcxt m, string kind) => kind switch
    {
        "aset" => (m.AllocSetContextCreate(m.TopMemoryContext, "A", 0, Init, Max), AllocSetConstants.AsetOffNextBlockSize, AllocSetConstants.AsetOffAllocChunkLimit, "AS11"),
        "generation" => (m.GenerationContextCreate(m.TopMemoryContext, "G", 0, Init, Max), GenerationConstants.OffNextBlockSize, GenerationConstants.OffAllocChunkLimit, "GEN7"),
        _ => (m.BumpContextCreate(m.TopMemoryContext, "B", 0, Init, Max), BumpConstants.OffNextBlockSize, BumpConstants.OffAllocChunkLimit, "BU5"),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Growth_through_the_doubling_sequence_and_reset_stay_silent(string kind)
    {
        Mcxt m = McxtFixture.New(checking: true);
        var (ctx, offNext, _, id) = Create(m, kind);
        var seen = new HashSet<uint>();
        for (int i = 0; i < 400; i++)
        {
            m.MemoryContextAlloc(ctx, 700);
            seen.Add(m.Memory.ReadU32(ctx + offNext));
            AssertSilent(m.MemoryContextVerify(ctx), id);
        }
        Assert.Contains((uint)Max, seen); // it did reach the cap
        Assert.Contains((uint)(2 * Init), seen);
        m.MemoryContextReset(ctx);
        Assert.Equal((uint)Init, m.Memory.ReadU32(ctx + offNext));
        Assert.Empty(m.MemoryContextVerify(ctx));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NextBlockSize_off_the_doubling_sequence_or_out_of_range(string kind)
    {
        Mcxt m = McxtFixture.New(checking: true);
        var (ctx, offNext, _, id) = Create(m, kind);
        m.Memory.WriteU32(ctx + offNext, (uint)(3 * Init));   // in [init, max] but not init << k
        AssertFires(m.MemoryContextVerify(ctx), id);
        m.Memory.WriteU32(ctx + offNext, (uint)(Max * 2));     // above the cap
        AssertFires(m.MemoryContextVerify(ctx), id);
        m.Memory.WriteU32(ctx + offNext, (uint)(4 * Init));    // on the sequence again
        AssertSilent(m.MemoryContextVerify(ctx), id);
    }

    [Theory]
    [InlineData("generation")]
    [InlineData("bump")]
    public void AllocChunkLimit_too_large_for_the_block_fraction(string kind)
    {
        Mcxt m = McxtFixture.New(checking: true);
        var (ctx, _, offLimit, id) = Create(m, kind);
        uint limit = m.Memory.ReadU32(ctx + offLimit);
        m.Memory.WriteU32(ctx + offLimit, limit * 2);   // what the create function's halving loop rejected
        AssertFires(m.MemoryContextVerify(ctx), id);
        m.Memory.WriteU32(ctx + offLimit, limit);
        AssertSilent(m.MemoryContextVerify(ctx), id);
    }
}
