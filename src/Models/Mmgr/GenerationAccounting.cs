// GenerationAccounting: the accounting model of a Generation context (generation.c):
//   blocks   dlist order, head first; the keeper block follows the 128-byte context header in the
//            context's malloc; new blocks (BlockSizeSequence, or nextpow2 of what the chunk needs)
//            and dedicated blocks (chunk_size above allocChunkLimit) are both pushed at the head.
//            set->block is where chunks are carved; set->freeblock holds at most one emptied block
//            for reuse before a new block is made.
//   chunks   are never reused one by one: each block counts nchunks and nfree; when they meet,
//            the block empties: the keeper and the current block are marked empty in place, the
//            first other block becomes the freeblock (marked empty, a dedicated block too), any
//            further one is freed.
//   figures  totalspace = 128 + blksize of every block; freespace = endptr - freeptr per block;
//            freechunks = the sum of nfree; mem_allocated = the blocks' bytes (no header).
namespace Models.Mmgr;

public sealed class GenerationAccounting : KeeperContextAccounting
{
    /// <summary>A Generation block with its chunk counters.</summary>
    public sealed class Block : AccountingBlock
    {
        public ulong NChunks { get; set; }
        public ulong NFree { get; set; }
    }

    private readonly List<Block> _blocks = new();
    private readonly Block _keeper;
    private Block _current;
    private Block? _freeBlock;

    /// <param name="allocSize">The context's malloc (header plus keeper block).</param>
    public GenerationAccounting(string name, bool checking, ulong initBlockSize, ulong maxBlockSize, ulong allocSize, ulong allocChunkLimit)
        : base(name, ModelContextKind.Generation, checking ? 16UL : 8UL, checking, initBlockSize, maxBlockSize, allocChunkLimit)
    {
        _keeper = new Block { Serial = NextBlockSerial(), Keeper = true, Size = allocSize - ChunkGeometry.GenerationHeader, FreeOffset = ChunkGeometry.GenerationBlockHeader };
        _blocks.Add(_keeper);
        _current = _keeper;
        MemAllocated = _keeper.Size;
    }

    public IReadOnlyList<Block> Blocks => _blocks;
    public Block? FreeBlock => _freeBlock;

    public override void SetAddress(ulong address) => _keeper.Base = address + ChunkGeometry.GenerationHeader;

    public override ContextFigures Figures()
    {
        ulong total = ChunkGeometry.GenerationHeader, free = 0, freeChunks = 0;
        foreach (Block b in _blocks)
        {
            total += b.Size;
            free += b.FreeBytes;
            freeChunks += b.NFree;
        }
        return new ContextFigures((ulong)_blocks.Count, total, free, freeChunks, MemAllocated);
    }

    public override Placement Alloc(ulong request)
    {
        ulong chunkSize = ChunkSize(request);
        if (chunkSize > AllocChunkLimit)
        {
            var big = new Block { Serial = NextBlockSerial(), Dedicated = true, NChunks = 1 };
            big.Size = chunkSize + ChunkHeader + ChunkGeometry.GenerationBlockHeader;
            big.FreeOffset = big.Size;
            _blocks.Insert(0, big);
            MemAllocated += big.Size;
            return new Placement(new AccountingChunk { Owner = this, Block = big, Offset = ChunkGeometry.GenerationBlockHeader, DataSize = chunkSize, Dedicated = true },
                PlacementReason.GenerationDedicated(big));
        }
        ulong required = unchecked(chunkSize + ChunkHeader);
        PlacementReason how;
        if (_current.FreeBytes >= required) how = PlacementReason.CarvedFromCurrent(_current);
        else if (_freeBlock is { } fb && fb.FreeBytes >= required)
        {
            _current = fb;
            _freeBlock = null;
            how = PlacementReason.CarvedFromFreeblock(fb);
        }
        else
        {
            ulong size = NewBlockSize(required);
            var b = new Block { Serial = NextBlockSerial(), Size = size, FreeOffset = ChunkGeometry.GenerationBlockHeader };
            _blocks.Insert(0, b);
            MemAllocated += size;
            _current = b;
            how = PlacementReason.CarvedFromNew(b);
        }
        var chunk = new AccountingChunk { Owner = this, Block = _current, Offset = _current.FreeOffset, DataSize = chunkSize };
        _current.NChunks++;
        _current.FreeOffset += required;
        return new Placement(chunk, how);
    }

    /// <summary>Whether an ordinary chunk of <paramref name="request"/> bytes would go to the
    /// freeblock with no byte to spare: the current block lacks room and the freeblock's free
    /// bytes are exactly what the chunk and its header need (the edge of GenerationAlloc's >=).</summary>
    public bool FreeblockExactFit(ulong request)
    {
        ulong chunkSize = ChunkSize(request);
        if (chunkSize > AllocChunkLimit) return false;
        ulong required = unchecked(chunkSize + ChunkHeader);
        return _current.FreeBytes < required && _freeBlock is { } fb && fb.FreeBytes == required;
    }

    private ulong NewBlockSize(ulong required) =>
        BlockSizeSequence.FitByNextPow2(Sizes.Take(), required + ChunkGeometry.GenerationBlockHeader);

    public override string? AllocFailed(ulong request)
    {
        ulong chunkSize = ChunkSize(request);
        if (chunkSize > AllocChunkLimit) return null;
        ulong required = unchecked(chunkSize + ChunkHeader);
        if (_current.FreeBytes >= required) return NoMallocHere($"the current {_current} has room");
        if (_freeBlock is { } fb && fb.FreeBytes >= required) return NoMallocHere($"the freeblock {fb} has room");
        Sizes.Take();
        return null;
    }

    public override void Free(AccountingChunk chunk)
    {
        var b = (Block)chunk.Block;
        b.NFree++;
        if (b.NFree < b.NChunks) return;
        if (b.Keeper || b == _current) MarkEmpty(b);
        else if (_freeBlock is null)
        {
            MarkEmpty(b);
            _freeBlock = b;
        }
        else
        {
            _blocks.Remove(b);
            MemAllocated -= b.Size;
        }
    }

    private static void MarkEmpty(Block b)
    {
        b.NChunks = 0;
        b.NFree = 0;
        b.FreeOffset = ChunkGeometry.GenerationBlockHeader;
    }

    /// <summary>GenerationRealloc keeps the chunk if the new size fits (strictly, with checking, to
    /// leave the sentinel byte); otherwise allocates anew, then frees the old chunk.</summary>
    private bool FitsInPlace(AccountingChunk chunk, ulong size) => Checking ? chunk.DataSize > size : chunk.DataSize >= size;

    public override Placement Realloc(AccountingChunk chunk, ulong size)
    {
        if (FitsInPlace(chunk, size)) return new Placement(chunk, PlacementReason.InPlace(chunk));
        Placement moved = Alloc(size);
        Free(chunk);
        return moved;
    }

    public override string? ReallocFailed(AccountingChunk chunk, ulong size) =>
        FitsInPlace(chunk, size) ? NoMallocHere("the chunk fits in place") : AllocFailed(size);

    public override void Reset()
    {
        _freeBlock = null;
        _blocks.Clear();
        MarkEmpty(_keeper);
        _blocks.Add(_keeper);
        _current = _keeper;
        MemAllocated = _keeper.Size;
        Sizes.Restart();
    }
}
