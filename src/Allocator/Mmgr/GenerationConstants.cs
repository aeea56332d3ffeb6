// GenerationConstants: layout and tuning constants of the Generation context type, with
// PostgreSQL's names. Ports: src/backend/utils/mmgr/generation.c (Generation_BLOCKHDRSZ,
// FIRST_BLOCKHDRSZ, Generation_CHUNK_FRACTION, struct GenerationContext, struct GenerationBlock).
//
// Offsets are those of a 64-bit build (pg-mmgr-dsa.md 3.1); every field of a context or block
// header lives in simulated memory at these offsets, so a stray user write corrupts exactly what
// it would corrupt in PostgreSQL. Relationships are pinned by GenerationTests.Constants_*.
#pragma warning disable CA1707 // PostgreSQL's names, on purpose
using Allocator.Common;

namespace Allocator.Mmgr;

public static class GenerationConstants
{
    /// <summary>MAXALIGN(sizeof(GenerationContext)): the common header plus the fields below.</summary>
    public const ulong Generation_CONTEXTSZ = 128;
    /// <summary>Generation_BLOCKHDRSZ = MAXALIGN(sizeof(GenerationBlock)).</summary>
    public const ulong Generation_BLOCKHDRSZ = 56;
    /// <summary>FIRST_BLOCKHDRSZ: context header plus the keeper block's header.</summary>
    public const ulong FIRST_BLOCKHDRSZ = Generation_CONTEXTSZ + Generation_BLOCKHDRSZ;
    /// <summary>At least this many chunks of allocChunkLimit bytes fit in a maxBlockSize block.</summary>
    public const ulong Generation_CHUNK_FRACTION = 8;

    // GenerationContext fields after the 80-byte MemoryContextData.
    public const ulong OffInitBlockSize = 80;     // uint32
    public const ulong OffMaxBlockSize = 84;      // uint32
    public const ulong OffNextBlockSize = 88;     // uint32
    public const ulong OffAllocChunkLimit = 92;   // uint32
    public const ulong OffBlock = 96;             // GenerationBlock *: current block
    public const ulong OffFreeBlock = 104;        // GenerationBlock *: recycled empty block or NULL
    public const ulong OffBlocks = 112;           // dlist_head {prev, next}

    // GenerationBlock fields. The dlist node is first, so a node address is its block's address.
    public const ulong OffBlkNode = 0;            // dlist_node {prev, next}
    public const ulong OffBlkNodePrev = OffBlkNode + Dlist.OffPrev;
    public const ulong OffBlkNodeNext = OffBlkNode + Dlist.OffNext;
    public const ulong OffBlkContext = 16;
    public const ulong OffBlkBlksize = 24;
    public const ulong OffBlkNChunks = 32;        // int32
    public const ulong OffBlkNFree = 36;          // int32
    public const ulong OffBlkFreeptr = 40;
    public const ulong OffBlkEndptr = 48;
}
