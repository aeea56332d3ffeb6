// ChunkLabel: how a failure message names an accounting chunk ("chunk at offset 24 of block #1
// (8192 bytes) (64 bytes)"), captured by value; see BlockLabel for why a label and not the text.
namespace Models.Mmgr;

/// <summary>The fields AccountingChunk.ToString prints, as they were when captured.</summary>
public readonly record struct ChunkLabel(ulong Offset, BlockLabel Block, ulong DataSize, bool Dedicated)
{
    public static ChunkLabel Of(AccountingChunk c) => new(c.Offset, BlockLabel.Of(c.Block), c.DataSize, c.Dedicated);

    public override string ToString() => $"chunk at offset {Offset} of {Block} ({DataSize} bytes{(Dedicated ? ", dedicated" : "")})";
}
