// BumpConstants: layout and tuning constants of the Bump context type, with PostgreSQL's names.
// Ports: src/backend/utils/mmgr/bump.c (Bump_BLOCKHDRSZ, Bump_CHUNKHDRSZ, FIRST_BLOCKHDRSZ,
// Bump_CHUNK_FRACTION, struct BumpContext, struct BumpBlock).
//
// MEMORY_CONTEXT_CHECKING changes the block header (a `context` back link is inserted after the
// dlist node: 32 -> 40 bytes) and gives chunks a full MemoryChunk header (0 -> 16 bytes); both
// layouts are spelled out here and Bump picks one per process (pg-mmgr-dsa.md 5.1).
#pragma warning disable CA1707 // PostgreSQL's names, on purpose
using Allocator.Common;

namespace Allocator.Mmgr;

public static class BumpConstants
{
    /// <summary>MAXALIGN(sizeof(BumpContext)).</summary>
    public const ulong Bump_CONTEXTSZ = 112;
    /// <summary>Bump_BLOCKHDRSZ without checking.</summary>
    public const ulong Bump_BLOCKHDRSZ = 32;
    /// <summary>Bump_BLOCKHDRSZ with MEMORY_CONTEXT_CHECKING (context link added).</summary>
    public const ulong Bump_BLOCKHDRSZ_Checking = 40;
    /// <summary>Bump_CHUNKHDRSZ without checking: bump chunks have no header at all.</summary>
    public const ulong Bump_CHUNKHDRSZ = 0;
    /// <summary>At least this many chunks of allocChunkLimit bytes fit in a maxBlockSize block.</summary>
    public const ulong Bump_CHUNK_FRACTION = 8;

    // BumpContext fields after the 80-byte MemoryContextData.
    public const ulong OffInitBlockSize = 80;     // uint32
    public const ulong OffMaxBlockSize = 84;      // uint32
    public const ulong OffNextBlockSize = 88;     // uint32
    public const ulong OffAllocChunkLimit = 92;   // uint32
    public const ulong OffBlocks = 96;            // dlist_head; the head element is the current block

    // BumpBlock fields: the dlist node is first, so a node address is its block's address.
    public const ulong OffBlkNode = 0;            // dlist_node {prev, next}
    public const ulong OffBlkNodePrev = OffBlkNode + Dlist.OffPrev;
    public const ulong OffBlkNodeNext = OffBlkNode + Dlist.OffNext;
    /// <summary>`context` exists only with MEMORY_CONTEXT_CHECKING.</summary>
    public const ulong OffBlkContextChecking = 16;
    public const ulong OffBlkFreeptr = 16;
    public const ulong OffBlkEndptr = 24;
    public const ulong OffBlkFreeptrChecking = 24;
    public const ulong OffBlkEndptrChecking = 32;
}
