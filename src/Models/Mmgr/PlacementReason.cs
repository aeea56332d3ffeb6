// PlacementReason: why an accounting model (AllocSetAccounting, GenerationAccounting,
// SlabAccounting, BumpAccounting) put a chunk where it did: the rule of aset.c, generation.c,
// slab.c or bump.c that decided, and the block or chunk it names, captured when the placement is
// made. AccountingModel.CheckPointer prints it only when the port's pointer differs from the
// prediction; every other placement (all of them, in a passing run) formats nothing.
//
// Invariants:
//   1. ToString gives exactly the text the model used to format eagerly for the same rule and
//      the same block or chunk state (the labels are copies, so later changes to the block do
//      not leak into the text);
//   2. a reason is a value: no allocation to make one, none to copy one.
namespace Models.Mmgr;

public readonly struct PlacementReason
{
    private enum Rule : byte
    {
        AllocSetDedicated,
        FreeListReuse,
        AllocSetCarved,
        Reallocated,
        InPlace,
        GenerationDedicated,
        CarvedFromCurrent,
        CarvedFromFreeblock,
        CarvedFromNew,
        BumpDedicated,
        CarvedFromHead,
        SlabFromEmpty,
        SlabFromNew,
        SlabFromBlocklist,
        Unchanged,
    }

    private readonly Rule _rule;
    private readonly ChunkLabel _chunk;   // the chunk (InPlace, FreeListReuse); otherwise only its Block is set
    private readonly ulong _number;       // the free list, the chunk size or the blocklist the rule names

    private PlacementReason(Rule rule, ChunkLabel chunk, ulong number = 0)
    {
        _rule = rule;
        _chunk = chunk;
        _number = number;
    }

    private static ChunkLabel Block(AccountingBlock b) => new(0, BlockLabel.Of(b), 0, false);

    /// <summary>AllocSet: a request above allocChunkLimit got a dedicated block, linked second.</summary>
    public static PlacementReason AllocSetDedicated(AccountingBlock b) => new(Rule.AllocSetDedicated, Block(b));

    /// <summary>AllocSet: the newest chunk of free list <paramref name="fidx"/> was popped.</summary>
    public static PlacementReason FreeListReuse(int fidx, AccountingChunk c) => new(Rule.FreeListReuse, ChunkLabel.Of(c), (ulong)fidx);

    /// <summary>AllocSet: a new chunk of <paramref name="size"/> bytes was carved from the active block.</summary>
    public static PlacementReason AllocSetCarved(ulong size, AccountingBlock b) => new(Rule.AllocSetCarved, Block(b), size);

    /// <summary>AllocSet: a dedicated block was realloc()ed (to its new Size).</summary>
    public static PlacementReason Reallocated(AccountingBlock b) => new(Rule.Reallocated, Block(b));

    /// <summary>AllocSet, Generation: repalloc kept the chunk where it was.</summary>
    public static PlacementReason InPlace(AccountingChunk c) => new(Rule.InPlace, ChunkLabel.Of(c));

    /// <summary>Generation: a dedicated block pushed at the head of the block list.</summary>
    public static PlacementReason GenerationDedicated(AccountingBlock b) => new(Rule.GenerationDedicated, Block(b));

    /// <summary>Generation: carved from set->block.</summary>
    public static PlacementReason CarvedFromCurrent(AccountingBlock b) => new(Rule.CarvedFromCurrent, Block(b));

    /// <summary>Generation: carved from the freeblock, which became set->block.</summary>
    public static PlacementReason CarvedFromFreeblock(AccountingBlock b) => new(Rule.CarvedFromFreeblock, Block(b));

    /// <summary>Generation, Bump: carved from a block malloc'd for it.</summary>
    public static PlacementReason CarvedFromNew(AccountingBlock b) => new(Rule.CarvedFromNew, Block(b));

    /// <summary>Bump: a dedicated block pushed at the tail of the block list.</summary>
    public static PlacementReason BumpDedicated(AccountingBlock b) => new(Rule.BumpDedicated, Block(b));

    /// <summary>Bump: carved from the head block.</summary>
    public static PlacementReason CarvedFromHead(AccountingBlock b) => new(Rule.CarvedFromHead, Block(b));

    /// <summary>Slab: from the empty block at the head of emptyblocks.</summary>
    public static PlacementReason SlabFromEmpty(AccountingBlock b) => new(Rule.SlabFromEmpty, Block(b));

    /// <summary>Slab: from a block malloc'd for it.</summary>
    public static PlacementReason SlabFromNew(AccountingBlock b) => new(Rule.SlabFromNew, Block(b));

    /// <summary>Slab: from the block at the head of blocklist <paramref name="index"/>.</summary>
    public static PlacementReason SlabFromBlocklist(AccountingBlock b, int index) => new(Rule.SlabFromBlocklist, Block(b), (ulong)index);

    /// <summary>Slab: repalloc to the same size returns the chunk untouched.</summary>
    public static PlacementReason Unchanged() => new(Rule.Unchanged, default);

    public override string ToString()
    {
        BlockLabel b = _chunk.Block;
        return _rule switch
        {
            Rule.AllocSetDedicated => $"a dedicated {b} linked second in the block list",
            Rule.FreeListReuse => $"the newest chunk on free list {_number} ({_chunk})",
            Rule.AllocSetCarved => $"a new {_number}-byte chunk carved from {b}",
            Rule.Reallocated => $"{b} realloc()ed to {b.Size} bytes",
            Rule.InPlace => $"in place ({_chunk})",
            Rule.GenerationDedicated => $"a dedicated {b} pushed at the head of the block list",
            Rule.CarvedFromCurrent => $"carved from the current {b}",
            Rule.CarvedFromFreeblock => $"carved from the reused freeblock {b}",
            Rule.CarvedFromNew => $"carved from a new {b}",
            Rule.BumpDedicated => $"a dedicated {b} pushed at the tail of the block list",
            Rule.CarvedFromHead => $"carved from the head {b}",
            Rule.SlabFromEmpty => $"from the empty {b} at the head of emptyblocks",
            Rule.SlabFromNew => $"from a new {b}",
            Rule.SlabFromBlocklist => $"from {b} at the head of blocklist {_number}",
            _ => "unchanged (same size)",
        };
    }
}
