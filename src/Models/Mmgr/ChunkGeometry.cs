// ChunkGeometry: the arithmetic a caller can derive from PostgreSQL's semantics without looking
// at any block (pg-mmgr-dsa.md 1.4, 2.1-2.6, 3.2-3.3, 4.2, 5.1-5.2, 6): chunk data sizes, the
// GetMemoryChunkSpace formula per type, allocChunkLimit, first-block sizes, free-list indexes,
// the size-check and the wrapping MAXALIGN of quirk Q2. Written from the spec; no port code.
namespace Models.Mmgr;

public static class ChunkGeometry
{
    public const ulong MaxAllocSize = 0x3FFFFFFF;
    public const ulong MaxAllocHugeSize = ulong.MaxValue / 2;
    public const ulong AllocSetHeader = 200, AllocBlockHeader = 40;
    public const ulong GenerationHeader = 128, GenerationBlockHeader = 56;
    public const ulong SlabHeader = 176, SlabHeaderChecking = 192, SlabBlockHeader = 48;
    public const ulong BumpHeader = 112;
    public const int MaxFreeContexts = 100;

    /// <summary>MAXALIGN with C's wrapping arithmetic.</summary>
    public static ulong MaxAlign(ulong x) => unchecked((x + 7) & ~7UL);

    /// <summary>The smallest power of two at least x (x at least 1).</summary>
    public static ulong NextPow2(ulong x)
    {
        ulong p = 1;
        while (p < x) p <<= 1;
        return p;
    }

    /// <summary>AllocSet small chunk data size: max(8, nextpow2(size)).</summary>
    public static ulong AllocSetSmallData(ulong size) => size <= 8 ? 8 : NextPow2(size);

    /// <summary>Free-list index of an AllocSet small chunk: log2(data size) - 3.</summary>
    public static int AllocSetFreeIndex(ulong size)
    {
        ulong d = AllocSetSmallData(size);
        int k = 0;
        while ((8UL << k) < d) k++;
        return k;
    }

    /// <summary>allocChunkLimit of a new AllocSet: 8192 halved while limit + hdr > (max - 40) / 4.</summary>
    public static ulong AllocSetChunkLimit(ulong maxBlockSize, ulong hdr)
    {
        ulong limit = 8192;
        while (limit + hdr > (maxBlockSize - AllocBlockHeader) / 4) limit >>= 1;
        return limit;
    }

    /// <summary>Generation (hdr, 56, fraction 8) and Bump (hdr 0|16, block header 32|40) limit.</summary>
    public static ulong FractionChunkLimit(ulong maxBlockSize, ulong hdr, ulong blockHeader)
    {
        ulong limit = Math.Min(maxBlockSize, MaxAllocSize);
        while (limit + hdr > (maxBlockSize - blockHeader) / 8) limit >>= 1;
        return limit;
    }

    /// <summary>The recycled-context free list an AllocSet uses: 0 for (0, 8192), 1 for (0, 1024), else -1.</summary>
    public static int AllocSetFreeListIndex(ulong min, ulong init) =>
        min == 0 && init == 8192 ? 0 : min == 0 && init == 1024 ? 1 : -1;

    public static ulong AllocSetFirstBlock(ulong min, ulong init, ulong hdr) =>
        Math.Max(AllocSetHeader + AllocBlockHeader + hdr, min != 0 ? min : init);

    public static ulong GenerationFirstBlock(ulong min, ulong init, ulong hdr) =>
        Math.Max(GenerationHeader + GenerationBlockHeader + hdr, min != 0 ? min : init);

    public static ulong BumpFirstBlock(ulong min, ulong init, ulong hdr) =>
        Math.Max(BumpHeader + 32 + hdr, min != 0 ? min : init);

    /// <summary>Data bytes of a Generation, Bump or dedicated AllocSet chunk: MAXALIGN(size), or
    /// MAXALIGN(size + 1) with checking, wrapping (quirk Q2).</summary>
    public static ulong AlignedData(ulong size, bool checking) => MaxAlign(checking ? unchecked(size + 1) : size);

    /// <summary>MemoryContextCheckSize: null if fine, else the ERROR text.</summary>
    public static string? SizeCheck(ulong size, bool huge)
    {
        if (size <= MaxAllocSize) return null;
        if (huge && size <= MaxAllocHugeSize) return null;
        return $"invalid memory alloc request size {size}";
    }

    /// <summary>Slab: the raised chunk size, full chunk size and chunks per block.</summary>
    public static (ulong ChunkSize, ulong Full, ulong PerBlock) Slab(ulong blockSize, ulong chunkSize, bool checking)
    {
        ulong cs = chunkSize < 8 ? 8 : chunkSize;
        ulong hdr = checking ? 16UL : 8UL;
        ulong full = hdr + MaxAlign(checking ? cs + 1 : cs);
        ulong cpb = blockSize >= SlabBlockHeader ? (blockSize - SlabBlockHeader) / full : 0;
        return (cs, full, cpb);
    }

    /// <summary>PallocAlignedExtraBytes plus the checking sentinel byte.</summary>
    public static ulong AlignedExtra(ulong alignto, bool checking) => alignto + ((checking ? 16UL : 8UL) - 8) + (checking ? 1UL : 0UL);
}
