// Tests of the accounting model itself (AccountingModel and the per-type classes): the block-size
// sequence, where blocks and chunks go, free-list LIFO reuse, remainder carving, Generation's
// freeblock, Slab's blocklists and empty-block retention, Bump's dedicated blocks at the tail,
// recycled AllocSets, and the figures MemoryContextStats would print, with values worked out by
// hand from aset.c, generation.c, slab.c and bump.c. (The golden vectors then hold the model to
// PostgreSQL's C over 300 streams: Harness.Tests AccountingGoldenTests.)
using Models.Mmgr;
using Xunit;

namespace Models.Tests.Mmgr;

public class AccountingModelTests
{
    private static AllocSetAccounting DefaultAllocSet(bool checking = false) =>
        new("a", checking, 8192, 8 << 20, 8192, ChunkGeometry.AllocSetChunkLimit(8 << 20, checking ? 16UL : 8UL));

    [Fact]
    public void Block_sizes_double_up_to_the_cap_and_restart()
    {
        var s = new BlockSizeSequence(1024, 4096);
        Assert.Equal([1024UL, 2048, 4096, 4096], new[] { s.Take(), s.Take(), s.Take(), s.Take() });
        s.Restart();
        Assert.Equal(1024UL, s.Take());
        Assert.Equal(16384UL, BlockSizeSequence.FitByDoubling(8192, 8192 + 40 + 8));
        Assert.Equal(32768UL, BlockSizeSequence.FitByDoubling(8192, 16384 + 1));
        Assert.Equal(16384UL, BlockSizeSequence.FitByNextPow2(8192, 8192 + 56 + 8));
        Assert.Equal(8192UL, BlockSizeSequence.FitByNextPow2(8192, 100));
    }

    [Fact]
    public void AllocSet_starts_with_its_keeper_and_carves_power_of_two_chunks()
    {
        AllocSetAccounting a = DefaultAllocSet();
        Assert.Equal(new ContextFigures(1, 8192, 7952, 0, 8192), a.Figures());
        Placement p = a.Alloc(63);
        Assert.Equal(64UL, p.Chunk.DataSize);
        Assert.Equal(40UL, p.Chunk.Offset);
        Assert.Equal(new ContextFigures(1, 8192, 7952 - 72, 0, 8192), a.Figures());
    }

    [Fact]
    public void AllocSet_free_lists_are_LIFO_per_size_class()
    {
        AllocSetAccounting a = DefaultAllocSet();
        AccountingChunk x = a.Alloc(100).Chunk, y = a.Alloc(120).Chunk, z = a.Alloc(20).Chunk;
        a.Free(x);
        a.Free(y);
        a.Free(z);
        Assert.Equal(3UL, a.Figures().FreeChunks);
        Assert.Same(y, a.Alloc(128).Chunk);   // newest 128-byte chunk first
        Assert.Same(x, a.Alloc(65).Chunk);
        Assert.Same(z, a.Alloc(17).Chunk);
        Assert.NotSame(x, a.Alloc(100).Chunk);   // list empty: carved anew
    }

    [Fact]
    public void AllocSet_dedicated_block_is_linked_second_and_unlinked_on_free()
    {
        AllocSetAccounting a = DefaultAllocSet();
        AccountingChunk small = a.Alloc(8000).Chunk;   // the 8192 class does not fit the keeper: a 16 KiB block
        AccountingBlock active = a.Blocks[0];
        AccountingChunk big = a.Alloc(10000).Chunk;
        Assert.True(big.Dedicated);
        Assert.Same(active, a.Blocks[0]);
        Assert.Same(big.Block, a.Blocks[1]);
        Assert.Equal(10000UL + 40 + 8, big.Block.Size);
        ulong memBefore = a.Figures().MemAllocated;
        a.Free(big);
        Assert.Equal(memBefore - 10048, a.Figures().MemAllocated);
        Assert.DoesNotContain(big.Block, a.Blocks);
        Assert.Same(small.Block, a.Blocks[0]);
        Assert.Equal(16384UL, small.Block.Size);
    }

    [Fact]
    public void AllocSet_new_block_carves_the_old_remainder_onto_free_lists_and_follows_the_sequence()
    {
        var a = new AllocSetAccounting("a", false, 1024, 8192, 1024, ChunkGeometry.AllocSetChunkLimit(8192, 8));
        Assert.Equal(1024UL, a.AllocChunkLimit);
        // keeper: 1024 - 200 = 824 bytes, 784 after its block header; a 256-byte chunk takes 264
        a.Alloc(256);
        a.Alloc(256);   // 256 bytes left
        a.Alloc(256);   // needs 264: a new 1024-byte block, and the 256 left are carved first
        ContextFigures f = a.Figures();
        Assert.Equal(2UL, f.NBlocks);
        Assert.Equal(2048UL, f.MemAllocated);
        // 256 left: 128-byte chunk (136 with header), 120 left: 64-byte chunk, 48 left: 32-byte
        // chunk, 8 left: below the smallest chunk with its header
        Assert.Single(a.FreeList(4));
        Assert.Single(a.FreeList(3));
        Assert.Single(a.FreeList(2));
        Assert.Equal(2048UL, a.Sizes.Next);
        a.Reset();
        Assert.Equal(new ContextFigures(1, 1024, 784, 0, 1024), a.Figures());
        Assert.Equal(1024UL, a.Sizes.Next);
    }

    [Fact]
    public void AllocSet_failed_block_malloc_still_carves_and_advances()
    {
        var a = new AllocSetAccounting("a", false, 1024, 8192, 1024, 1024);
        a.Alloc(512);
        Assert.Null(a.AllocFailed(512));
        Assert.Equal(1UL, a.Figures().NBlocks);
        Assert.Equal(2048UL, a.Sizes.Next);
        Assert.True(a.Figures().FreeChunks > 0);
        Assert.Single(a.FreeList(5));   // the 264 bytes left were exactly one 256-byte chunk
        Assert.NotNull(a.AllocFailed(256));     // that chunk is at hand: PostgreSQL makes no malloc
    }

    [Fact]
    public void Generation_reuses_one_freeblock_and_marks_keeper_and_current_empty_in_place()
    {
        // 8 KiB blocks, allocChunkLimit 512; 500-byte requests take 504 + 8 = 512 bytes: the keeper
        // (8192 - 128 - 56 = 8008 bytes) and each new block (8192 - 56 = 8136) hold 15 of them.
        var g = new GenerationAccounting("g", false, 8192, 8192, 8192, ChunkGeometry.FractionChunkLimit(8192, 8, 56));
        Assert.Equal(512UL, g.AllocChunkLimit);
        var keeper = new List<AccountingChunk>();
        var first = new List<AccountingChunk>();
        for (int i = 0; i < 15; i++) keeper.Add(g.Alloc(500).Chunk);
        for (int i = 0; i < 15; i++) first.Add(g.Alloc(500).Chunk);
        AccountingChunk inSecond = g.Alloc(500).Chunk;
        Assert.Equal(3, g.Blocks.Count);
        Assert.NotSame(first[0].Block, inSecond.Block);
        foreach (AccountingChunk c in first) g.Free(c);   // neither keeper nor current: the freeblock
        Assert.Same(first[0].Block, g.FreeBlock);
        Assert.Equal(8192UL - 56, first[0].Block.FreeBytes);
        foreach (AccountingChunk c in keeper) g.Free(c);   // the keeper is marked empty in place
        Assert.Equal(8008UL, keeper[0].Block.FreeBytes);
        Assert.Equal(3, g.Blocks.Count);
        for (int i = 0; i < 14; i++) g.Alloc(500);          // fills the current block
        AccountingChunk reused = g.Alloc(500).Chunk;        // the freeblock serves before any malloc
        Assert.Same(first[0].Block, reused.Block);
        Assert.Null(g.FreeBlock);
        Assert.Equal(3, g.Blocks.Count);
        g.Free(reused);                                     // the current block: marked empty, kept
        Assert.Equal(3, g.Blocks.Count);
        Assert.Null(g.FreeBlock);
        g.Reset();
        Assert.Equal(new ContextFigures(1, 8192, 8008, 0, 8064), g.Figures());
    }

    [Fact]
    public void Generation_freed_dedicated_block_becomes_the_freeblock()
    {
        var g = new GenerationAccounting("g", false, 8192, 8 << 20, 8192, ChunkGeometry.FractionChunkLimit(8 << 20, 8, 56));
        AccountingChunk big = g.Alloc(600000).Chunk;
        Assert.True(big.Dedicated);
        Assert.Same(big.Block, g.Blocks[0]);
        g.Free(big);
        Assert.Same(big.Block, g.FreeBlock);
        Assert.Equal(big.Block.Size - 56, big.Block.FreeBytes);
    }

    [Fact]
    public void Slab_serves_the_fullest_blocks_first_and_keeps_ten_empty_blocks()
    {
        var (_, full, perBlock) = ChunkGeometry.Slab(1024, 100, false);
        var s = new SlabAccounting("s", false, 1024, full, (int)perBlock);
        Assert.Equal(new ContextFigures(0, ChunkGeometry.SlabHeader, 0, 0, 0), s.Figures());
        var chunks = new List<AccountingChunk>();
        for (int i = 0; i < 12 * (int)perBlock; i++) chunks.Add(s.Alloc(100).Chunk);
        Assert.Equal(12UL, s.Figures().NBlocks);
        Assert.Equal(0UL, s.Figures().FreeChunks);
        foreach (AccountingChunk c in chunks) s.Free(c);
        ContextFigures f = s.Figures();
        Assert.Equal(0UL, f.NBlocks);
        Assert.Equal(10, s.EmptyBlocks.Count);
        Assert.Equal(10UL * 1024, f.MemAllocated);
        Assert.Equal(ChunkGeometry.SlabHeader + 10UL * 1024, f.TotalSpace);
        AccountingChunk again = s.Alloc(100).Chunk;
        Assert.Same(s.Blocklist(1).Count > 0 ? s.Blocklist(1)[0] : s.Blocklist(2)[0], again.Block);
        Assert.Equal(10UL * 1024, s.Figures().MemAllocated);   // an empty block was reused, no malloc
    }

    [Fact]
    public void Slab_hands_out_the_last_freed_chunk_of_a_block_first()
    {
        var (_, full, perBlock) = ChunkGeometry.Slab(8192, 40, false);
        var s = new SlabAccounting("s", false, 8192, full, (int)perBlock);
        AccountingChunk a = s.Alloc(40).Chunk, b = s.Alloc(40).Chunk, c = s.Alloc(40).Chunk;
        Assert.Equal([48UL, 48 + full, 48 + 2 * full], new[] { a.Offset, b.Offset, c.Offset });
        s.Free(a);
        s.Free(c);
        Assert.Equal(c.Offset, s.Alloc(40).Chunk.Offset);
        Assert.Equal(a.Offset, s.Alloc(40).Chunk.Offset);
        Assert.Equal(48 + 3 * full, s.Alloc(40).Chunk.Offset);
    }

    [Fact]
    public void Bump_links_dedicated_blocks_at_the_tail_and_counts_its_header_in_mem_allocated()
    {
        var b = new BumpAccounting("b", false, 8192, 8 << 20, 8192, ChunkGeometry.FractionChunkLimit(8 << 20, 0, 32));
        Assert.Equal(new ContextFigures(1, 8192 - 112, 8192 - 112 - 32, 0, 8192), b.Figures());
        b.Alloc(8000);
        AccountingChunk big = b.Alloc(600000).Chunk;
        b.Alloc(8000);
        Assert.Same(big.Block, b.Blocks[^1]);
        Assert.Equal(3, b.Blocks.Count);
        Assert.Equal(8192UL, b.Blocks[0].Size);   // the sequence starts at initBlockSize...
        Assert.Equal(16384UL, b.Sizes.Next);      // ...and doubles for the next block
    }

    [Fact]
    public void Recycled_AllocSet_keeps_its_first_lifes_chunk_limit()
    {
        var model = new AllocatorModel(new ModelOptions());
        var acct = new AccountingModel(false);
        acct.AttachRoots(model);
        ModelContext first = model.CommitCreate(ModelContextKind.AllocSet, model.Top, 0, 8192, 8192, 0, 0x1000);
        acct.Created(first);
        Assert.Equal(1024UL, ((AllocSetAccounting)first.Accounting!).AllocChunkLimit);
        acct.Delete(first);
        model.Delete(first);
        ModelContext second = model.CommitCreate(ModelContextKind.AllocSet, model.Top, 0, 8192, 8 << 20, 0, 0x1000);
        acct.Created(second);
        var a = (AllocSetAccounting)second.Accounting!;
        Assert.Equal(1024UL, a.AllocChunkLimit);   // quirk Q1
        Assert.Equal(8UL << 20, a.Sizes.MaxBlockSize);
    }

    [Fact]
    public void Pointers_are_predicted_once_the_block_address_is_known()
    {
        var model = new AllocatorModel(new ModelOptions());
        var acct = new AccountingModel(false);
        acct.AttachRoots(model);
        ModelContext c = model.CommitCreate(ModelContextKind.AllocSet, model.Top, 0, 8192, 8 << 20, 0, 0x10000);
        acct.Created(c);
        ModelChunk x = Commit(model, c, 100, 0x10000 + 200 + 40 + 8);
        Assert.Null(acct.Allocated(x, 100, 0, x.Address));
        ModelChunk y = Commit(model, c, 100, 0x10000 + 200 + 40 + 8 + 136);
        Assert.Null(acct.Allocated(y, 100, 0, y.Address));
        acct.Freed(x);
        model.CommitFree(x);
        ModelChunk z = Commit(model, c, 128, 0x99990);
        string? complaint = acct.Allocated(z, 128, 0, z.Address);
        Assert.NotNull(complaint);
        Assert.Contains("free list 4", complaint);
        Assert.Equal(3, acct.PointersPredicted);
    }

    private static ModelChunk Commit(AllocatorModel m, ModelContext c, ulong size, ulong address)
    {
        m.PlanAlloc(c, size, 0, ModelAllocEntry.MemoryContextAlloc, 0, out AllocPlan plan);
        return m.CommitAlloc(plan, address);
    }
}
