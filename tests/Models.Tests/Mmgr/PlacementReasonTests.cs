// PlacementReason: the accounting models explain each placement with a value that is formatted
// only when a pointer disagrees. These tests drive each model through its rules and pin the text
// of every explanation (the texts the models used to format eagerly, which failure messages and
// stored expectations carry), and check that an explanation is a copy: it keeps saying what the
// block was when the chunk was placed, whatever happens to the block afterwards.
using Models.Mmgr;
using Xunit;

namespace Models.Tests.Mmgr;

public class PlacementReasonTests
{
    private static AllocSetAccounting AllocSet() =>
        new("a", false, 8192, 8 << 20, 8192, ChunkGeometry.AllocSetChunkLimit(8 << 20, 8));

    [Fact]
    public void AllocSet_explains_carving_reuse_dedicated_blocks_realloc_and_in_place()
    {
        AllocSetAccounting a = AllocSet();
        Placement carved = a.Alloc(63);
        Assert.Equal("a new 64-byte chunk carved from keeper block #0", carved.How);
        a.Free(carved.Chunk);
        Assert.Equal("the newest chunk on free list 3 (chunk at offset 40 of keeper block #0 (64 bytes))", a.Alloc(60).How);
        Placement big = a.Alloc(100000);
        Assert.Equal("a dedicated dedicated block #1 linked second in the block list", big.How);
        Placement grown = a.Realloc(big.Chunk, 200000);
        Assert.Equal($"dedicated block #1 realloc()ed to {big.Chunk.Block.Size} bytes", grown.How);
        Assert.True(grown.MayMove);
        Assert.Equal("in place (chunk at offset 40 of keeper block #0 (64 bytes))", a.Realloc(carved.Chunk, 50).How);
        // the keeper (8 KiB) cannot hold an 8 KiB chunk: a new block, doubled until it fits
        Placement fresh = a.Alloc(8000);
        Assert.Equal($"a new 8192-byte chunk carved from block #2 ({fresh.Chunk.Block.Size} bytes)", fresh.How);
    }

    [Fact]
    public void Generation_explains_current_freeblock_new_and_dedicated_blocks()
    {
        var g = new GenerationAccounting("g", false, 8192, 8192, 8192, ChunkGeometry.FractionChunkLimit(8192, 8, 56));
        Assert.Equal("carved from the current keeper block #0", g.Alloc(500).How);
        var first = new List<AccountingChunk>();
        for (int i = 0; i < 14; i++) g.Alloc(500);
        Placement opened = g.Alloc(500);
        Assert.Equal("carved from a new block #1 (8192 bytes)", opened.How);
        first.Add(opened.Chunk);
        for (int i = 0; i < 14; i++) first.Add(g.Alloc(500).Chunk);
        g.Alloc(500);   // block #2 becomes current
        foreach (AccountingChunk c in first) g.Free(c);   // block #1 empties: the freeblock
        for (int i = 0; i < 14; i++) g.Alloc(500);
        Assert.Equal("carved from the reused freeblock block #1 (8192 bytes)", g.Alloc(500).How);
        Assert.Equal("a dedicated dedicated block #3 pushed at the head of the block list", g.Alloc(600).How);
    }

    [Fact]
    public void Slab_explains_new_empty_and_blocklist_blocks_and_the_same_size_realloc()
    {
        var (_, full, perBlock) = ChunkGeometry.Slab(1024, 100, false);
        var s = new SlabAccounting("s", false, 1024, full, (int)perBlock);
        Placement first = s.Alloc(100);
        Assert.Equal("from a new block #0 (1024 bytes)", first.How);
        Placement second = s.Alloc(100);
        Assert.StartsWith("from block #0 (1024 bytes) at the head of blocklist ", second.How);
        Assert.Equal("unchanged (same size)", s.Realloc(second.Chunk, 100).How);
        s.Free(first.Chunk);
        s.Free(second.Chunk);   // the block empties and is kept on emptyblocks
        Assert.Equal("from the empty block #0 (1024 bytes) at the head of emptyblocks", s.Alloc(100).How);
    }

    [Fact]
    public void Bump_explains_the_head_new_and_dedicated_blocks()
    {
        var b = new BumpAccounting("b", false, 8192, 8 << 20, 8192, ChunkGeometry.FractionChunkLimit(8 << 20, 0, 32));
        Assert.Equal("carved from the head keeper block #0", b.Alloc(8000).How);
        Assert.Equal("carved from a new block #1 (8192 bytes)", b.Alloc(8000).How);
        Assert.Equal("a dedicated dedicated block #2 pushed at the tail of the block list", b.Alloc(600000).How);
    }

    [Fact]
    public void An_explanation_keeps_the_block_as_it_was_when_the_chunk_was_placed()
    {
        AllocSetAccounting a = AllocSet();
        Placement big = a.Alloc(100000);
        Placement grown = a.Realloc(big.Chunk, 200000);
        string before = grown.How;
        a.Realloc(big.Chunk, 300000);   // the same block, realloc()ed again: a bigger Size
        Assert.Equal(before, grown.How);
        Assert.NotEqual(before, $"dedicated block #1 realloc()ed to {big.Chunk.Block.Size} bytes");
    }
}
