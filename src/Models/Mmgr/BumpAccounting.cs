// BumpAccounting: the accounting model of a Bump context (bump.c): chunks are carved from the
// head block only and never freed one by one. A new block (BlockSizeSequence, or nextpow2 of what
// the chunk needs) is pushed at the head; a dedicated block (chunk_size above allocChunkLimit) is
// pushed at the TAIL, so the head keeps serving small chunks. The keeper block follows the
// 112-byte context header; a reset empties it and frees the rest. Chunks have a header (and
// blocks a context pointer) only with MEMORY_CONTEXT_CHECKING.
//   figures  totalspace = the blocks' bytes (the header is not counted, unlike the other types);
//            freespace = endptr - freeptr per block; freechunks = 0; mem_allocated = the blocks'
//            bytes plus the header (the context's malloc is counted whole).
namespace Models.Mmgr;

public sealed class BumpAccounting : KeeperContextAccounting
{
    private readonly List<AccountingBlock> _blocks = new();
    private readonly AccountingBlock _keeper;
    private readonly ulong _blockHeader;

    /// <param name="allocSize">The context's malloc (header plus keeper block).</param>
    public BumpAccounting(string name, bool checking, ulong initBlockSize, ulong maxBlockSize, ulong allocSize, ulong allocChunkLimit)
        : base(name, ModelContextKind.Bump, checking ? 16UL : 0UL, checking, initBlockSize, maxBlockSize, allocChunkLimit)
    {
        _blockHeader = checking ? 40UL : 32UL;
        AllocSize = allocSize;
        _keeper = new AccountingBlock { Serial = NextBlockSerial(), Keeper = true, Size = allocSize - ChunkGeometry.BumpHeader, FreeOffset = _blockHeader };
        _blocks.Add(_keeper);
        MemAllocated = allocSize;
    }

    public ulong AllocSize { get; }
    public IReadOnlyList<AccountingBlock> Blocks => _blocks;

    public override void SetAddress(ulong address) => _keeper.Base = address + ChunkGeometry.BumpHeader;

    public override ContextFigures Figures()
    {
        ulong total = 0, free = 0;
        foreach (AccountingBlock b in _blocks)
        {
            total += b.Size;
            free += b.FreeBytes;
        }
        return new ContextFigures((ulong)_blocks.Count, total, free, 0, MemAllocated);
    }

    public override Placement Alloc(ulong request)
    {
        ulong chunkSize = ChunkSize(request);
        if (chunkSize > AllocChunkLimit)
        {
            var big = new AccountingBlock { Serial = NextBlockSerial(), Dedicated = true };
            big.Size = chunkSize + ChunkHeader + _blockHeader;
            big.FreeOffset = big.Size;
            _blocks.Add(big);
            MemAllocated += big.Size;
            return new Placement(new AccountingChunk { Owner = this, Block = big, Offset = _blockHeader, DataSize = chunkSize, Dedicated = true },
                PlacementReason.BumpDedicated(big));
        }
        ulong required = unchecked(chunkSize + ChunkHeader);
        PlacementReason how = PlacementReason.CarvedFromHead(_blocks[0]);
        if (_blocks[0].FreeBytes < required)
        {
            ulong size = BlockSizeSequence.FitByNextPow2(Sizes.Take(), required + _blockHeader);
            var b = new AccountingBlock { Serial = NextBlockSerial(), Size = size, FreeOffset = _blockHeader };
            _blocks.Insert(0, b);
            MemAllocated += size;
            how = PlacementReason.CarvedFromNew(b);
        }
        AccountingBlock head = _blocks[0];
        var chunk = new AccountingChunk { Owner = this, Block = head, Offset = head.FreeOffset, DataSize = chunkSize };
        head.FreeOffset += required;
        return new Placement(chunk, how);
    }

    public override string? AllocFailed(ulong request)
    {
        ulong chunkSize = ChunkSize(request);
        if (chunkSize > AllocChunkLimit) return null;
        if (_blocks[0].FreeBytes >= unchecked(chunkSize + ChunkHeader)) return NoMallocHere($"the head {_blocks[0]} has room");
        Sizes.Take();
        return null;
    }

    public override void Free(AccountingChunk chunk) =>
        throw new InvalidOperationException("bump.c has no pfree: the caller must not report one");

    public override Placement Realloc(AccountingChunk chunk, ulong size) =>
        throw new InvalidOperationException("bump.c has no realloc: the caller must not report one");

    public override string? ReallocFailed(AccountingChunk chunk, ulong size) =>
        throw new InvalidOperationException("bump.c has no realloc: the caller must not report one");

    public override void Reset()
    {
        _blocks.Clear();
        _keeper.FreeOffset = _blockHeader;
        _blocks.Add(_keeper);
        MemAllocated = AllocSize;
        Sizes.Restart();
    }
}
