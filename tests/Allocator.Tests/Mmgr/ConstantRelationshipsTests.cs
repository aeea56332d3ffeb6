// ConstantRelationshipsTests: the relationships aset.c, mcxt.c and memutils*.h pin with
// StaticAssertDecl (and the ones the spec states), since C# has no static_assert.
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Tests.Mmgr;

public sealed class ConstantRelationshipsTests
{
    [Fact]
    public void ChunkLimit_EqualsSeparateThreshold_AndIsBelow64K()
    {
        Pin(ALLOCSET_SEPARATE_THRESHOLD, ALLOC_CHUNK_LIMIT);
        Pin(8192UL, ALLOC_CHUNK_LIMIT);
        Assert.True(ALLOC_CHUNK_LIMIT < (1UL << 16));
        Pin(ALLOC_CHUNK_LIMIT, GetChunkSizeFromFreeListIdx(ALLOCSET_NUM_FREELISTS - 1));
    }

    [Fact]
    public void ChunkHeaders_AreMaxAligned_AndAFreeListLinkFitsTheSmallestChunk()
    {
        Pin(MemoryChunkHdrNoChecking, MAXALIGN(MemoryChunkHdrNoChecking));
        Pin(MemoryChunkHdrChecking, MAXALIGN(MemoryChunkHdrChecking));
        Assert.True(sizeof(ulong) <= (1 << ALLOC_MINBITS));   // sizeof(AllocFreeListLink)
    }

    [Fact]
    public void AllocSetLayout_MatchesTheSpecOffsets()
    {
        Pin(SizeOfMemoryContextData, AsetOffBlocks);
        Pin(AsetOffBlocks + 8, AsetOffFreelist);
        Pin(AsetOffFreelist + ALLOCSET_NUM_FREELISTS * 8UL, AsetOffInitBlockSize);
        Pin(AsetOffInitBlockSize + 4, AsetOffMaxBlockSize);
        Pin(AsetOffMaxBlockSize + 4, AsetOffNextBlockSize);
        Pin(AsetOffNextBlockSize + 4, AsetOffAllocChunkLimit);
        Pin(AsetOffAllocChunkLimit + 4, AsetOffFreeListIndex);
        Pin(MAXALIGN(AsetOffFreeListIndex + 4), SizeOfAllocSetContext);
        Pin(200UL, SizeOfAllocSetContext);
        Pin(40UL, ALLOC_BLOCKHDRSZ);
        Pin(BlkOffEndptr + 8, SizeOfAllocBlockData);
        Pin(240UL, FIRST_BLOCKHDRSZ);
    }

    [Theory]
    [InlineData(8UL), InlineData(16UL)]
    public void AllocChunkLimit_ForTheStandardParameterSets(ulong hdr)
    {
        static ulong Limit(ulong max, ulong hdr)
        {
            ulong limit = ALLOC_CHUNK_LIMIT;
            while (limit + hdr > (max - ALLOC_BLOCKHDRSZ) / ALLOC_CHUNK_FRACTION) limit >>= 1;
            return limit;
        }
        Pin(8192UL, Limit(ALLOCSET_DEFAULT_MAXSIZE, hdr));
        Pin(1024UL, Limit(ALLOCSET_SMALL_MAXSIZE, hdr));
        Pin(8192UL, Limit(ALLOCSET_START_SMALL_SIZES_MAX, hdr));
    }

    [Fact]
    public void MaxBlockSizes_FitTheChunkHeaderBlockOffset()
    {
        Assert.True(ALLOCSET_DEFAULT_MAXSIZE <= MEMORYCHUNK_MAX_BLOCKOFFSET);
        Pin(MaxAllocSize, MEMORYCHUNK_MAX_VALUE);
        Pin(0xB1A8DB858EB6EFA0UL, MEMORYCHUNK_MAGIC);
        Pin(ulong.MaxValue / 2, MaxAllocHugeSize);
        Pin(100, (ulong)MAX_FREE_CONTEXTS);
    }

    [Fact]
    public void RecycledListKeys_AreDistinct()
    {
        // List 0 is (min, init) = DEFAULT; list 1 is SMALL and START_SMALL, which share (0, 1 KiB).
        Assert.False((ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE) == (ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE));
        Assert.True((ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE) == (ALLOCSET_START_SMALL_SIZES_MIN, ALLOCSET_START_SMALL_SIZES_INIT));
    }

    /// <summary>Assert.Equal for relationships between constants (xunit's analyzer wants the
    /// expected side to be the literal, which both sides are here).</summary>
    private static void Pin(ulong expected, ulong actual) => Assert.True(expected == actual, $"expected {expected}, got {actual}");
}
