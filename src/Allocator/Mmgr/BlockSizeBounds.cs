// BlockSizeBounds: the block-size and chunk-limit bounds that AllocSetContextCreateInternal,
// GenerationContextCreate and BumpContextCreate establish and the allocation paths keep (aset.c,
// generation.c, bump.c, PostgreSQL 17), shared by the AllocSet (AS11), Generation (GEN7) and Bump
// (BU5) walkers:
//   - initBlockSize <= nextBlockSize <= maxBlockSize;
//   - nextBlockSize is on the doubling sequence: it starts at initBlockSize, every new block
//     doubles it and it is capped at maxBlockSize (and a reset puts it back to initBlockSize), so it
//     is initBlockSize << k for some k, or maxBlockSize;
//   - (Generation, Bump) allocChunkLimit <= MEMORYCHUNK_MAX_VALUE and allocChunkLimit + chunk header
//     <= (maxBlockSize - block header) / CHUNK_FRACTION: the create functions halve the limit until
//     CHUNK_FRACTION chunks of it fit on a maximum-sized block. Not for AllocSet, whose recycled
//     contexts keep the limit of their first life (quirk Q1 of pg-mmgr-dsa.md); AS6 bounds it there.
// Allocation-free when nothing is wrong: texts are formatted only for a violation.
using System.Diagnostics.CodeAnalysis;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

internal static class BlockSizeBounds
{
    [ExcludeFromCodeCoverage]
    public static void CheckNextBlockSize(string id, ulong ctx, ulong init, ulong max, ulong next, List<string> v)
    {
        if (init > max) v.Add($"{id}: context {Mcxt.Ptr(ctx)} has initBlockSize {init} > maxBlockSize {max}");
        if (next < init || next > max) v.Add($"{id}: context {Mcxt.Ptr(ctx)} has nextBlockSize {next} outside [{init}, {max}]");
        else if (next != max && (init == 0 || next % init != 0 || !ulong.IsPow2(next / init)))
            v.Add($"{id}: context {Mcxt.Ptr(ctx)} has nextBlockSize {next}, neither initBlockSize {init} doubled k times nor maxBlockSize {max}");
    }

    [ExcludeFromCodeCoverage]
    public static void CheckChunkLimit(string id, ulong ctx, ulong limit, ulong max, ulong chunkHdr, ulong blockHdr, ulong fraction, List<string> v)
    {
        if (limit > MEMORYCHUNK_MAX_VALUE)
            v.Add($"{id}: context {Mcxt.Ptr(ctx)} has allocChunkLimit {limit} > MEMORYCHUNK_MAX_VALUE");
        if (max < blockHdr || limit + chunkHdr > (max - blockHdr) / fraction)
            v.Add($"{id}: context {Mcxt.Ptr(ctx)} has allocChunkLimit {limit}: {fraction} chunks of it do not fit on a maxBlockSize {max} block");
    }
}
