// BlockLabel: how a failure message names an accounting block ("keeper block #0", "block #3
// (8192 bytes)"), captured by value. The accounting models explain every placement they predict
// (PlacementReason), but the explanation is read only when a pointer disagrees; keeping the few
// numbers the text needs, instead of the text, lets the model describe every placement without
// formatting a string per allocation, and the text is the one the block had when it was placed.
namespace Models.Mmgr;

/// <summary>The fields AccountingBlock.ToString prints, as they were when captured.</summary>
public readonly record struct BlockLabel(int Serial, ulong Size, bool Keeper, bool Dedicated)
{
    public static BlockLabel Of(AccountingBlock b) => new(b.Serial, b.Size, b.Keeper, b.Dedicated);

    public override string ToString() =>
        Keeper ? $"keeper block #{Serial}" : Dedicated ? $"dedicated block #{Serial}" : $"block #{Serial} ({Size} bytes)";
}
