// AccountingBlock: one block as the accounting model tracks it (AllocSet's, Generation's, Slab's
// and Bump's block headers reduced to what the figures and placements need).
namespace Models.Mmgr;

/// <summary>A block as the accounting model tracks it. Base is the block's address once known: a
/// keeper's is the context's address plus its header, another block's is learnt from the first
/// pointer handed out in it (the model never guesses where malloc puts a block).</summary>
public class AccountingBlock
{
    public required int Serial { get; init; }
    public ulong? Base { get; set; }

    /// <summary>endptr - block: the block's bytes (a keeper's exclude the context header before it).</summary>
    public ulong Size { get; set; }

    /// <summary>freeptr - block.</summary>
    public ulong FreeOffset { get; set; }

    public bool Keeper { get; init; }
    public bool Dedicated { get; init; }

    public ulong FreeBytes => Size - FreeOffset;

    public override string ToString() => BlockLabel.Of(this).ToString();
}
