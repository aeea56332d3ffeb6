// AllocSetAccounting: the accounting model of an AllocSet context (aset.c), from the semantics:
//   blocks   set->blocks order: index 0 is the active block new chunks are carved from; the keeper
//            block (inside the context's own malloc, after its 200-byte header) is created with
//            it and only emptied by a reset; a new block goes to the head (size from the
//            BlockSizeSequence, doubled until the chunk fits); a dedicated block for a request
//            above allocChunkLimit is linked second, behind the active block, and unlinked when
//            its chunk is freed; repalloc realloc()s a dedicated block in place in the list.
//   free     one LIFO list per power-of-two size class 8..8192 (index log2(size) - 3): pfree of a
//   lists    small chunk pushes it, palloc of its class pops the newest; before a new block is
//            made, the active block's remainder is carved into the largest chunks that fit and
//            pushed onto their lists (they count as free chunks from then on).
//   figures  totalspace = 200 + the blocks' bytes; freespace = each block's endptr - freeptr plus
//            every free-list chunk with its header; freechunks = free-list length; mem_allocated =
//            the malloc'd bytes (keeper's malloc including the header).
namespace Models.Mmgr;

public sealed class AllocSetAccounting : KeeperContextAccounting
{
    public const int NumFreeLists = 11;

    private readonly List<AccountingBlock> _blocks = new();
    // A free list (and the array of them) is made when a chunk first goes onto it: a context uses
    // few of the eleven size classes, many none, and a fuzz run creates contexts by the dozen
    // (eleven lists each was a fifth of the oracle's allocations).
    private List<AccountingChunk>?[]? _freeLists;
    private readonly AccountingBlock _keeper;

    /// <param name="firstBlockSize">The malloc holding header and keeper block.</param>
    public AllocSetAccounting(string name, bool checking, ulong initBlockSize, ulong maxBlockSize, ulong firstBlockSize, ulong allocChunkLimit)
        : base(name, ModelContextKind.AllocSet, checking ? 16UL : 8UL, checking, initBlockSize, maxBlockSize, allocChunkLimit)
    {
        FirstBlockSize = firstBlockSize;
        _keeper = new AccountingBlock
        {
            Serial = NextBlockSerial(),
            Keeper = true,
            Size = firstBlockSize - ChunkGeometry.AllocSetHeader,
            FreeOffset = ChunkGeometry.AllocBlockHeader,
        };
        _blocks.Add(_keeper);
        MemAllocated = firstBlockSize;
    }

    public ulong FirstBlockSize { get; }

    /// <summary>The blocks in list order (index 0 is the active block).</summary>
    public IReadOnlyList<AccountingBlock> Blocks => _blocks;

    /// <summary>Free list k, oldest first (the last entry is the one palloc pops next).</summary>
    public IReadOnlyList<AccountingChunk> FreeList(int k) => (IReadOnlyList<AccountingChunk>?)_freeLists?[k] ?? Array.Empty<AccountingChunk>();

    private int FreeCount(int k) => _freeLists?[k]?.Count ?? 0;

    private List<AccountingChunk> FreeListToPush(int k) => (_freeLists ??= new List<AccountingChunk>?[NumFreeLists])[k] ??= new List<AccountingChunk>();

    public override void SetAddress(ulong address) => _keeper.Base = address + ChunkGeometry.AllocSetHeader;

    public override ContextFigures Figures()
    {
        ulong total = ChunkGeometry.AllocSetHeader, free = 0, freeChunks = 0;
        foreach (AccountingBlock b in _blocks)
        {
            total += b.Size;
            free += b.FreeBytes;
        }
        for (int k = 0; k < NumFreeLists; k++)
        {
            freeChunks += (ulong)FreeCount(k);
            free += (ulong)FreeCount(k) * (ClassSize(k) + ChunkHeader);
        }
        return new ContextFigures((ulong)_blocks.Count, total, free, freeChunks, MemAllocated);
    }

    private static ulong ClassSize(int k) => 8UL << k;

    public override Placement Alloc(ulong request)
    {
        if (request > AllocChunkLimit)
        {
            ulong chunkSize = ChunkSize(request);
            var block = new AccountingBlock { Serial = NextBlockSerial(), Dedicated = true };
            block.Size = chunkSize + ChunkGeometry.AllocBlockHeader + ChunkHeader;
            block.FreeOffset = block.Size;
            _blocks.Insert(1, block);   // behind the active block, which stays where new chunks come from
            MemAllocated += block.Size;
            var chunk = new AccountingChunk { Owner = this, Block = block, Offset = ChunkGeometry.AllocBlockHeader, DataSize = chunkSize, Dedicated = true };
            return new Placement(chunk, PlacementReason.AllocSetDedicated(block));
        }
        int fidx = ChunkGeometry.AllocSetFreeIndex(request);
        if (_freeLists?[fidx] is { Count: > 0 } list)
        {
            AccountingChunk reused = list[^1];
            list.RemoveAt(list.Count - 1);
            reused.OnFreeList = false;
            return new Placement(reused, PlacementReason.FreeListReuse(fidx, reused));
        }
        ulong size = ClassSize(fidx);
        if (_blocks[0].FreeBytes < size + ChunkHeader) StartNewBlock(fidx);
        AccountingBlock active = _blocks[0];
        AccountingChunk carved = CarveFrom(active, fidx);
        return new Placement(carved, PlacementReason.AllocSetCarved(size, active));
    }

    private AccountingChunk CarveFrom(AccountingBlock block, int fidx)
    {
        var chunk = new AccountingChunk { Owner = this, Block = block, Offset = block.FreeOffset, DataSize = ClassSize(fidx), FreeIndex = fidx };
        block.FreeOffset += chunk.DataSize + ChunkHeader;
        return chunk;
    }

    /// <summary>AllocSetAllocFromNewBlock up to its malloc: the active block's remainder goes to the
    /// free lists in the largest classes that fit, and the size sequence advances.</summary>
    private ulong PrepareNewBlock(int fidx)
    {
        AccountingBlock active = _blocks[0];
        while (active.FreeBytes >= 8 + ChunkHeader)
        {
            ulong avail = active.FreeBytes - ChunkHeader;
            int k = ChunkGeometry.AllocSetFreeIndex(avail);
            if (avail != ClassSize(k)) k--;
            AccountingChunk piece = CarveFrom(active, k);
            piece.OnFreeList = true;
            FreeListToPush(k).Add(piece);
        }
        ulong blockSize = Sizes.Take();
        return BlockSizeSequence.FitByDoubling(blockSize, ClassSize(fidx) + ChunkGeometry.AllocBlockHeader + ChunkHeader);
    }

    private void StartNewBlock(int fidx)
    {
        ulong blockSize = PrepareNewBlock(fidx);
        // PostgreSQL retries a failed malloc above 1 MiB at half the size; which size the heap
        // granted is the heap's business, so the caller reports a retried malloc (GiveUp).
        var block = new AccountingBlock { Serial = NextBlockSerial(), Size = blockSize, FreeOffset = ChunkGeometry.AllocBlockHeader };
        _blocks.Insert(0, block);
        MemAllocated += blockSize;
    }

    public override string? AllocFailed(ulong request)
    {
        if (request > AllocChunkLimit) return null;   // the dedicated block's malloc: nothing changed
        int fidx = ChunkGeometry.AllocSetFreeIndex(request);
        if (FreeCount(fidx) > 0) return NoMallocHere($"free list {fidx} has a chunk");
        if (_blocks[0].FreeBytes >= ClassSize(fidx) + ChunkHeader) return NoMallocHere($"{_blocks[0]} has room");
        PrepareNewBlock(fidx);
        return null;
    }

    public override void Free(AccountingChunk chunk)
    {
        if (chunk.Dedicated)
        {
            _blocks.Remove(chunk.Block);
            MemAllocated -= chunk.Block.Size;
            return;
        }
        chunk.OnFreeList = true;
        FreeListToPush(chunk.FreeIndex).Add(chunk);
    }

    public override Placement Realloc(AccountingChunk chunk, ulong size)
    {
        if (chunk.Dedicated)
        {
            // realloc() of the block: it keeps its place in the list, wherever malloc moved it.
            AccountingBlock block = chunk.Block;
            MemAllocated -= block.Size;
            chunk.DataSize = ChunkSize(size);
            block.Size = chunk.DataSize + ChunkGeometry.AllocBlockHeader + ChunkHeader;
            block.FreeOffset = block.Size;
            block.Base = null;
            MemAllocated += block.Size;
            return new Placement(chunk, PlacementReason.Reallocated(block), MayMove: true);
        }
        if (chunk.DataSize >= size) return new Placement(chunk, PlacementReason.InPlace(chunk));
        Placement moved = Alloc(size);
        Free(chunk);
        return moved;
    }

    public override string? ReallocFailed(AccountingChunk chunk, ulong size)
    {
        if (chunk.Dedicated) return null;   // realloc() failed: the block is untouched
        if (chunk.DataSize >= size) return NoMallocHere("the chunk fits in place");
        return AllocFailed(size);
    }

    public override void Reset()
    {
        if (_freeLists is not null)
            foreach (List<AccountingChunk>? list in _freeLists) list?.Clear();
        _blocks.Clear();
        _blocks.Add(_keeper);
        _keeper.FreeOffset = ChunkGeometry.AllocBlockHeader;
        MemAllocated = FirstBlockSize;
        Sizes.Restart();
    }
}
