// Tests of GenerationGen, the generator of the "generation" property: its lists make a palloc take
// a freeblock that has exactly the bytes the chunk needs (the edge of GenerationAlloc's >= test),
// in both builds, from a fixed FsCheck seed, and the faithful port passes every one of them; the
// general generator never gets there. The exact-fit sizes are checked against the accounting
// model's own arithmetic, and the gate's planted bug GenerationFreeblockExactFitRefused (the >=
// made >) fails the generation property.
using Allocator.Mmgr;
using FsCheck.Fluent;
using FsCheck;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr;
using Harness.Systems.Mmgr.Oracle;
using Harness.Systems.Mmgr.Properties;
using Models.Mmgr;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Properties;

public sealed class GenerationGenTests
{
    private const int Lists = 400;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Generation_lists_reach_an_exact_fit_of_the_freeblock(bool checking)
    {
        ReachTally t = GenReach.Tally(GenerationGen.Ops(96), checking, Lists);
        long exact = t.HitsOf(MmgrReach.GenerationFreeblockExactFit);
        Assert.True(exact >= Lists / 200, $"{exact} of {Lists} lists had a palloc fill the freeblock exactly");
        Assert.True(t.HitsOf(MmgrReach.GenerationBlockFreed) >= Lists / 20, $"{t.HitsOf(MmgrReach.GenerationBlockFreed)} lists freed a Generation block");
    }

    [Fact]
    public void General_lists_at_the_gate_length_never_fill_a_freeblock_exactly()
    {
        ReachTally general = GenReach.Tally(AllocatorGen.Ops(64, hostile: false), checking: true, Lists);
        Assert.Equal(0, general.HitsOf(MmgrReach.GenerationFreeblockExactFit));
    }

    [Theory]
    [InlineData(true, 16UL)]
    [InlineData(false, 8UL)]
    public void An_exact_fit_size_makes_a_chunk_and_header_of_exactly_the_free_bytes(bool checking, ulong header)
    {
        foreach (ulong init in new ulong[] { 1024, 2048, 4096, 8192 })
            foreach (ulong free in new[] { GenerationGen.KeeperFree(init), GenerationGen.BlockFree(init, 0), GenerationGen.BlockFree(init, 2) })
            {
                ulong size = GenerationGen.ExactFit(free, checking);
                Assert.Equal(free, ChunkGeometry.AlignedData(size, checking) + header);
                // the other build's exact size misses by one MAXALIGN step
                Assert.NotEqual(free, ChunkGeometry.AlignedData(GenerationGen.ExactFit(free, !checking), checking) + header);
            }
    }

    [Fact]
    public void Lists_open_with_a_generation_create_and_keep_to_the_length_bound()
    {
        foreach (AllocatorOp[] ops in GenerationGen.Ops(40).Sample(Lists, GenReach.FixedStart, 50))
        {
            Assert.InRange(ops.Length, 1, 40);
            var create = Assert.IsType<CreateContext>(ops[0]);
            Assert.Equal(ContextKind.Generation, create.Kind);
            Assert.InRange(create.MaxBlockSize / create.InitBlockSize, 16UL, 64UL);
        }
    }

    [Fact]
    public void The_generation_property_catches_an_exact_fit_refused()
    {
        PropertyFailure f = GenReach.CaughtGateCanary(AllocatorProperties.Suite, nameof(AllocatorCanary.GenerationFreeblockExactFitRefused));
        Assert.Contains("Generation/placement", f.Outcome.Site);
    }
}
