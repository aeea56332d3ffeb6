// DsaSegmentMap: dsa.c's dsa_segment_map, one backend's view of one segment of an area: the DSM
// descriptor (null for segment 0 of an area created in place), where this backend mapped it, and
// the addresses of its header, FreePageManager and pagemap within that mapping. Backend-private.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Shmem;

namespace Allocator.Dsa;

public sealed class DsaSegmentMap
{
    public DsaSegmentMap(ulong index) => Index = index;

    /// <summary>The slot (get_segment_index).</summary>
    public ulong Index { get; }

    public DsmSegment? segment;
    /// <summary>mapped_address; 0 (NULL) when this backend has not mapped the slot.</summary>
    public ulong mapped_address;
    /// <summary>header address; 0 once the slot was found freed.</summary>
    public ulong header;
    public FreePageManager? fpm;
    public ulong pagemap;

    public void Clear()
    {
        segment = null;
        mapped_address = 0;
        header = 0;
        fpm = null;
        pagemap = 0;
    }
}
