// Bump.Check: BumpCheck (bump.c), PostgreSQL's consistency walker for one Bump context, reporting
// problems as WARNINGs with PostgreSQL's texts (pg-mmgr-dsa.md 5.2). It runs before every reset
// and delete in checking builds and from MemoryContextCheck. Without MEMORY_CONTEXT_CHECKING
// (where C has no check routine) blocks have no context link and chunks no header, so only the
// accounting assertion remains.
// Like C, it does not look at sentinels.
//
// Divergences, only on corrupted memory, so the walk is bounded and stays inside the block: the
// block-list walk is bounded; the chunk walk (CheckChunkWalk, shared with GenerationCheck) stops at
// min(freeptr, endptr) and on a stride that would wrap, and reads the external flag without
// MemoryChunkIsExternal's magic assertion.
// The final Assert(total == mem_allocated) is kept, as in PostgreSQL.
using Allocator.Common;
using static Allocator.Mmgr.BumpConstants;

namespace Allocator.Mmgr;

public sealed partial class Bump
{
    /// <summary>BumpCheck.</summary>
    public override void Check(ulong context)
    {
        // The name pointer is read here, the string only when a WARNING prints it (as in C).
        ulong namePtr = Mcxt.Memory.ReadU64(context + McxtConstants.OffName);
        string Name() => Mcxt.Memory.ReadCString(namePtr);
        ulong total_allocated = 0;
        ulong keeper = KeeperBlock(context);

        foreach (ulong block in _mem.DlistForeach(context + OffBlocks, MaxListSteps()))
        {
            ulong freeptr = Freeptr(block);
            ulong endptr = Endptr(block);
            total_allocated += block == keeper ? endptr - context : endptr - block;
            if (!_checking) continue;

            if (_mem.ReadU64(block + OffBlkContextChecking) != context)
                Mcxt.Log.Warning($"problem in Bump {Name()}: bogus context link in block {Mcxt.Ptr(block)}");

            int nchunks = 0;
            bool has_external_chunk = false;
            for (var walk = new CheckChunkWalk(_mem, _hdr, _blkhdr, block, freeptr, endptr); walk.MoveNext();)
            {
                has_external_chunk |= walk.IsExternal;
                nchunks++;
                if (walk.ChunkBlock != block)
                    Mcxt.Log.Warning($"problem in Bump {Name()}: bogus block link in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(walk.Chunk)}");
            }
            if (has_external_chunk && nchunks > 1)
                Mcxt.Log.Warning($"problem in Bump {Name()}: external chunk on non-dedicated block {Mcxt.Ptr(block)}");
        }

        Pg.Assert(total_allocated == Mcxt.GetMemAllocated(context));
    }

    /// <summary>An upper bound on the blocks the list can hold.</summary>
    private ulong MaxListSteps() => _mem.HeapSize / Bump_BLOCKHDRSZ + 2;
}
