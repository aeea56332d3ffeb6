// AllocSetConstants: the constants and struct layout of aset.c, with PostgreSQL's names.
// Ports: src/backend/utils/mmgr/aset.c (ALLOC_MINBITS, ALLOCSET_NUM_FREELISTS, ALLOC_CHUNK_LIMIT,
// ALLOC_CHUNK_FRACTION, ALLOC_BLOCKHDRSZ, FIRST_BLOCKHDRSZ, MAX_FREE_CONTEXTS, AllocSetContext and
// AllocBlockData). Offsets are for the 64-bit build the simulation models (pg-mmgr-dsa.md 2.1); the
// relationships aset.c pins with StaticAssertDecl are pinned by ConstantRelationshipsTests.
#pragma warning disable CA1707 // PostgreSQL's names, on purpose
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Allocator.Mmgr;

public static class AllocSetConstants
{
    /// <summary>The smallest chunk is 1 &lt;&lt; ALLOC_MINBITS = 8 bytes.</summary>
    public const int ALLOC_MINBITS = 3;
    /// <summary>Freelist k holds chunks of exactly 8 &lt;&lt; k bytes, k = 0..10.</summary>
    public const int ALLOCSET_NUM_FREELISTS = 11;
    /// <summary>Largest request served from a freelist-sized chunk (8192); larger ones get a dedicated block.</summary>
    public const ulong ALLOC_CHUNK_LIMIT = 1UL << (ALLOCSET_NUM_FREELISTS - 1 + ALLOC_MINBITS);
    /// <summary>A chunk may take at most 1/ALLOC_CHUNK_FRACTION of a max-size block (allocChunkLimit).</summary>
    public const ulong ALLOC_CHUNK_FRACTION = 4;
    /// <summary>Contexts kept per recycled-context list before the list is flushed.</summary>
    public const int MAX_FREE_CONTEXTS = 100;

    // AllocSetContext: the common 80-byte MemoryContextData, then these fields (200 bytes in all).
    public const ulong SizeOfAllocSetContext = 200;
    public const ulong AsetOffBlocks = 80;            // AllocBlock blocks (head of the block list)
    public const ulong AsetOffFreelist = 88;          // MemoryChunk *freelist[11]
    public const ulong AsetOffInitBlockSize = 176;    // uint32
    public const ulong AsetOffMaxBlockSize = 180;     // uint32
    public const ulong AsetOffNextBlockSize = 184;    // uint32
    public const ulong AsetOffAllocChunkLimit = 188;  // uint32
    public const ulong AsetOffFreeListIndex = 192;    // int: context_freelists[] index, or -1

    // AllocBlockData: 40 bytes.
    public const ulong SizeOfAllocBlockData = 40;
    public const ulong BlkOffAset = 0;
    public const ulong BlkOffPrev = 8;
    public const ulong BlkOffNext = 16;
    public const ulong BlkOffFreeptr = 24;
    public const ulong BlkOffEndptr = 32;

    /// <summary>ALLOC_BLOCKHDRSZ = MAXALIGN(sizeof(AllocBlockData)).</summary>
    public const ulong ALLOC_BLOCKHDRSZ = (SizeOfAllocBlockData + McxtConstants.MAXIMUM_ALIGNOF - 1) & ~(McxtConstants.MAXIMUM_ALIGNOF - 1);
    /// <summary>FIRST_BLOCKHDRSZ: context header plus keeper block header; the keeper's data starts here.</summary>
    public const ulong FIRST_BLOCKHDRSZ = SizeOfAllocSetContext + ALLOC_BLOCKHDRSZ;

    /// <summary>KeeperBlock(set): the block header right after the context header, same malloc chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong KeeperBlock(ulong set) => set + SizeOfAllocSetContext;

    /// <summary>GetChunkSizeFromFreeListIdx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GetChunkSizeFromFreeListIdx(int fidx) => (1UL << ALLOC_MINBITS) << fidx;

    /// <summary>FreeListIdxIsValid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool FreeListIdxIsValid(ulong fidx) => fidx < ALLOCSET_NUM_FREELISTS;

    /// <summary>AllocSetFreeIndex: 0 for sizes up to 8, else ceil(log2(size)) - 3, computed as C
    /// does on the low 32 bits of size - 1 (callers only pass sizes up to ALLOC_CHUNK_LIMIT).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int AllocSetFreeIndex(ulong size) =>
        size > (1UL << ALLOC_MINBITS) ? BitOperations.Log2((uint)(size - 1)) - ALLOC_MINBITS + 1 : 0;
}
