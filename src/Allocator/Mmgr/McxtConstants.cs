// McxtConstants: constants of the common memory-context layer, with PostgreSQL's names.
// Ports: src/include/utils/memutils.h, memutils_memorychunk.h, memutils_internal.h, palloc.h,
// nodes/memnodes.h, c.h (MAXALIGN). Relationships between them are pinned by
// tests/Allocator.Tests/Contexts/ConstantRelationshipsTests.cs.
//
// A 64-bit build is modelled (pg-mmgr-dsa.md 0.1): Size is ulong, MAXIMUM_ALIGNOF is 8, and MAXALIGN
// wraps on overflow exactly as the C macro does (quirk Q2 depends on that).
#pragma warning disable CA1707 // PostgreSQL's names, on purpose
using System.Runtime.CompilerServices;

namespace Allocator.Mmgr;

public static class McxtConstants
{
    public const ulong MAXIMUM_ALIGNOF = 8;

    /// <summary>MaxAllocSize: 1 GiB - 1. AllocSizeIsValid(s) is s &lt;= MaxAllocSize.</summary>
    public const ulong MaxAllocSize = 0x3FFFFFFF;
    /// <summary>MaxAllocHugeSize: SIZE_MAX / 2.</summary>
    public const ulong MaxAllocHugeSize = ulong.MaxValue / 2;
    /// <summary>InvalidAllocSize: SIZE_MAX, the requested_size of a free chunk under checking.</summary>
    public const ulong InvalidAllocSize = ulong.MaxValue;

    public const int MCXT_ALLOC_HUGE = 0x01;
    public const int MCXT_ALLOC_NO_OOM = 0x02;
    public const int MCXT_ALLOC_ZERO = 0x04;

    /// <summary>Byte written after the requested bytes of a chunk under MEMORY_CONTEXT_CHECKING.</summary>
    public const byte SentinelByte = 0x7E;
    /// <summary>Byte written over freed memory under CLOBBER_FREED_MEMORY (wipe_mem).</summary>
    public const byte ClobberByte = 0x7F;

    // MemoryChunk header encoding (memutils_memorychunk.h).
    public const int MEMORYCHUNK_EXTERNAL_BASEBIT = 4;
    public const int MEMORYCHUNK_VALUE_BASEBIT = 5;
    public const int MEMORYCHUNK_BLOCKOFFSET_BASEBIT = 34;
    public const ulong MEMORYCHUNK_MAX_VALUE = 0x3FFFFFFF;
    public const ulong MEMORYCHUNK_MAX_BLOCKOFFSET = 0x3FFFFFFF;
    public const ulong MEMORYCHUNK_MAGIC = 0xB1A8DB858EB6EFBAUL & ~((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1);
    public const ulong MEMORY_CONTEXT_METHODID_MASK = (1UL << MEMORY_CONTEXT_METHODID_BITS) - 1;
    public const int MEMORY_CONTEXT_METHODID_BITS = 4;

    /// <summary>sizeof(MemoryChunk) without checking; with MEMORY_CONTEXT_CHECKING it is 16.</summary>
    public const ulong MemoryChunkHdrNoChecking = 8;
    public const ulong MemoryChunkHdrChecking = 16;

    // MemoryContextData (memnodes.h): 80 bytes, offsets for a 64-bit build (pg-mmgr-dsa.md 1.1).
    public const ulong SizeOfMemoryContextData = 80;
    public const ulong OffType = 0;
    public const ulong OffIsReset = 4;
    public const ulong OffAllowInCritSection = 5;
    public const ulong OffMemAllocated = 8;
    public const ulong OffMethods = 16;
    public const ulong OffParent = 24;
    public const ulong OffFirstChild = 32;
    public const ulong OffPrevChild = 40;
    public const ulong OffNextChild = 48;
    public const ulong OffName = 56;
    public const ulong OffIdent = 64;
    public const ulong OffResetCbs = 72;

    // MemoryContextCallback {func, arg, next}: 24 bytes, caller-allocated.
    public const ulong SizeOfMemoryContextCallback = 24;
    public const ulong OffCallbackFunc = 0;
    public const ulong OffCallbackArg = 8;
    public const ulong OffCallbackNext = 16;

    // Default parameter sets (memutils.h).
    public const ulong ALLOCSET_DEFAULT_MINSIZE = 0;
    public const ulong ALLOCSET_DEFAULT_INITSIZE = 8 * 1024;
    public const ulong ALLOCSET_DEFAULT_MAXSIZE = 8 * 1024 * 1024;
    public const ulong ALLOCSET_SMALL_MINSIZE = 0;
    public const ulong ALLOCSET_SMALL_INITSIZE = 1 * 1024;
    public const ulong ALLOCSET_SMALL_MAXSIZE = 8 * 1024;
    public const ulong ALLOCSET_START_SMALL_SIZES_MIN = 0;
    public const ulong ALLOCSET_START_SMALL_SIZES_INIT = 1 * 1024;
    public const ulong ALLOCSET_START_SMALL_SIZES_MAX = 8 * 1024 * 1024;
    public const ulong ALLOCSET_SEPARATE_THRESHOLD = 8192;
    public const ulong SLAB_DEFAULT_BLOCK_SIZE = 8 * 1024;
    public const ulong SLAB_LARGE_BLOCK_SIZE = 8 * 1024 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MAXALIGN(ulong x) => unchecked((x + (MAXIMUM_ALIGNOF - 1)) & ~(MAXIMUM_ALIGNOF - 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TYPEALIGN(ulong alignval, ulong x) => unchecked((x + (alignval - 1)) & ~(alignval - 1));

    public static bool AllocSizeIsValid(ulong size) => size <= MaxAllocSize;

    public static bool AllocHugeSizeIsValid(ulong size) => size <= MaxAllocHugeSize;
}

/// <summary>MemoryContextMethodID (memutils_internal.h): the 4-bit id in every chunk header.</summary>
public enum MemoryContextMethodID : byte
{
    MCTX_0_RESERVED_UNUSEDMEM_ID = 0,
    MCTX_1_RESERVED_GLIBC_ID = 1,
    MCTX_2_RESERVED_GLIBC_ID = 2,
    MCTX_ASET_ID = 3,
    MCTX_GENERATION_ID = 4,
    MCTX_SLAB_ID = 5,
    MCTX_ALIGNED_REDIRECT_ID = 6,
    MCTX_BUMP_ID = 7,
    MCTX_8_UNUSED_ID = 8,
    MCTX_9_UNUSED_ID = 9,
    MCTX_10_UNUSED_ID = 10,
    MCTX_11_UNUSED_ID = 11,
    MCTX_12_UNUSED_ID = 12,
    MCTX_13_UNUSED_ID = 13,
    MCTX_14_UNUSED_ID = 14,
    MCTX_15_RESERVED_WIPEDMEM_ID = 15,
}

/// <summary>The node tag at offset 0 of a context header (IsA checks). Values are the simulation's
/// own, distinct per type, and chosen so that zeroed, clobbered (0x7F7F7F7F) or poisoned memory
/// never reads as a valid tag.</summary>
public enum NodeTag : uint
{
    T_Invalid = 0,
    T_AllocSetContext = 0x4D43_0001,
    T_GenerationContext = 0x4D43_0002,
    T_SlabContext = 0x4D43_0003,
    T_BumpContext = 0x4D43_0004,
}
