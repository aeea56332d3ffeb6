// Bump.Check: BumpCheck (bump.c), PostgreSQL's consistency walker for one Bump context, reporting
// problems as WARNINGs with PostgreSQL's texts (pg-mmgr-dsa.md 5.2). It runs before every reset
// and delete in checking builds and from MemoryContextCheck. Without MEMORY_CONTEXT_CHECKING
// (where C has no check routine) blocks have no context link and chunks no header, so only the
// accounting assertion remains.
// Like C, it does not look at sentinels.
//
// Divergences, only on corrupted memory, so the walk is bounded and stays inside the block: the
// block-list walk is bounded; the chunk walk stops at min(freeptr, endptr) and on a stride that
// would wrap; the external flag is read without MemoryChunkIsExternal's magic assertion.
// The final Assert(total == mem_allocated) is kept, as in PostgreSQL.
using Allocator.Common;
using static Allocator.Mmgr.BumpConstants;

namespace Allocator.Mmgr;

public sealed partial class Bump
{
    /// <summary>BumpCheck.</summary>
    public override void Check(ulong context)
    {
        string name = Mcxt.GetName(context);
        ulong total_allocated = 0;
        ulong keeper = KeeperBlock(context);

        foreach (ulong block in _mem.DlistForeach(context + OffBlocks, MaxListSteps()))
        {
            ulong freeptr = Freeptr(block);
            ulong endptr = Endptr(block);
            total_allocated += block == keeper ? endptr - context : endptr - block;
            if (!_checking) continue;

            if (_mem.ReadU64(block + OffBlkContextChecking) != context)
                Mcxt.Log.Warning($"problem in Bump {name}: bogus context link in block {Mcxt.Ptr(block)}");

            int nchunks = 0;
            bool has_external_chunk = false;
            ulong limit = Math.Min(freeptr, endptr);
            ulong ptr = block + _blkhdr;
            while (ptr < limit && limit - ptr >= _hdr)
            {
                ulong chunk = ptr;
                ulong pointer = chunk + _hdr;
                ulong hdrmask = _mem.ReadU64(pointer - 8);
                ulong chunkblock, chunksize;
                if (MemoryChunk.HasExternalFlag(hdrmask))
                {
                    chunkblock = chunk - _blkhdr;
                    chunksize = endptr - pointer;
                    has_external_chunk = true;
                }
                else
                {
                    chunkblock = MemoryChunk.GetBlock(chunk, hdrmask);
                    chunksize = MemoryChunk.GetValue(hdrmask);
                }
                ulong next = unchecked(ptr + chunksize + _hdr);
                nchunks++;
                if (chunkblock != block)
                    Mcxt.Log.Warning($"problem in Bump {name}: bogus block link in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(chunk)}");
                if (next <= ptr) break;   // a stride that wraps around would never end
                ptr = next;
            }
            if (has_external_chunk && nchunks > 1)
                Mcxt.Log.Warning($"problem in Bump {name}: external chunk on non-dedicated block {Mcxt.Ptr(block)}");
        }

        Pg.Assert(total_allocated == Mcxt.GetMemAllocated(context));
    }

    /// <summary>An upper bound on the blocks the list can hold.</summary>
    private ulong MaxListSteps() => _mem.HeapSize / Bump_BLOCKHDRSZ + 2;
}
