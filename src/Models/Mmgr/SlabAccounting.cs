// SlabAccounting: the accounting model of a Slab context (slab.c): fixed-size chunks in
// blockSize blocks, no keeper block (mem_allocated starts at 0; the header is counted in
// totalspace only).
//   blocklists  three lists by free-chunk count: 0 for full blocks, 1.. for blocks with free
//               chunks (index ceil(nfree / 2^shift), shift chosen so the index stays below 3);
//               palloc serves the head of blocklist[curBlocklistIndex], the lowest non-empty list
//               above 0 (fullest blocks first, so that others drain and can be freed); a block
//               whose index changes moves to the head of its new list.
//   in a block  a freed chunk is pushed on the block's free list and is the next one handed out
//               there (LIFO); otherwise the next never-used chunk, in address order.
//   empty       a block that becomes completely free leaves the blocklists: up to 10 are kept on
//   blocks      emptyblocks (pushed and popped at the head) and reused before any malloc; beyond
//               10 the block is freed. Empty blocks count in totalspace and mem_allocated but not
//               in nblocks, freespace or freechunks.
namespace Models.Mmgr;

public sealed class SlabAccounting : AccountingContext
{
    public const int BlocklistCount = 3;
    public const int MaximumEmptyBlocks = 10;

    /// <summary>A Slab block: free chunks counted, freed chunk indexes LIFO, never-used ones counted.</summary>
    public sealed class Block : AccountingBlock
    {
        public int NFree { get; set; }
        public int NUnused { get; set; }
        public List<int> FreeHead { get; } = new();
    }

    private readonly List<Block>[] _blocklists = [new(), new(), new()];
    private readonly List<Block> _emptyBlocks = new();
    private readonly int _shift;
    private int _curIndex;
    private ulong _memAllocated;

    public SlabAccounting(string name, bool checking, ulong blockSize, ulong fullChunkSize, int chunksPerBlock)
        : base(name, ModelContextKind.Slab, checking ? 16UL : 8UL)
    {
        BlockSize = blockSize;
        FullChunkSize = fullChunkSize;
        ChunksPerBlock = chunksPerBlock;
        HeaderSize = checking ? ChunkGeometry.SlabHeaderChecking + (ulong)chunksPerBlock : ChunkGeometry.SlabHeader;
        while ((chunksPerBlock >> _shift) >= BlocklistCount - 1) _shift++;
    }

    public ulong BlockSize { get; }
    public ulong FullChunkSize { get; }
    public int ChunksPerBlock { get; }

    /// <summary>Slab_CONTEXT_HDRSZ: the context header (with the isChunkFree array when checking).</summary>
    public ulong HeaderSize { get; }

    public IReadOnlyList<Block> Blocklist(int i) => _blocklists[i];
    public IReadOnlyList<Block> EmptyBlocks => _emptyBlocks;

    public override void SetAddress(ulong address) { }   // no keeper block

    public override ContextFigures Figures()
    {
        ulong nblocks = 0, free = 0, freeChunks = 0;
        foreach (List<Block> list in _blocklists)
            foreach (Block b in list)
            {
                nblocks++;
                free += FullChunkSize * (ulong)b.NFree;
                freeChunks += (ulong)b.NFree;
            }
        ulong total = HeaderSize + BlockSize * (nblocks + (ulong)_emptyBlocks.Count);
        return new ContextFigures(nblocks, total, free, freeChunks, _memAllocated);
    }

    /// <summary>SlabBlocklistIndex: 0 for no free chunk, else ceil(nfree / 2^shift).</summary>
    private int IndexOf(int nfree) => -((-nfree) >> _shift);

    /// <summary>SlabFindNextBlockListIndex: the first non-empty list above 0, or 0.</summary>
    private int FindNextIndex()
    {
        for (int i = 1; i < BlocklistCount; i++)
            if (_blocklists[i].Count > 0) return i;
        return 0;
    }

    private AccountingChunk TakeChunk(Block b)
    {
        int index;
        if (b.FreeHead.Count > 0)
        {
            index = b.FreeHead[^1];
            b.FreeHead.RemoveAt(b.FreeHead.Count - 1);
        }
        else
        {
            index = ChunksPerBlock - b.NUnused;
            b.NUnused--;
        }
        b.NFree--;
        return new AccountingChunk { Owner = this, Block = b, Offset = ChunkGeometry.SlabBlockHeader + (ulong)index * FullChunkSize, DataSize = FullChunkSize - ChunkHeader };
    }

    private static int ChunkIndex(AccountingChunk c, ulong full) => (int)((c.Offset - ChunkGeometry.SlabBlockHeader) / full);

    public override Placement Alloc(ulong request)
    {
        Block block;
        PlacementReason how;
        AccountingChunk chunk;
        if (_curIndex == 0)
        {
            if (_emptyBlocks.Count > 0)
            {
                block = _emptyBlocks[0];
                _emptyBlocks.RemoveAt(0);
                how = PlacementReason.SlabFromEmpty(block);
            }
            else
            {
                block = new Block { Serial = NextBlockSerial(), Size = BlockSize, NFree = ChunksPerBlock, NUnused = ChunksPerBlock };
                _memAllocated += BlockSize;
                how = PlacementReason.SlabFromNew(block);
            }
            chunk = TakeChunk(block);
            int idx = IndexOf(block.NFree);
            _blocklists[idx].Insert(0, block);
            _curIndex = idx;
            return new Placement(chunk, how);
        }
        List<Block> list = _blocklists[_curIndex];
        block = list[0];
        chunk = TakeChunk(block);
        how = PlacementReason.SlabFromBlocklist(block, _curIndex);
        int newIndex = IndexOf(block.NFree);
        if (newIndex != _curIndex)
        {
            list.RemoveAt(0);
            _blocklists[newIndex].Insert(0, block);
            if (list.Count == 0) _curIndex = FindNextIndex();
        }
        return new Placement(chunk, how);
    }

    public override string? AllocFailed(ulong request) =>
        _curIndex == 0 && _emptyBlocks.Count == 0 ? null : NoMallocHere("a block with a free chunk or an empty block is at hand");

    public override void Free(AccountingChunk chunk)
    {
        var b = (Block)chunk.Block;
        b.FreeHead.Add(ChunkIndex(chunk, FullChunkSize));
        b.NFree++;
        int from = IndexOf(b.NFree - 1), to = IndexOf(b.NFree);
        if (from != to)
        {
            _blocklists[from].Remove(b);
            _blocklists[to].Insert(0, b);
            if (_curIndex >= from) _curIndex = FindNextIndex();
        }
        if (b.NFree == ChunksPerBlock)
        {
            _blocklists[to].Remove(b);
            if (_emptyBlocks.Count < MaximumEmptyBlocks) _emptyBlocks.Insert(0, b);
            else _memAllocated -= BlockSize;
            if (_curIndex == to && _blocklists[to].Count == 0) _curIndex = FindNextIndex();
        }
    }

    /// <summary>SlabRealloc: the same size returns the chunk untouched; anything else is an ERROR
    /// before any change.</summary>
    public override Placement Realloc(AccountingChunk chunk, ulong size) => new(chunk, PlacementReason.Unchanged());

    public override string? ReallocFailed(AccountingChunk chunk, ulong size) => NoMallocHere("SlabRealloc never mallocs");

    public override void Reset()
    {
        foreach (List<Block> list in _blocklists) list.Clear();
        _emptyBlocks.Clear();
        _curIndex = 0;
        _memAllocated = 0;
    }
}
