// DsmSegment: dsm.c's struct dsm_segment (PostgreSQL 17), the backend-local descriptor of one
// segment a backend has created or attached: its handle, the control slot whose refcnt it holds a
// reference in, its mapping, its resource owner and its on-detach callbacks (dsm_segment_detach_callback,
// an slist with the newest registration at the head, so callbacks run newest first).
//
// Descriptors live in the owning backend's dsm_segment_list (DsmBackend), newest first. In C the
// descriptor is pfree'd by dsm_detach; here it is marked Freed, and every dsm.c entry point asserts
// it is not (C would read freed memory: a use after free).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;

namespace Allocator.Shmem;

/// <summary>on_dsm_detach_callback: called with the segment and the Datum given at registration.</summary>
public delegate void on_dsm_detach_callback(DsmSegment seg, ulong arg);

public sealed class DsmSegment
{
    /// <summary>The backend whose descriptor this is.</summary>
    public DsmBackend Owner { get; }

    /// <summary>Resource owner, or null for a session-lifetime mapping.</summary>
    public DsmResourceOwner? resowner;
    /// <summary>Segment name.</summary>
    public uint handle;
    /// <summary>Slot in the control segment, or INVALID_CONTROL_SLOT.</summary>
    public uint control_slot = DsmConstants.INVALID_CONTROL_SLOT;
    /// <summary>The mapping (the simulated implementation's private data), or null if unmapped.</summary>
    public SimRegion? impl_private;
    /// <summary>Mapping address in the owner's address space, or 0 if unmapped.</summary>
    public ulong mapped_address;
    /// <summary>Size of the mapping.</summary>
    public ulong mapped_size;

    /// <summary>on_detach: head (index 0) is the newest registration.</summary>
    internal readonly List<(on_dsm_detach_callback function, ulong arg)> on_detach = new();

    /// <summary>Set when dsm_detach has released the descriptor (pfree).</summary>
    public bool Freed { get; internal set; }

    internal DsmSegment(DsmBackend owner) => Owner = owner;

    /// <summary>The registered callbacks, in the order dsm_detach would run them.</summary>
    public IReadOnlyList<(on_dsm_detach_callback function, ulong arg)> OnDetach => on_detach;

    public override string ToString() => $"dynamic shared memory segment {handle}";
}
