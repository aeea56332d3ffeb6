// AccountingChunk: one chunk as the accounting model places it: the context and block it was carved
// from (or its dedicated block), its offset from the block's start, its usable size (chunk_size),
// and the AllocSet free-list index or the Slab chunk index. A MemoryContextAllocAligned chunk is
// the unaligned chunk underneath, with the alignment the caller asked for.
namespace Models.Mmgr;

public sealed class AccountingChunk
{
    public required AccountingContext Owner { get; init; }

    public required AccountingBlock Block { get; set; }

    /// <summary>Offset of the chunk header from the block's start.</summary>
    public required ulong Offset { get; set; }

    /// <summary>chunk_size: the bytes after the header (power of two for AllocSet small chunks).</summary>
    public ulong DataSize { get; set; }

    /// <summary>AllocSet: the free list a small chunk belongs to (log2(DataSize) - 3); -1 for a dedicated chunk.</summary>
    public int FreeIndex { get; init; } = -1;

    public bool Dedicated { get; init; }

    /// <summary>On an AllocSet free list (freed, or carved from the remainder of a block).</summary>
    public bool OnFreeList { get; set; }

    /// <summary>MemoryContextAllocAligned's alignment (0 for a plain chunk).</summary>
    public ulong AlignTo { get; set; }

    /// <summary>The user pointer the model expects, when the block's address is known.</summary>
    public ulong? Pointer(ulong chunkHeader) => Block.Base is ulong b ? b + Offset + chunkHeader : null;

    public override string ToString() => ChunkLabel.Of(this).ToString();
}
