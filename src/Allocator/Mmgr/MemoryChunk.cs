// MemoryChunk: the 8-byte header word before every chunk's user pointer (memutils_memorychunk.h),
// preceded by an 8-byte requested_size under MEMORY_CONTEXT_CHECKING (pg-mmgr-dsa.md 1.3).
//
//   bits 0-3   method id          bit 4   external flag
//   bits 5-34  value (30 bits)    bits 34-63  block offset (30 bits, always even, so bit 34 is shared)
//
// Addresses here are of the whole MemoryChunk struct ("chunk"), which is PointerGetMemoryChunk(p) =
// p - sizeof(MemoryChunk); the hdrmask word is always at p - 8. Every function reads and writes
// simulated memory only, so a corrupted header decodes exactly as it would in PostgreSQL.
#pragma warning disable CA1707
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public static class MemoryChunk
{
    /// <summary>Address of the hdrmask word of the chunk whose user pointer is <paramref name="pointer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HdrMaskAddress(ulong pointer) => pointer - 8;

    /// <summary>The method id: GetMemoryChunkMethodID(p), the low 4 bits of the word before p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MemoryContextMethodID GetMethodId(SimMemory memory, ulong pointer) =>
        (MemoryContextMethodID)(memory.ReadU64(pointer - 8) & MEMORY_CONTEXT_METHODID_MASK);

    /// <summary>MemoryChunkSetHdrMask: a non-external header for a chunk in a block.</summary>
    /// <param name="chunk">Address of the MemoryChunk struct (pointer - header size).</param>
    public static void SetHdrMask(SimMemory memory, ulong chunk, ulong hdrSize, ulong block, ulong value, MemoryContextMethodID methodId)
    {
        ulong blockoffset = chunk - block;
        Pg.Assert(chunk >= block);
        Pg.Assert((blockoffset & 1) == 0);
        Pg.Assert(blockoffset <= MEMORYCHUNK_MAX_BLOCKOFFSET);
        Pg.Assert(value <= MEMORYCHUNK_MAX_VALUE);
        Pg.Assert((int)methodId <= 15);
        memory.WriteU64(chunk + hdrSize - 8, Encode(blockoffset, value, methodId));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Encode(ulong blockoffset, ulong value, MemoryContextMethodID methodId) =>
        (blockoffset << MEMORYCHUNK_BLOCKOFFSET_BASEBIT) | (value << MEMORYCHUNK_VALUE_BASEBIT) | (ulong)methodId;

    /// <summary>MemoryChunkSetHdrMaskExternal.</summary>
    public static void SetHdrMaskExternal(SimMemory memory, ulong chunk, ulong hdrSize, MemoryContextMethodID methodId)
    {
        Pg.Assert((int)methodId <= 15);
        memory.WriteU64(chunk + hdrSize - 8, EncodeExternal(methodId));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EncodeExternal(MemoryContextMethodID methodId) =>
        MEMORYCHUNK_MAGIC | (1UL << MEMORYCHUNK_EXTERNAL_BASEBIT) | (ulong)methodId;

    /// <summary>MemoryChunkIsExternal, with its assertion that an external header carries the magic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsExternal(ulong hdrmask)
    {
        bool external = (hdrmask & (1UL << MEMORYCHUNK_EXTERNAL_BASEBIT)) != 0;
        if (external) Pg.Assert((hdrmask & ~((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1)) == MEMORYCHUNK_MAGIC);
        return external;
    }

    /// <summary>HdrMaskIsExternal without the assertion (for walkers that must not throw).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasExternalFlag(ulong hdrmask) => (hdrmask & (1UL << MEMORYCHUNK_EXTERNAL_BASEBIT)) != 0;

    /// <summary>MemoryChunkGetValue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GetValue(ulong hdrmask) => (hdrmask >> MEMORYCHUNK_VALUE_BASEBIT) & MEMORYCHUNK_MAX_VALUE;

    /// <summary>MemoryChunkGetBlock: the block address from the chunk struct address and its hdrmask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GetBlock(ulong chunk, ulong hdrmask) => chunk - GetBlockOffset(hdrmask);

    /// <summary>How far below the chunk its block starts (the hdrmask's block offset field).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong GetBlockOffset(ulong hdrmask) =>
        (hdrmask >> MEMORYCHUNK_BLOCKOFFSET_BASEBIT) & (MEMORYCHUNK_MAX_BLOCKOFFSET & ~1UL);

    /// <summary>The hdrmask value as PostgreSQL prints it in "(header 0x%016llx)".</summary>
    public static string FormatHeader(ulong hdrmask) => $"0x{hdrmask:x16}";
}
