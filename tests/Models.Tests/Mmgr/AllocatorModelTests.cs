// Tests of the reference model itself: its formulas against the spec's worked values, its tree
// semantics (orders of children, deletes and callbacks), recycling, the quirks and the ERRORs it
// predicts. If the model is wrong, every property built on it is wrong, so it is pinned here.
using Models.Mmgr;
using Xunit;

namespace Models.Tests.Mmgr;

public class AllocatorModelTests
{
    private static AllocatorModel New(bool checking = false) => new(new ModelOptions { Checking = checking, TrackFreed = true, Clobber = checking });

    private static ModelContext Create(AllocatorModel m, ModelContextKind kind, ModelContext? parent, ulong min = 0, ulong init = 8192, ulong max = 8 << 20, ulong chunk = 0)
    {
        Assert.Equal(ExpectKind.Ok, m.PlanCreate(kind, min, init, max, chunk).Kind);
        return m.CommitCreate(kind, parent, min, init, max, chunk, 0x1000UL * (ulong)(m.UserContexts.Count + 1));
    }

    private static ModelChunk Alloc(AllocatorModel m, ModelContext c, ulong size, ulong addr)
    {
        Expectation e = m.PlanAlloc(c, size, 0, ModelAllocEntry.MemoryContextAlloc, 0, out AllocPlan plan);
        Assert.Equal(ExpectKind.Ok, e.Kind);
        return m.CommitAlloc(plan, addr);
    }

    [Theory]
    [InlineData(8UL << 20, 8UL, 8192UL)]
    [InlineData(8192UL, 8UL, 1024UL)]
    [InlineData(8192UL, 16UL, 1024UL)]
    public void AllocSetChunkLimit_MatchesSpec(ulong max, ulong hdr, ulong limit) =>
        Assert.Equal(limit, ChunkGeometry.AllocSetChunkLimit(max, hdr));

    [Fact]
    public void FractionChunkLimit_Is524288_At8MiB()
    {
        Assert.Equal(524288UL, ChunkGeometry.FractionChunkLimit(8 << 20, 8, 56));
        Assert.Equal(524288UL, ChunkGeometry.FractionChunkLimit(8 << 20, 0, 32));
    }

    [Theory]
    [InlineData(0UL, 0)] [InlineData(8UL, 0)] [InlineData(9UL, 1)] [InlineData(16UL, 1)] [InlineData(17UL, 2)]
    [InlineData(100UL, 4)] [InlineData(4097UL, 10)] [InlineData(8192UL, 10)]
    public void FreeIndex_MatchesTable(ulong size, int idx) => Assert.Equal(idx, ChunkGeometry.AllocSetFreeIndex(size));

    [Fact]
    public void ChunkSpace_FollowsEachTypesFormula()
    {
        AllocatorModel m = New();
        ModelContext aset = Create(m, ModelContextKind.AllocSet, m.Top);
        Assert.Equal(16UL, m.ChunkSpace(Alloc(m, aset, 1, 0x10)));          // 8-byte chunk + 8-byte header
        Assert.Equal(136UL, m.ChunkSpace(Alloc(m, aset, 100, 0x20)));       // 128 + 8
        Assert.Equal(10008UL, m.ChunkSpace(Alloc(m, aset, 10000, 0x30)));   // dedicated: MAXALIGN(10000) + 8
        ModelContext gen = Create(m, ModelContextKind.Generation, m.Top);
        Assert.Equal(112UL, m.ChunkSpace(Alloc(m, gen, 100, 0x40)));        // MAXALIGN(100) + 8
        ModelContext slab = Create(m, ModelContextKind.Slab, m.Top, init: 8192, chunk: 5);
        Assert.Equal(8UL, slab.SlabChunkSize);                              // Q3: raised to 8
        ModelContext bump = Create(m, ModelContextKind.Bump, m.Top);
        Assert.Equal(104UL, m.ChunkSpace(Alloc(m, bump, 100, 0x50)));       // no header without checking
    }

    [Fact]
    public void Children_AreNewestFirst_AndDeleteRunsCallbacksBottomUpNewestSiblingFirst()
    {
        AllocatorModel m = New();
        ModelContext a = Create(m, ModelContextKind.AllocSet, m.Top);
        ModelContext b = Create(m, ModelContextKind.AllocSet, a);
        ModelContext c = Create(m, ModelContextKind.AllocSet, a);
        Assert.Equal([c, b], a.Children);
        int ca = m.RegisterCallback(a), cb = m.RegisterCallback(b), cc = m.RegisterCallback(c), ca2 = m.RegisterCallback(a);
        m.Delete(a);
        Assert.Equal([cc, cb, ca2, ca], m.FiredCallbacks);
        Assert.Empty(m.UserContexts);
    }

    [Fact]
    public void ResetChildren_IsPreOrder_QuirkQ4()
    {
        AllocatorModel m = New();
        ModelContext a = Create(m, ModelContextKind.AllocSet, m.Top);
        ModelContext child = Create(m, ModelContextKind.AllocSet, a);
        ModelContext grandchild = Create(m, ModelContextKind.AllocSet, child);
        int g = m.RegisterCallback(grandchild), ch = m.RegisterCallback(child);
        m.ResetChildren(a);
        Assert.Equal([ch, g], m.FiredCallbacks);   // the child before its own child
        Assert.True(child.IsReset && grandchild.IsReset);
    }

    [Fact]
    public void Reset_DeletesChildrenThenResetsItself()
    {
        AllocatorModel m = New();
        ModelContext a = Create(m, ModelContextKind.AllocSet, m.Top);
        ModelContext b = Create(m, ModelContextKind.Generation, a);
        int cbA = m.RegisterCallback(a), cbB = m.RegisterCallback(b);
        Alloc(m, a, 10, 0x100);
        m.Reset(a);
        Assert.Equal([cbB, cbA], m.FiredCallbacks);
        Assert.True(b.Deleted);
        Assert.True(a.IsReset);
        Assert.Empty(m.Chunks);
    }

    [Fact]
    public void Recycling_101DeletesLeaveOneContextOnList0()
    {
        AllocatorModel m = New();
        for (int i = 0; i < 101; i++) m.Delete(Create(m, ModelContextKind.AllocSet, m.Top));
        Assert.Equal(1, m.RecycledCount(0));
        Assert.Equal(8192UL, m.RecycledBytes());
    }

    [Fact]
    public void RecycledStartSmallAsSmall_KeepsOldChunkLimit_QuirkQ1()
    {
        AllocatorModel m = New();
        ModelContext startSmall = Create(m, ModelContextKind.AllocSet, m.Top, 0, 1024, 8 << 20);
        Assert.Equal(8192UL, startSmall.AllocChunkLimit);
        m.Delete(startSmall);
        ModelContext small = Create(m, ModelContextKind.AllocSet, m.Top, 0, 1024, 8192);
        Assert.Equal(8192UL, small.AllocChunkLimit);          // stale: a fresh SMALL context has 1024
        Assert.Equal(startSmall.Address, small.Address);      // the same header is reused
        Assert.Equal(8192UL, m.PlanAlloc(small, 8192, 0, ModelAllocEntry.MemoryContextAlloc, 0, out AllocPlan p).Kind == ExpectKind.Ok ? p.DataSize : 0);
        Assert.False(p.External);
    }

    [Fact]
    public void SlabRejectsOriginalSizeBelow8_QuirkQ3()
    {
        AllocatorModel m = New();
        ModelContext slab = Create(m, ModelContextKind.Slab, m.Top, init: 8192, chunk: 5);
        Expectation e = m.PlanAlloc(slab, 5, 0, ModelAllocEntry.Palloc, 0, out _);
        Assert.Equal("unexpected alloc chunk size 5 (expected 8)", e.Message);
    }

    [Fact]
    public void HugeWrappingSize_GenerationAndBump_QuirkQ2()
    {
        AllocatorModel off = New();
        ModelContext gen = Create(off, ModelContextKind.Generation, off.Top);
        Assert.Equal(ExpectKind.Ok, off.PlanAlloc(gen, ulong.MaxValue, 0, ModelAllocEntry.Palloc, 0, out AllocPlan p).Kind);
        Assert.True(p.Phantom);
        Assert.Equal(0UL, p.DataSize);
        AllocatorModel on = New(checking: true);
        ModelContext bump = Create(on, ModelContextKind.Bump, on.Top);
        Assert.Equal(ExpectKind.Abort, on.PlanAlloc(bump, ulong.MaxValue, 0, ModelAllocEntry.Palloc, 0, out _).Kind);
        ModelContext aset = Create(off, ModelContextKind.AllocSet, off.Top);
        Assert.Equal($"invalid memory alloc request size {ulong.MaxValue}", off.PlanAlloc(aset, ulong.MaxValue, 0, ModelAllocEntry.Palloc, 0, out _).Message);
    }

    [Fact]
    public void PredictedErrors_HavePostgreSqlsTexts()
    {
        AllocatorModel m = New(checking: true);
        Assert.Equal("block size 56 for slab is too small for 8-byte chunks", m.PlanCreate(ModelContextKind.Slab, 0, 56, 0, 1).Message);
        ModelContext aset = Create(m, ModelContextKind.AllocSet, m.Top);
        ModelChunk c = Alloc(m, aset, 100, 0x100);
        Assert.Equal("invalid repalloc0 call: oldsize 100, new size 50", m.PlanRealloc(c, 50, 0, 2, out _).Message);
        Assert.Equal("invalid memory alloc request size 1073741824", m.PlanAlloc(aset, 0x40000000, 0, ModelAllocEntry.AllocExtended, 0, out _).Message);
        Expectation oom = m.PlanAlloc(aset, 0x3FFFFFFF, 0, ModelAllocEntry.Palloc, 0, out _);
        Assert.Equal(("out of memory", $"Failed on request of size 1073741823 in memory context \"{aset.Name}\"."), (oom.Message, oom.Detail));
        Assert.Equal(ExpectKind.Null, m.PlanAlloc(aset, 0x3FFFFFFF, AllocatorModel.FlagNoOom, ModelAllocEntry.AllocExtended, 0, out _).Kind);
        ModelContext bump = Create(m, ModelContextKind.Bump, m.Top);
        ModelChunk b = Alloc(m, bump, 10, 0x200);
        Assert.Equal("pfree is not supported by the bump memory allocator", m.PlanFree(b, out _).Message);
        // Assert builds: repalloc calls GetMemoryChunkContext(pointer) first (mcxt.c repalloc).
        Assert.Equal("GetMemoryChunkContext is not supported by the bump memory allocator", m.PlanRealloc(b, 20, 0, 0, out _).Message);
        AllocatorModel noAsserts = new(new ModelOptions { Checking = true, AssertBuild = false });
        ModelContext bump2 = Create(noAsserts, ModelContextKind.Bump, noAsserts.Top);
        Assert.Equal("realloc is not supported by the bump memory allocator", noAsserts.PlanRealloc(Alloc(noAsserts, bump2, 10, 0x10), 20, 0, 0, out _).Message);
        ModelContext slab = Create(m, ModelContextKind.Slab, m.Top, init: 8192, chunk: 64);
        ModelChunk s = Alloc(m, slab, 64, 0x300);
        Assert.Equal("slab allocator does not support realloc()", m.PlanRealloc(s, 65, 0, 0, out _).Message);
    }

    [Fact]
    public void IsEmpty_FollowsEachType()
    {
        AllocatorModel m = New();
        ModelContext slab = Create(m, ModelContextKind.Slab, m.Top, init: 8192, chunk: 64);
        Assert.True(AllocatorModel.IsEmpty(slab));
        m.CommitFree(Alloc(m, slab, 64, 0x100));
        Assert.False(AllocatorModel.IsEmpty(slab));    // the empty block is retained
        ModelContext gen = Create(m, ModelContextKind.Generation, m.Top);
        m.CommitFree(Alloc(m, gen, 64, 0x200));
        Assert.True(AllocatorModel.IsEmpty(gen));      // no chunk left in any block
        ModelContext aset = Create(m, ModelContextKind.AllocSet, m.Top);
        m.CommitFree(Alloc(m, aset, 64, 0x300));
        Assert.False(AllocatorModel.IsEmpty(aset));    // AllocSet: isReset only
        ModelContext bump = Create(m, ModelContextKind.Bump, m.Top);
        Alloc(m, bump, 0, 0x400);
        Assert.True(AllocatorModel.IsEmpty(bump));     // Q9: palloc(0) does not advance freeptr
        Assert.False(AllocatorModel.IsEmpty(m.Top));   // it has children
    }

    [Fact]
    public void Realloc_InPlaceWhenItFits_KeepsKnownPrefix()
    {
        AllocatorModel m = New();
        ModelContext aset = Create(m, ModelContextKind.AllocSet, m.Top);
        ModelChunk c = Alloc(m, aset, 100, 0x100);
        m.WritePattern(c, 7);
        m.PlanRealloc(c, 120, 0, 0, out ReallocPlan grow);
        Assert.True(grow.InPlace);                       // 128-byte chunk
        m.CommitRealloc(grow, 0x100);
        Assert.Equal(100, c.KnownLength);
        m.PlanRealloc(c, 200, 0, 0, out ReallocPlan move);
        Assert.False(move.InPlace);
        m.CommitRealloc(move, 0x900);
        Assert.Equal(256UL, c.DataSize);
        Assert.Single(m.Freed);                          // the old chunk is on a free list now
    }
}
