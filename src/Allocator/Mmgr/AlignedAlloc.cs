// AlignedAlloc: the method table behind method id 6, MCTX_ALIGNED_REDIRECT_ID
// (src/backend/utils/mmgr/alignedalloc.c: AlignedAllocFree, AlignedAllocRealloc,
// AlignedAllocGetChunkContext, AlignedAllocGetChunkSpace; pg-mmgr-dsa.md 1.11).
//
// An aligned chunk is carved out of an ordinary (unaligned) chunk of some context. The 8 or 16
// bytes before the aligned pointer are a "redirect" MemoryChunk whose value holds alignto and whose
// block offset leads back to the unaligned user pointer; every operation forwards there. No context
// has this method id, so the context-level entries (alloc, reset, delete, stats, ...) are NULL in
// PostgreSQL's table: calling one here is a call through NULL and faults.
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed class AlignedAlloc : MemoryContextMethods
{
    public AlignedAlloc(Mcxt mcxt) : base(mcxt) { }

    public override MemoryContextMethodID MethodId => MemoryContextMethodID.MCTX_ALIGNED_REDIRECT_ID;
    public override NodeTag Tag => NodeTag.T_Invalid;
    public override string TypeName => "AlignedRedirect";

    /// <summary>PallocAlignedExtraBytes(alignto): room to align plus the redirect header, minus the
    /// MAXALIGN alignment every chunk already has.</summary>
    public static ulong PallocAlignedExtraBytes(ulong alignto, ulong chunkHdrSz) => alignto + (chunkHdrSz - MAXIMUM_ALIGNOF);

    /// <summary>The unaligned user pointer a redirect header leads back to.</summary>
    private ulong Unaligned(ulong pointer, out ulong hdrmask)
    {
        hdrmask = Mcxt.Memory.ReadU64(pointer - 8);
        return MemoryChunk.GetBlock(pointer - Mcxt.ChunkHdrSz, hdrmask);
    }

    /// <summary>AlignedAllocFree: sentinel check (WARNING), then pfree the unaligned chunk.</summary>
    public override void Free(ulong pointer)
    {
        ulong chunk = pointer - Mcxt.ChunkHdrSz;
        ulong unaligned = Unaligned(pointer, out ulong hdrmask);
        Pg.Assert(!MemoryChunk.IsExternal(hdrmask));
        if (Mcxt.Options.MemoryContextChecking && !Mcxt.SentinelOk(pointer, Mcxt.Memory.ReadU64(chunk)))
            Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(Mcxt.GetMemoryChunkContext(unaligned))} {Mcxt.Ptr(chunk)}");
        Mcxt.pfree(unaligned);
    }

    /// <summary>AlignedAllocRealloc: always a new aligned chunk in the same context with the same
    /// alignment; copies min(size, an upper bound of the old size), then frees the old one.</summary>
    public override ulong Realloc(ulong pointer, ulong size, int flags)
    {
        ulong hdr = Mcxt.ChunkHdrSz;
        ulong unaligned = Unaligned(pointer, out ulong hdrmask);
        ulong alignto = MemoryChunk.GetValue(hdrmask);
        Pg.Assert((alignto & (alignto - 1)) == 0);
        ulong oldSize = Mcxt.GetMemoryChunkSpace(unaligned) - PallocAlignedExtraBytes(alignto, hdr) - hdr;
        if (Mcxt.Options.MemoryContextChecking)
            Pg.Assert(oldSize >= Mcxt.Memory.ReadU64(pointer - hdr));
        ulong ctx = Mcxt.GetMemoryChunkContext(unaligned);
        ulong newptr = Mcxt.MemoryContextAllocAligned(ctx, size, alignto, flags);
        if (newptr == 0)
            return Mcxt.MemoryContextAllocationFailure(ctx, size, flags);
        Mcxt.Memory.Copy(newptr, pointer, Math.Min(size, oldSize));
        Mcxt.pfree(unaligned);
        return newptr;
    }

    /// <summary>AlignedAllocGetChunkContext: the unaligned chunk's context.</summary>
    public override ulong GetChunkContext(ulong pointer)
    {
        ulong unaligned = Unaligned(pointer, out ulong hdrmask);
        Pg.Assert(!MemoryChunk.IsExternal(hdrmask));
        return Mcxt.GetMemoryChunkContext(unaligned);
    }

    /// <summary>AlignedAllocGetChunkSpace: the unaligned chunk's space.</summary>
    public override ulong GetChunkSpace(ulong pointer) => Mcxt.GetMemoryChunkSpace(Unaligned(pointer, out _));

    private static SimFaultException NullMethod(string name) =>
        new(0, 1, SimAccess.Read, $"call through NULL {name} method of the aligned-redirect method table");

    public override ulong Alloc(ulong context, ulong size, int flags) => throw NullMethod("alloc");
    public override void Reset(ulong context) => throw NullMethod("reset");
    public override void Delete(ulong context) => throw NullMethod("delete_context");
    public override bool IsEmpty(ulong context) => throw NullMethod("is_empty");
    public override void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals) => throw NullMethod("stats");
    public override void Check(ulong context) => throw NullMethod("check");
}
