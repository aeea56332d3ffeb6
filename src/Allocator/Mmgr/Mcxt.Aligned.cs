// Mcxt.Aligned: MemoryContextAllocAligned and palloc_aligned (mcxt.c), and the registration of the
// aligned-redirect method table (method id 6, AlignedAlloc.cs). pg-mmgr-dsa.md 1.11.
//
// The unaligned chunk is allocated with MemoryContextAllocExtended (so the size is checked up
// front), big enough to hold the request at the next alignto boundary after a redirect header.
// This does not work for Slab (fixed chunk size) or Bump (no chunk headers), as in PostgreSQL.
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    partial void RegisterAlignedRedirect() => RegisterMethods(new AlignedAlloc(this));

    /// <summary>MemoryContextAllocAligned(context, size, alignto, flags): alignto a power of two
    /// below 128 MiB; at most MAXIMUM_ALIGNOF means an ordinary allocation.</summary>
    public ulong MemoryContextAllocAligned(ulong context, ulong size, ulong alignto, int flags)
    {
        Pg.Assert(alignto < 128 * 1024 * 1024);
        Pg.Assert((alignto & (alignto - 1)) == 0);
        if (alignto <= MAXIMUM_ALIGNOF)
            return MemoryContextAllocExtended(context, size, flags);

        ulong hdr = ChunkHdrSz;
        ulong allocSize = size + AlignedAlloc.PallocAlignedExtraBytes(alignto, hdr);
        if (Options.MemoryContextChecking) allocSize += 1;   // room for the sentinel
        // ZERO is not passed down: only the aligned bytes are zeroed, below.
        ulong unaligned = MemoryContextAllocExtended(context, allocSize, flags & ~MCXT_ALLOC_ZERO);
        if (unaligned == 0)
        {
            Pg.Assert((flags & MCXT_ALLOC_NO_OOM) != 0);
            return 0;
        }

        ulong aligned = TYPEALIGN(alignto, unaligned + hdr);
        ulong alignedchunk = aligned - hdr;
        // The redirect header borrows the block offset to lead back to the unaligned pointer.
        MemoryChunk.SetHdrMask(Memory, alignedchunk, hdr, unaligned, alignto, MemoryContextMethodID.MCTX_ALIGNED_REDIRECT_ID);
        Pg.Assert(TYPEALIGN(alignto, aligned) == aligned);
        if (Options.MemoryContextChecking)
        {
            Memory.WriteU64(alignedchunk, size);
            SetSentinel(aligned, size);
        }
        if ((flags & MCXT_ALLOC_ZERO) != 0) Memory.Fill(aligned, size, 0);
        return aligned;
    }

    /// <summary>palloc_aligned: MemoryContextAllocAligned in CurrentMemoryContext.</summary>
    public ulong palloc_aligned(ulong size, ulong alignto, int flags) =>
        MemoryContextAllocAligned(CurrentMemoryContext, size, alignto, flags);
}
