// DsmAddressSpace: where one simulated backend maps its DSM segments. PostgreSQL lets mmap pick an
// address in each process, so the same segment lands at different addresses in different backends;
// here every backend owns a disjoint slice of the simulated address space and places its mappings
// in it with a bump pointer. Consequences the port relies on:
//   - a raw address computed in backend A never lies in backend B's slice, so dereferencing it in B
//     faults (SimFaultException), as it would be a wild pointer in PostgreSQL;
//   - a slice never hands out an address twice, so a stale pointer into a detached mapping of the
//     same backend faults too instead of silently reaching a later mapping.
// The control segment is not placed here: it is mapped at ControlBase in every backend (PostgreSQL's
// backends inherit the postmaster's mapping of it across fork).
//
// Layout: slice b is [MappingBase + b * SliceSize, MappingBase + (b + 1) * SliceSize). Each mapping
// starts at a MappingAlign boundary and is followed by at least one unmapped MappingAlign guard, so
// running off the end of a segment faults instead of reaching the next one.
//
// Divergence: mmap reuses freed address ranges; the bump pointer never does, and when the slice is
// used up a mapping fails as mmap does with ENOMEM (64 GiB per backend is far beyond any test).
using Allocator.Sim;

namespace Allocator.Shmem;

public sealed class DsmAddressSpace
{
    /// <summary>Where the control segment is mapped in every backend.</summary>
    public const ulong ControlBase = SimMemory.RegionBase + 8 * SimMemory.RegionAlign;
    /// <summary>Start of backend 0's slice.</summary>
    public const ulong MappingBase = 0x7100_0000_0000;
    /// <summary>Size of each backend's slice.</summary>
    public const ulong SliceSize = 1UL << 36;
    /// <summary>Mappings start on, and are separated by at least, this many bytes.</summary>
    public const ulong MappingAlign = 1UL << 16;
    /// <summary>Backends that can have a slice (procno in [0, MaxSlices)).</summary>
    public const int MaxSlices = 64;

    public SimMemory Memory { get; }
    public int ProcNumber { get; }
    public ulong SliceBase { get; }
    public ulong SliceEnd => SliceBase + SliceSize;

    private ulong _next;

    public DsmAddressSpace(SimMemory memory, int procNumber)
    {
        if ((uint)procNumber >= MaxSlices) throw new ArgumentOutOfRangeException(nameof(procNumber));
        Memory = memory;
        ProcNumber = procNumber;
        SliceBase = MappingBase + (ulong)procNumber * SliceSize;
        _next = SliceBase;
    }

    /// <summary>True if <paramref name="address"/> lies in this backend's slice.</summary>
    public bool Contains(ulong address) => address >= SliceBase && address < SliceEnd;

    /// <summary>The next address a mapping would get (for tests that predict placement).</summary>
    public ulong NextAddress => _next;

    /// <summary>mmap(NULL, length, ...): maps <paramref name="backing"/> at the bump pointer, or returns
    /// null when the slice has no room (ENOMEM).</summary>
    public SimRegion? Map(string name, byte[] backing)
    {
        ulong length = (ulong)backing.LongLength;
        ulong span = (length + MappingAlign - 1) & ~(MappingAlign - 1);
        if (span + MappingAlign > SliceEnd - _next) return null;
        SimRegion r = Memory.MapRegion(name, backing, _next);
        _next += span + MappingAlign;
        return r;
    }

    /// <summary>munmap.</summary>
    public void Unmap(SimRegion region) => Memory.UnmapRegion(region);

    /// <summary>The mappings of this slice that are currently in the backend's memory, by address.</summary>
    public IEnumerable<SimRegion> Mappings() => Memory.Regions.Where(r => Contains(r.Base));
}
