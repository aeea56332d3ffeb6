// AllocSet.Realloc: AllocSetRealloc (src/backend/utils/mmgr/aset.c), pg-mmgr-dsa.md 2.8. A small
// chunk stays put while its power-of-two size covers the request, else moves to a new chunk; a
// dedicated block is realloc()ed (it may move and is relinked) and stays external even when shrunk.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class AllocSet
{
    // ------------------------------------------------------------------ realloc

    public override ulong Realloc(ulong pointer, ulong size, int flags) => AllocSetRealloc(pointer, _mem.ReadU64(pointer - 8), size, flags);

    /// <summary>AllocSetRealloc: dedicated blocks are realloc()ed (and stay external even when
    /// shrunk below the chunk limit); a small chunk is kept if it is big enough, else copied into a
    /// new chunk and freed.</summary>
    public ulong AllocSetRealloc(ulong pointer, ulong hdrmask, ulong size, int flags)
    {
        if (MemoryChunk.IsExternal(hdrmask)) return AllocSetReallocExternal(pointer, size, flags);
        SimMemory m = _mem;
        ulong chunk = pointer - _hdr;
        ulong block = MemoryChunk.GetBlock(chunk, hdrmask);
        ulong set = m.ReadU64(block + BlkOffAset);
        if (_assertChecking)
        {
            // repalloc's GetMemoryChunkContext + Assert(!isReset), made here where the set is known.
            Pg.Assert(AllocSetIsValid(set), "AllocBlockIsValid(block)");
            Mcxt.AssertReallocOwner(set);
        }
        ulong fidxBits = MemoryChunk.GetValue(hdrmask);
        Pg.Assert(FreeListIdxIsValid(fidxBits));
        int fidx = (int)fidxBits;
        ulong oldchksize = GetChunkSizeFromFreeListIdx(fidx);
        ulong oldrequest = 0;
        if (_checking)
        {
            oldrequest = m.ReadU64(chunk);
            if (oldrequest == InvalidAllocSize)
                throw new PgErrorException($"detected realloc of freed chunk in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
            if (oldrequest < oldchksize && !Mcxt.SentinelOk(pointer, oldrequest))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
        }

        if (oldchksize >= size)
        {
            // Shrinks, and growths within the power-of-two chunk, never move.
            if (_checking)
            {
                if (_randomize && size > oldrequest) Mcxt.RandomizeMem(pointer + oldrequest, size - oldrequest);
                m.WriteU64(chunk, size);
                if (size < oldchksize) m.WriteU8(pointer + size, SentinelByte);
            }
            return pointer;
        }

        // AllocSetAlloc and AllocSetFree as in aset.c, through their fast paths when these take the
        // request (a freelist pop or a carve with flags 0, a sane chunk), else the ordinary code. The
        // fast alloc also clears isReset, which repalloc's owner already has clear.
        ulong newPointer = flags == 0 && _lean != LeanKind.None ? TryAllocFast(set, size) : 0;
        if (newPointer == 0)
        {
            newPointer = AllocSetAlloc(set, size, flags);
            if (newPointer == 0)
                return Mcxt.MemoryContextAllocationFailure(set, size, flags);
        }
        ulong oldsize = _checking ? oldrequest : oldchksize;
        m.Copy(newPointer, pointer, oldsize);
        if (_lean == LeanKind.None || !TryFreeFast(pointer)) AllocSetFree(pointer, hdrmask);
        return newPointer;
    }

    /// <summary>The external half of AllocSetRealloc: realloc() the dedicated block (it may move)
    /// and relink it; on failure the old chunk stays intact.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocSetReallocExternal(ulong pointer, ulong size, int flags)
    {
        SimMemory m = _mem;
        ulong hdr = _hdr;
        ulong chunk = pointer - hdr;
        ulong block = chunk - ALLOC_BLOCKHDRSZ;
        if (_assertChecking)
        {
            Pg.Assert(AllocBlockIsValid(block), "AllocBlockIsValid(block)");
            Mcxt.AssertReallocOwner(m.ReadU64(block + BlkOffAset));
        }
        if (!AllocBlockIsValid(block) || m.ReadU64(block + BlkOffFreeptr) != m.ReadU64(block + BlkOffEndptr))
            throw new PgErrorException($"could not find block containing chunk {Mcxt.Ptr(chunk)}");
        ulong set = m.ReadU64(block + BlkOffAset);
        Mcxt.MemoryContextCheckSize(set, size, flags);
        ulong endptr = m.ReadU64(block + BlkOffEndptr);
        ulong oldchksize = endptr - pointer;
        ulong oldrequest = 0;
        if (_checking)
        {
            oldrequest = m.ReadU64(chunk);
            Pg.Assert(oldrequest < oldchksize);
            if (!Mcxt.SentinelOk(pointer, oldrequest))
                Mcxt.Log.Warning($"detected write past chunk end in {Mcxt.GetName(set)} {Mcxt.Ptr(chunk)}");
        }
        ulong chksize = _checking ? MAXALIGN(size + 1) : MAXALIGN(size);
        ulong blksize = chksize + ALLOC_BLOCKHDRSZ + hdr;
        ulong oldblksize = endptr - block;
        ulong newblock = _heap.Realloc(block, blksize);
        if (newblock == 0)
            return Mcxt.MemoryContextAllocationFailure(set, size, flags);

        block = newblock;
        m.WriteU64(set + OffMemAllocated, m.ReadU64(set + OffMemAllocated) - oldblksize + blksize);
        m.WriteU64(block + BlkOffFreeptr, block + blksize);
        m.WriteU64(block + BlkOffEndptr, block + blksize);
        pointer = block + ALLOC_BLOCKHDRSZ + hdr;
        ulong prev = m.ReadU64(block + BlkOffPrev);
        ulong next = m.ReadU64(block + BlkOffNext);
        if (prev != 0) m.WriteU64(prev + BlkOffNext, block);
        else m.WriteU64(set + AsetOffBlocks, block);
        if (next != 0) m.WriteU64(next + BlkOffPrev, block);

        if (_checking)
        {
            if (_randomize && size > oldrequest) Mcxt.RandomizeMem(pointer + oldrequest, size - oldrequest);
            m.WriteU64(block + ALLOC_BLOCKHDRSZ, size);
            Pg.Assert(size < chksize);
            m.WriteU8(pointer + size, SentinelByte);
        }
        return pointer;
    }
}
