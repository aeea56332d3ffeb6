// ObjectIds: the explorer's canonical id of a shared object (a lock word, an atomic, an unlocked
// field) given one backend's address of it. Traces, replay validation, deadlock reports and names
// identify objects by id; the raw address is only right for that when every backend maps the
// object's memory at the same base (the sync segment, the buffer pool). A DSM segment is mapped at
// a different base in every backend (DsmAddressSpace), so the same word of a DSA control block has
// a different address in each, and an explorer keyed by address would see as many objects as
// backends (no common lock in a wait-for cycle, a lock nobody "holds").
//
// The id is canonical per backing: the first time any backend's address falls in a mapped region,
// the region's base becomes the canonical base of its backing array (the memory object itself, as
// the kernel's segment is the same object in every process), and every later address in any region
// over that backing maps to canonical base + offset. So:
//   - a region mapped at the same base everywhere keeps id == address (Locks/Buffers traces, their
//     trace hashes and DFS schedule counts are unchanged);
//   - ids stay distinct: a canonical base is a real address of some backend's mapping, backends'
//     slices are disjoint and a slice hands out an address once per address space;
//   - which backend sees a backing first depends only on the schedule, so ids are deterministic
//     under replay;
//   - addresses outside every region (backend-private heap and static data) are their own ids.
// Backings are held weakly: a scenario that creates new segments every iteration does not keep
// the old ones alive through this table.
using System.Runtime.CompilerServices;
using Allocator.Sim;

namespace Harness.Explore;

public sealed class ObjectIds
{
    private readonly ConditionalWeakTable<byte[], StrongBox<ulong>> _bases = new();

    /// <summary>The canonical id of the object at <paramref name="addr"/> in <paramref name="memory"/>.</summary>
    public ulong Of(SimMemory memory, ulong addr)
    {
        ArgumentNullException.ThrowIfNull(memory);
        SimRegion? r = RegionOf(memory.Regions, addr);
        if (r is null) return addr;
        if (!_bases.TryGetValue(r.Backing, out StrongBox<ulong>? b))
        {
            b = new StrongBox<ulong>(r.Base);
            _bases.Add(r.Backing, b);
        }
        return b.Value + (addr - r.Base);
    }

    /// <summary>The region holding <paramref name="addr"/> (regions are sorted by base, disjoint).</summary>
    private static SimRegion? RegionOf(IReadOnlyList<SimRegion> regions, ulong addr)
    {
        int lo = 0, hi = regions.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            SimRegion r = regions[mid];
            if (addr < r.Base) hi = mid - 1;
            else if (addr >= r.End) lo = mid + 1;
            else return r;
        }
        return null;
    }
}
