// ScratchCollections: how the invariant walkers' reusable scratch (Mmgr/VerifyScratch,
// Dsa/FpmCheckScratch) hands a collection out: emptied, or replaced by a new one when an earlier
// walk grew it past the caller's keep limit, so that one freak walk (a corrupt or huge structure)
// does not pin its memory for the rest of the process. Capacity, not Count, decides: a collection
// cleared inside a walk may end it small after having grown large. EnsureCapacity(0) only reads
// a set's capacity.
// Oracle code, not the system under test: [ExcludeFromCodeCoverage] (probestrip keeps SharpFuzz's
// probes out of it).
using System.Diagnostics.CodeAnalysis;

namespace Allocator.Common;

[ExcludeFromCodeCoverage]
internal static class ScratchCollections
{
    /// <summary>The list in <paramref name="field"/>, emptied; a new one if there was none or it grew
    /// past <paramref name="keepCapacity"/>.</summary>
    public static List<T> Take<T>(ref List<T>? field, int keepCapacity)
    {
        if (field is null || field.Capacity > keepCapacity) field = new List<T>();
        else field.Clear();
        return field;
    }

    /// <summary>As for a list, for a set of addresses or page numbers.</summary>
    public static HashSet<ulong> Take(ref HashSet<ulong>? field, int keepCapacity)
    {
        if (field is null || field.EnsureCapacity(0) > keepCapacity) field = new HashSet<ulong>();
        else field.Clear();
        return field;
    }
}
