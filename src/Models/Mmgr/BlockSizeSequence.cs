// BlockSizeSequence: the block-size policy AllocSet, Generation and Bump share (aset.c
// AllocSetAllocFromNewBlock, generation.c GenerationAllocFromNewBlock, bump.c BumpAllocFromNewBlock):
// the first non-keeper block asks for initBlockSize, each later one for twice the previous, capped
// at maxBlockSize; a reset starts the sequence over. When a request does not fit the size the
// sequence hands out, AllocSet doubles that size until it fits, Generation and Bump jump to the next
// power of two of the requirement; neither changes what the sequence hands out next.
namespace Models.Mmgr;

public sealed class BlockSizeSequence(ulong initBlockSize, ulong maxBlockSize)
{
    public ulong InitBlockSize { get; } = initBlockSize;

    /// <summary>Changes on a recycled AllocSet (its new creator's maxBlockSize; quirk Q1 keeps the rest).</summary>
    public ulong MaxBlockSize { get; set; } = maxBlockSize;

    /// <summary>nextBlockSize: what the next new block asks for before fitting.</summary>
    public ulong Next { get; private set; } = initBlockSize;

    /// <summary>Hands out the next size and advances the sequence (doubling, capped). The advance
    /// happens before malloc, so it sticks even when the malloc fails.</summary>
    public ulong Take()
    {
        ulong size = Next;
        Next <<= 1;
        if (Next > MaxBlockSize) Next = MaxBlockSize;
        return size;
    }

    public void Restart() => Next = InitBlockSize;

    /// <summary>AllocSet: double the block until the request and its headers fit.</summary>
    public static ulong FitByDoubling(ulong blockSize, ulong required)
    {
        while (blockSize < required) blockSize <<= 1;
        return blockSize;
    }

    /// <summary>Generation and Bump: a block too small for the request becomes nextpow2(required).</summary>
    public static ulong FitByNextPow2(ulong blockSize, ulong required) =>
        blockSize < required ? ChunkGeometry.NextPow2(required) : blockSize;
}
