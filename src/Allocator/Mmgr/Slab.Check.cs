// Slab.Check: SlabCheck (slab.c), PostgreSQL's consistency walker for one Slab context, reporting
// problems as WARNINGs with PostgreSQL's texts (pg-mmgr-dsa.md 4.6). It runs before every reset and
// delete in checking builds and from MemoryContextCheck.
//
// Like C, it uses the isChunkFree array that follows the header in simulated memory as scratch.
// Without MEMORY_CONTEXT_CHECKING (where C has no check routine and no isChunkFree array) the walk
// still runs, like AllocSet's, with a managed scratch array and without the sentinel test.
// Divergences, all only on corrupted memory, so the walk is bounded and stays inside the block:
// list walks are bounded by the mapped heap size; a free-list walk stops after chunksPerBlock
// links or at a link outside the block's chunk area (after C's WARNING for it); isChunkFree is
// only written for indexes in [0, chunksPerBlock) (C writes out of bounds for a bogus link); the
// never-used chunks are counted arithmetically past chunksPerBlock instead of one by one.
// The final Assert(nblocks * blockSize == mem_allocated) is kept, as in PostgreSQL.
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Mmgr.SlabConstants;

namespace Allocator.Mmgr;

public sealed partial class Slab
{
    /// <summary>SlabCheck.</summary>
    public override void Check(ulong context)
    {
        ulong slab = context;
        Pg.Assert(Mcxt.GetTag(slab) == NodeTag.T_SlabContext);
        int cpb = ChunksPerBlock(slab);
        Pg.Assert(cpb > 0);
        // The name pointer is read here, the string only when a WARNING prints it (as in C).
        ulong namePtr = Mcxt.Memory.ReadU64(slab + OffName);
        string Name() => Mcxt.Memory.ReadCString(namePtr);
        ulong maxSteps = MaxListSteps();
        ulong full = FullChunkSize(slab);
        uint chunkSize = ChunkSize(slab);

        ulong empty = slab + OffEmpty;
        foreach (ulong node in _mem.DclistForeach(empty, maxSteps))
        {
            ulong block = node - OffBlkNode;
            if (NFree(block) != cpb)
                Warn($"problem in slab {Name()}: empty block {Mcxt.Ptr(block)} should have {cpb} free chunks but has {NFree(block)} chunks free");
        }

        ulong isChunkFree = _checking ? _mem.ReadU64(slab + OffIsChunkFreeChecking) : 0;
        byte[]? scratch = _checking ? null : new byte[cpb];
        long nblocks = 0;
        for (int i = 0; i < SLAB_BLOCKLIST_COUNT; i++)
        {
            foreach (ulong node in _mem.DlistForeach(ListHead(slab, i), maxSteps))
            {
                ulong block = node - OffBlkNode;
                CheckBlock(slab, block, i, cpb, full, chunkSize, isChunkFree, scratch, namePtr);
                nblocks++;
            }
        }

        nblocks += _mem.DclistCount(empty);
        Pg.Assert((ulong)nblocks * _mem.ReadU32(slab + OffBlockSize) == Mcxt.GetMemAllocated(slab));
    }

    private void CheckBlock(ulong slab, ulong block, int i, int cpb, ulong full, uint chunkSize, ulong isChunkFree, byte[]? scratch, ulong namePtr)
    {
        string Name() => Mcxt.Memory.ReadCString(namePtr);
        string B() => Mcxt.Ptr(block);   // formatted only for a WARNING
        int blkNFree = NFree(block);
        int nunused = (int)_mem.ReadU32(block + OffBlkNUnused);

        // SlabBlocklistIndex asserts its argument is in range; the walker reports instead.
        int should = blkNFree >= 0 && blkNFree <= cpb ? BlocklistIndex(slab, blkNFree) : -1;
        if (should != i)
            Warn($"problem in slab {Name()}: block {B()} is on blocklist {i} but should be on blocklist {should}");
        if (blkNFree >= cpb)
            Warn($"problem in slab {Name()}: empty block {B()} incorrectly stored on blocklist element {i}");
        if (_mem.ReadU64(block + OffBlkSlab) != slab)
            Warn($"problem in slab {Name()}: bogus slab link in block {B()}");

        // The isChunkFree marks: the context's own array in checking builds (as C's), bounds-checked
        // once here and then indexed (the walk makes no heap call, so the view stays valid); a
        // managed one otherwise.
        Span<byte> marks = scratch ?? _mem.Span(isChunkFree, (ulong)cpb);
        marks.Clear();
        long nfree = 0;
        ulong first = BlockGetChunk(slab, block, 0);
        ulong last = BlockGetChunk(slab, block, cpb - 1);

        ulong cur = _mem.ReadU64(block + OffBlkFreeHead);
        for (int n = 0; cur != 0 && n <= cpb; n++)
        {
            long chunkidx = unchecked((long)(cur - first)) / (long)full;
            bool inArea = cur >= first && cur <= last;
            if (!inArea || (cur - first) % full != 0)
                Warn($"problem in slab {Name()}: bogus free list link {Mcxt.Ptr(cur)} in block {B()}");
            nfree++;
            if (chunkidx >= 0 && chunkidx < cpb) marks[(int)chunkidx] = 1;
            if (!inArea) break;   // C would follow the link out of the block
            cur = _mem.ReadU64(cur + _hdr);
        }

        if (BlockGetChunk(slab, block, cpb - nunused) != _mem.ReadU64(block + OffBlkUnused))
            Warn($"problem in slab {Name()}: mismatch detected between nunused chunks and unused pointer in block {B()}");

        cur = _mem.ReadU64(block + OffBlkUnused);
        for (int j = 0; j < nunused; j++)
        {
            if (j > cpb)
            {
                nfree += nunused - j;   // the rest cannot mark anything in range
                break;
            }
            long chunkidx = unchecked((long)(cur - first)) / (long)full;
            nfree++;
            if (chunkidx >= 0 && chunkidx < cpb) marks[(int)chunkidx] = 1;
            cur += full;
        }

        for (int j = 0; j < cpb; j++)
        {
            if (marks[j] != 0) continue;
            ulong chunk = BlockGetChunk(slab, block, j);
            ulong chunkblock = MemoryChunk.GetBlock(chunk, _mem.ReadU64(chunk + _hdr - 8));
            if (chunkblock != block)
                Warn($"problem in slab {Name()}: bogus block link in block {B()}, chunk {Mcxt.Ptr(chunk)}");
            if (_checking && chunkSize < full - _hdr && !Mcxt.SentinelOk(chunk, _hdr + chunkSize))
                Warn($"problem in slab {Name()}: detected write past chunk end in block {B()}, chunk {Mcxt.Ptr(chunk)}");
        }

        if (nfree != blkNFree)
            Warn($"problem in slab {Name()}: nfree in block {B()} is {blkNFree} but {nfree} chunk were found as free");
    }

    private void Warn(string text) => Mcxt.Log.Warning(text);

    /// <summary>An upper bound on the blocks any list can hold.</summary>
    private ulong MaxListSteps() => _mem.HeapSize / Slab_BLOCKHDRSZ + 2;
}
