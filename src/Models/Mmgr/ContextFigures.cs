// ContextFigures: what MemoryContextStats reports for one context (the type's stats method's
// MemoryContextCounters: nblocks, totalspace, freespace, freechunks) and its mem_allocated, as the
// accounting model predicts them and the golden vectors record them.
using System.Globalization;

namespace Models.Mmgr;

public readonly record struct ContextFigures(ulong NBlocks, ulong TotalSpace, ulong FreeSpace, ulong FreeChunks, ulong MemAllocated)
{
    /// <summary>The names of the five figures, in the golden vectors' order.</summary>
    public static readonly string[] Names = ["nblocks", "totalspace", "freespace", "freechunks", "mem_allocated"];

    public ulong this[int i] => i switch
    {
        0 => NBlocks,
        1 => TotalSpace,
        2 => FreeSpace,
        3 => FreeChunks,
        _ => MemAllocated,
    };

    /// <summary>The index (into Names) of the first figure that differs from <paramref name="actual"/>, or -1.</summary>
    public int FirstDifference(ContextFigures actual)
    {
        for (int i = 0; i < Names.Length; i++)
            if (this[i] != actual[i]) return i;
        return -1;
    }

    /// <summary>The golden vectors' n/total/free/chunks/mem_allocated form.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{NBlocks}/{TotalSpace}/{FreeSpace}/{FreeChunks}/{MemAllocated}");
}
