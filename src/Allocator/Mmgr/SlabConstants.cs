// SlabConstants: layout and tuning constants of the Slab context type, with PostgreSQL's names.
// Ports: src/backend/utils/mmgr/slab.c (SLAB_BLOCKLIST_COUNT, SLAB_MAXIMUM_EMPTY_BLOCKS,
// Slab_BLOCKHDRSZ, Slab_CONTEXT_HDRSZ, struct SlabContext, struct SlabBlock).
//
// The SlabContext layout depends on MEMORY_CONTEXT_CHECKING: that build inserts the isChunkFree
// pointer after curBlocklistIndex, shifting every later field by 8 and growing the header from
// 176 to 192 bytes (pg-mmgr-dsa.md 4.1). Both layouts are spelled out here; Slab picks one per
// process. The chunksPerBlock-byte isChunkFree array follows the header in the same malloc chunk.
#pragma warning disable CA1707 // PostgreSQL's names, on purpose
using Allocator.Common;

namespace Allocator.Mmgr;

public static class SlabConstants
{
    /// <summary>Partitions of the blocklist by free-chunk count; element 0 holds full blocks.</summary>
    public const int SLAB_BLOCKLIST_COUNT = 3;
    /// <summary>Completely empty blocks kept for reuse before further ones go back to malloc.</summary>
    public const int SLAB_MAXIMUM_EMPTY_BLOCKS = 10;
    /// <summary>Slab_BLOCKHDRSZ = MAXALIGN(sizeof(SlabBlock)).</summary>
    public const ulong Slab_BLOCKHDRSZ = 48;
    /// <summary>sizeof(SlabContext) without checking.</summary>
    public const ulong SizeOfSlabContext = 176;
    /// <summary>sizeof(SlabContext) with MEMORY_CONTEXT_CHECKING (isChunkFree pointer added).</summary>
    public const ulong SizeOfSlabContextChecking = 192;
    /// <summary>The free-list link stored in a free chunk's data is a pointer: chunks are at least this big.</summary>
    public const ulong SlabMinChunkSize = 8;

    // SlabContext fields common to both layouts.
    public const ulong OffChunkSize = 80;          // uint32: requested chunk size (after raising to 8)
    public const ulong OffFullChunkSize = 84;      // uint32: header + MAXALIGN(chunkSize[+1])
    public const ulong OffBlockSize = 88;          // uint32
    public const ulong OffChunksPerBlock = 92;     // int32
    public const ulong OffCurBlocklistIndex = 96;  // int32

    // Without checking.
    public const ulong OffBlocklistShift = 100;    // int32
    public const ulong OffEmptyBlocks = 104;       // dclist_head {dlist_head {prev, next}, uint32 count}
    public const ulong OffBlocklist = 128;         // dlist_head[3], 16 bytes each

    // With MEMORY_CONTEXT_CHECKING.
    public const ulong OffIsChunkFreeChecking = 104;   // bool *
    public const ulong OffBlocklistShiftChecking = 112;
    public const ulong OffEmptyBlocksChecking = 120;
    public const ulong OffBlocklistChecking = 144;

    /// <summary>Offset of dclist_head.count within the dclist_head (Common/Dclist.cs).</summary>
    public const ulong OffDclistCount = Dclist.OffCount;
    /// <summary>Size of a dlist_head (and of a dlist_node; Common/Dlist.cs).</summary>
    public const ulong SizeOfDlistHead = Dlist.SizeOfNode;

    // SlabBlock fields.
    public const ulong OffBlkSlab = 0;
    public const ulong OffBlkNFree = 8;       // int32
    public const ulong OffBlkNUnused = 12;    // int32
    public const ulong OffBlkFreeHead = 16;   // MemoryChunk *
    public const ulong OffBlkUnused = 24;     // MemoryChunk *
    public const ulong OffBlkNode = 32;       // dlist_node {prev, next}
}
