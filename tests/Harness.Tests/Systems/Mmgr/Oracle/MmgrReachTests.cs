// The mmgr reach goals are observed where slab.c, aset.c and mcxt.c act: a Slab keeps up to
// SLAB_MAXIMUM_EMPTY_BLOCKS (10) emptied blocks and free()s the next ones, so emptying ten
// blocks reaches nothing and emptying twelve reaches slab-empty-block-freed (twice in the heap,
// once as a goal of the run); a chunk above allocChunkLimit has an AllocSet block of its
// own that pfree returns; a reset gives blocks back while the context lives on; a palloc in a Slab
// with partly used blocks on blocklists 1 and 2 is the choice slab.c makes fullest first. The
// general property and fuzz inputs (at most 64 operations) never empty eleven Slab blocks; the
// "slab" property's Slab-shaped lists (SlabGen, SlabGenTests) reach both Slab goals.
using Allocator.Mmgr;
using Harness.Core;
using Harness.Systems.Mmgr;
using Harness.Systems.Mmgr.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Oracle;

public sealed class MmgrReachTests
{
    private static ReachTally Run(IReadOnlyList<AllocatorOp> ops)
    {
        var runner = new AllocatorRunner(RunnerOptions.ForChecking(true));
        RunResult r = runner.Run(ops);
        Assert.False(r.Aborted);
        Assert.True(r.Passed, r.Outcome.ToString());
        var tally = new ReachTally("test", runner.Reach.Goals);
        tally.Record(runner.Reach);
        return tally;
    }

    /// <summary>A Slab of three 256-byte chunks per 1 KiB block ((1024 - header) / (256 + 16)):
    /// 3n allocations fill n blocks; then every chunk is freed, emptying all n.</summary>
    private static List<AllocatorOp> SlabEmptied(int n)
    {
        var ops = new List<AllocatorOp> { new CreateContext(ContextKind.Slab, 0, 0, 1024, 0, 256) };
        for (int i = 0; i < 3 * n; i++) ops.Add(new Alloc(0, 256, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0));
        for (int i = 0; i < 3 * n; i++) ops.Add(new Free(0));
        return ops;
    }

    [Fact]
    public void A_slab_frees_an_emptied_block_only_beyond_the_ten_it_keeps()
    {
        Assert.Equal(0, Run(SlabEmptied(10)).HitsOf(MmgrReach.SlabEmptyBlockFreed));
        Assert.Equal(1, Run(SlabEmptied(12)).HitsOf(MmgrReach.SlabEmptyBlockFreed));
    }

    /// <summary>A Slab of six 8-byte chunks per block in the checking build ((240 - 48) / 32), so
    /// blocklist 1 holds blocks with 1..4 free chunks and blocklist 2 those with 5: block A is
    /// filled, block B gets three chunks (blocklist 1), then <paramref name="freedFromA"/> of A's
    /// chunks are freed (5: A moves to blocklist 2) and one more palloc follows.</summary>
    private static List<AllocatorOp> SlabTwoBlocks(int freedFromA)
    {
        var ops = new List<AllocatorOp> { new CreateContext(ContextKind.Slab, 0, 0, 240, 0, 8) };
        for (int i = 0; i < 9; i++) ops.Add(new Alloc(0, 8, AllocFlags.None, AllocEntry.MemoryContextAlloc, true, 0));
        for (int i = 0; i < freedFromA; i++) ops.Add(new Free(0));   // the oldest live chunk: A's
        ops.Add(new Alloc(0, 8, AllocFlags.None, AllocEntry.MemoryContextAlloc, true, 0));
        return ops;
    }

    [Fact]
    public void A_slab_palloc_chooses_between_blocklists_only_when_both_hold_blocks()
    {
        Assert.Equal(0, Run(SlabTwoBlocks(4)).HitsOf(MmgrReach.SlabBlocklistChoice));
        Assert.Equal(1, Run(SlabTwoBlocks(5)).HitsOf(MmgrReach.SlabBlocklistChoice));
    }

    [Fact]
    public void A_large_aset_chunk_and_a_reset_give_blocks_back()
    {
        ReachTally t = Run(
        [
            new CreateContext(ContextKind.AllocSet, 0, 0, 8192, 8 * 1024 * 1024, 0),
            new Alloc(0, 100_000, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0),   // above allocChunkLimit: a block of its own
            new Free(0),
            new Alloc(0, 9000, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0),
            new Alloc(0, 9000, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0),
            new Reset(0),
        ]);
        Assert.Equal(1, t.HitsOf(MmgrReach.AsetBlockFreed));
        Assert.Equal(1, t.HitsOf(MmgrReach.ResetKeptKeeper));
        Assert.Equal(0, t.HitsOf(MmgrReach.SlabEmptyBlockFreed));
    }
}
