// Tests of SlabGen, the generator of the "slab" property: its lists reach the two slab.c states
// AllocatorGen's general lists at the gate's 64 ops do not (a palloc choosing between blocks on
// blocklists 1 and 2; a block freed beyond the ten empty ones kept), in both builds, from a fixed
// FsCheck seed, and the faithful port passes every one of them. The general generator's rate is
// measured beside it, so the gap the slab property closes stays visible. The gate's planted bug
// SlabEmptierBlocksFirst (slab.c's fullest-first policy reversed) fails the slab property.
using Allocator.Mmgr;
using FsCheck.Fluent;
using FsCheck;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr;
using Harness.Systems.Mmgr.Oracle;
using Harness.Systems.Mmgr.Properties;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Properties;

public sealed class SlabGenTests
{
    private const int Lists = 200;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Slab_lists_reach_both_blocklists_and_a_freed_empty_block(bool checking)
    {
        ReachTally t = GenReach.Tally(SlabGen.Ops(160), checking, Lists);
        long choice = t.HitsOf(MmgrReach.SlabBlocklistChoice), freed = t.HitsOf(MmgrReach.SlabEmptyBlockFreed);
        Assert.True(choice >= Lists / 40, $"{choice} of {Lists} lists had a palloc choose between blocklists 1 and 2");
        Assert.True(freed >= Lists / 40, $"{freed} of {Lists} lists freed an empty Slab block beyond the ten kept");
    }

    [Fact]
    public void General_lists_at_the_gate_length_seldom_reach_them()
    {
        ReachTally general = GenReach.Tally(AllocatorGen.Ops(64, hostile: false), checking: true, Lists);
        ReachTally slab = GenReach.Tally(SlabGen.Ops(160), checking: true, Lists);
        Assert.True(slab.HitsOf(MmgrReach.SlabBlocklistChoice) > 4 * general.HitsOf(MmgrReach.SlabBlocklistChoice),
            $"slab {slab.HitsOf(MmgrReach.SlabBlocklistChoice)}, general {general.HitsOf(MmgrReach.SlabBlocklistChoice)}");
        Assert.True(slab.HitsOf(MmgrReach.SlabEmptyBlockFreed) > general.HitsOf(MmgrReach.SlabEmptyBlockFreed),
            $"slab {slab.HitsOf(MmgrReach.SlabEmptyBlockFreed)}, general {general.HitsOf(MmgrReach.SlabEmptyBlockFreed)}");
    }

    [Fact]
    public void Lists_open_with_a_small_slab_and_keep_to_the_length_bound()
    {
        foreach (AllocatorOp[] ops in SlabGen.Ops(40).Sample(Lists, GenReach.FixedStart, 50))
        {
            Assert.InRange(ops.Length, 1, 40);
            var create = Assert.IsType<CreateContext>(ops[0]);
            Assert.Equal(ContextKind.Slab, create.Kind);
            // at least two chunks per block in the checking build (one would trap from the second
            // block on, SlabAllocFromNewBlock's assertion), at most 31
            Assert.InRange(Models.Mmgr.ChunkGeometry.Slab(create.InitBlockSize, create.ChunkSize, checking: true).PerBlock, 2UL, 31UL);
        }
    }

    [Fact]
    public void The_slab_property_catches_the_blocklist_policy_reversed()
    {
        PropertyFailure f = GenReach.CaughtGateCanary(AllocatorProperties.Suite, nameof(AllocatorCanary.SlabEmptierBlocksFirst));
        Assert.Contains("Slab/", f.Outcome.Site);   // Alloc/Slab/placement, as a rule
    }
}
