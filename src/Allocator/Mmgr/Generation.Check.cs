// Generation.Check: GenerationCheck (generation.c), PostgreSQL's consistency walker for one
// Generation context, reporting problems as WARNINGs with PostgreSQL's texts
// (pg-mmgr-dsa.md 3.7). It runs before every reset and delete in checking builds and from
// MemoryContextCheck. Without MEMORY_CONTEXT_CHECKING (where C has no check routine at all) the
// walk still runs, like AllocSet's, but skips every test that needs requested_size: the size and
// sentinel tests and the count of freed chunks.
//
// Divergences from C, all only on corrupted memory, so the walker never throws for corruption it
// can describe and never reads outside a block: the block-list walk is bounded; the chunk walk
// (CheckChunkWalk, shared with BumpCheck) stops at min(freeptr, endptr) and on a stride that would
// wrap, and reads the external flag without MemoryChunkIsExternal's magic assertion; and the
// sentinel is only read when requested_size is below the chunk size (C asserts that, after the
// "bogus chunk size" WARNING has been given).
// The final Assert(total == mem_allocated) is kept: PostgreSQL aborts there in assert builds.
using Allocator.Common;
using static Allocator.Mmgr.GenerationConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Generation
{
    /// <summary>GenerationCheck.</summary>
    public override void Check(ulong context)
    {
        // The name pointer is read here, the string only when a WARNING prints it (as in C).
        ulong namePtr = Mcxt.Memory.ReadU64(context + McxtConstants.OffName);
        string Name() => Mcxt.Memory.ReadCString(namePtr);
        ulong total_allocated = 0;

        // Bounded: a cyclic list would loop forever in C.
        foreach (ulong block in _mem.DlistForeach(context + OffBlocks, MaxListSteps()))
        {
            int blkNFree = (int)_mem.ReadU32(block + OffBlkNFree);
            int blkNChunks = (int)_mem.ReadU32(block + OffBlkNChunks);
            ulong freeptr = _mem.ReadU64(block + OffBlkFreeptr);
            ulong endptr = _mem.ReadU64(block + OffBlkEndptr);
            total_allocated += _mem.ReadU64(block + OffBlkBlksize);

            // Equality is allowed: the freeblock is completely empty.
            if (blkNFree > blkNChunks)
                Warn($"problem in Generation {Name()}: number of free chunks {blkNFree} in block {Mcxt.Ptr(block)} exceeds {blkNChunks} allocated");
            if (_mem.ReadU64(block + OffBlkContext) != context)
                Warn($"problem in Generation {Name()}: bogus context link in block {Mcxt.Ptr(block)}");

            int nfree = 0, nchunks = 0;
            bool has_external_chunk = false;
            for (var walk = new CheckChunkWalk(_mem, _hdr, Generation_BLOCKHDRSZ, block, freeptr, endptr); walk.MoveNext();)
            {
                ulong chunk = walk.Chunk;
                ulong pointer = walk.Pointer;
                ulong chunksize = walk.ChunkSize;
                has_external_chunk |= walk.IsExternal;
                nchunks++;
                if (walk.ChunkBlock != block)
                    Warn($"problem in Generation {Name()}: bogus block link in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(chunk)}");

                ulong requested = _checking ? _mem.ReadU64(chunk) : 0;
                if (!_checking)
                {
                    if (chunksize != MAXALIGN(chunksize))
                        Warn($"problem in Generation {Name()}: bogus chunk size in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(chunk)}");
                }
                else if (requested != InvalidAllocSize)
                {
                    if (chunksize < requested || chunksize != MAXALIGN(chunksize))
                        Warn($"problem in Generation {Name()}: bogus chunk size in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(chunk)}");
                    if (requested < chunksize && requested < walk.Limit - pointer && !Mcxt.SentinelOk(pointer, requested))
                        Warn($"problem in Generation {Name()}: detected write past chunk end in block {Mcxt.Ptr(block)}, chunk {Mcxt.Ptr(chunk)}");
                }
                else
                {
                    nfree++;
                }
            }

            if (nchunks != blkNChunks)
                Warn($"problem in Generation {Name()}: number of allocated chunks {nchunks} in block {Mcxt.Ptr(block)} does not match header {blkNChunks}");
            if (_checking && nfree != blkNFree)
                Warn($"problem in Generation {Name()}: number of free chunks {nfree} in block {Mcxt.Ptr(block)} does not match header {blkNFree}");
            if (has_external_chunk && nchunks > 1)
                Warn($"problem in Generation {Name()}: external chunk on non-dedicated block {Mcxt.Ptr(block)}");
        }

        Pg.Assert(total_allocated == Mcxt.GetMemAllocated(context));
    }

    private void Warn(string text) => Mcxt.Log.Warning(text);

    /// <summary>An upper bound on the blocks any list can hold: every block needs at least a
    /// block header of mapped heap.</summary>
    private ulong MaxListSteps() => _mem.HeapSize / Generation_BLOCKHDRSZ + 2;
}
