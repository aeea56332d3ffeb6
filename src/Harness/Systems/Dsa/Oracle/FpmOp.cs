// FpmOp: one operation on a FreePageManager, as the property engine and the fuzzer generate it. The
// "user" holds a list of allocations; every op is valid in every state, because Put names a held
// allocation by index (taken modulo the list's length) and a sub-range by offset and length (taken
// modulo the allocation's size):
//   get N          FreePageManagerGet(N); a success joins the held list
//   put #I         give back all of held allocation I
//   put #I @O *L   give back L pages from offset O of allocation I (the rest stays held, split)
// With nothing held, put does nothing.
namespace Harness.Systems.Dsa.Oracle;

public enum FpmOpCode : byte
{
    Get,
    Put,
}

/// <param name="Code">What to do.</param>
/// <param name="N">Get: the page count.</param>
/// <param name="Index">Put: which held allocation.</param>
/// <param name="Offset">Put: the first page given back, from the allocation's start (0 = all).</param>
/// <param name="Length">Put: how many pages (0 = to the end).</param>
public readonly record struct FpmOp(FpmOpCode Code, ulong N = 0, int Index = 0, ulong Offset = 0, ulong Length = 0)
{
    public static FpmOp Get(ulong n) => new(FpmOpCode.Get, N: n);

    public static FpmOp Put(int index, ulong offset = 0, ulong length = 0) => new(FpmOpCode.Put, Index: index, Offset: offset, Length: length);
}

/// <summary>Where a run starts: what the manager holds before the first op.</summary>
public enum FpmStart : byte
{
    /// <summary>Nothing free: the user holds every managed page as one allocation.</summary>
    Empty,

    /// <summary>Every managed page free, as one run.</summary>
    Full,

    /// <summary>Every other page free, then runs of 2 and 3 (more keys than a leaf holds: depth 2).</summary>
    Fragmented,
}
