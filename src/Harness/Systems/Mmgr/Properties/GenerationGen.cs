// GenerationGen: FsCheck generator of Generation-shaped op lists, for the "generation" property
// (AllocatorProperties).
//
// Checks generation.c's block policies at their edges, which AllocatorGen's general lists never
// reach: its sizes are not tied to any block size, so a request that needs exactly the free bytes
// of an emptied block does not occur. What a list here makes happen:
//   1. exact fits   requests whose chunk plus header is exactly a block's free bytes: the whole
//                   keeper block, or a whole new block of init << j (GenerationAlloc compares
//                   with >=, so an exact fit is carved from the current block or the freeblock,
//                   never from a new malloc);
//   2. freeblock    a block that holds one such chunk empties when it is freed and becomes the
//                   freeblock while another block is current; when the current one fills, the
//                   next exact-fit request is carved from the freeblock (GenerationFree case 3,
//                   then GenerationAlloc's switch to the freeblock);
//   3. doubling     runs of equal requests walk nextBlockSize from init up to the cap, and
//                   requests above allocChunkLimit get dedicated blocks.
// How: a list draws one initBlockSize (1024..8192, a power of two, so new blocks are init << j),
// opens with a Generation create of that init and a maxBlockSize of init << 4..6 (allocChunkLimit
// is then at least init, so the exact fits of blocks up to init << 2 are ordinary chunks when the
// cap allows), then concatenates runs: n allocations of one size, a free run (scattered refs, or
// one ref repeated, which frees consecutively allocated chunks), a reset, one op of
// AllocatorGen.Benign, or another Generation create of the same init.
// The exact sizes depend on the build (the chunk header is 8 bytes, 16 with MEMORY_CONTEXT_CHECKING,
// which also reserves a sentinel byte), so a run picks the production or the checking size; each
// build's property runs meet the other build's sizes as near misses, 8 bytes short of a fit.
// The lists are plain op arrays: AllocatorGen.Shrink shrinks them.
using FsCheck.Fluent;
using FsCheck;
using Harness.Properties;
using Harness.Systems.Mmgr.Oracle;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Properties;

public static class GenerationGen
{
    /// <summary>sizeof(MemoryChunk), and with MEMORY_CONTEXT_CHECKING the requested_size before it.</summary>
    private const ulong ChunkHeader = 8, ChunkHeaderChecking = 16;

    private static readonly ulong[] Inits = [1024, 2048, 4096, 8192];

    /// <summary>A Generation create with the list's init and a cap of init &lt;&lt; 4..6.</summary>
    private static Gen<AllocatorOp> Create(ulong init) =>
        from shift in Gen.Choose(4, 6)
        from parent in Gen.Frequency((1, Gen.Constant(AllocatorOp.NullParent)), (3, Gen.Choose(0, 3)))
        select (AllocatorOp)new CreateContext(ContextKind.Generation, parent, 0, init, init << shift, 0);

    /// <summary>The request whose chunk plus header fills <paramref name="freeBytes"/> exactly:
    /// MAXALIGN(size) (production) or MAXALIGN(size + 1) (checking) is freeBytes - header, and
    /// freeBytes - 1 - header gives both, since freeBytes - header is a multiple of 8.</summary>
    public static ulong ExactFit(ulong freeBytes, bool checking) =>
        freeBytes - (checking ? ChunkHeaderChecking : ChunkHeader) - 1;

    /// <summary>Free bytes of an empty block: the keeper block (behind the context header) or a
    /// new block of init &lt;&lt; j.</summary>
    public static ulong KeeperFree(ulong init) => init - ChunkGeometry.GenerationHeader - ChunkGeometry.GenerationBlockHeader;

    public static ulong BlockFree(ulong init, int j) => (init << j) - ChunkGeometry.GenerationBlockHeader;

    /// <summary>Sizes of a run: exact fits (most often), their near misses one MAXALIGN step
    /// either side, and small sizes that fill blocks unevenly.</summary>
    private static Gen<ulong> RunSize(ulong init) =>
        from checking in Gen.Elements(false, true)
        from size in Gen.Frequency(
            (6, Gen.Choose(0, 2).Select(j => ExactFit(BlockFree(init, j), checking))),
            (2, Gen.Constant(ExactFit(KeeperFree(init), checking))),
            (1, from j in Gen.Choose(0, 2) from d in Gen.Elements(-8, 8) select (ulong)((long)ExactFit(BlockFree(init, j), checking) + d)),
            (2, Gen.Choose(0, 400).Select(i => (ulong)i)))
        select size;

    private static readonly AllocFlags[] Flags = [AllocFlags.None, AllocFlags.None, AllocFlags.Zero, AllocFlags.NoOom];

    private static Gen<AllocatorOp> AllocInto(int ctx, ulong size) =>
        from flags in Gen.Elements(Flags)
        from entry in Gen.Frequency((6, Gen.Constant(AllocEntry.MemoryContextAlloc)), (3, Gen.Constant(AllocEntry.AllocExtended)))
        select (AllocatorOp)new Alloc(ctx, size, flags, entry, SlabFit: false, AlignTo: 0);

    private static Gen<int> RunLength { get; } = Gen.Frequency((4, Gen.Choose(1, 8)), (1, Gen.Choose(8, 24)));

    private static Gen<AllocatorOp[]> AllocRun(ulong init) =>
        from ctx in Gen.Choose(0, 31)
        from size in RunSize(init)
        from n in RunLength
        from ops in Gen.ArrayOf(AllocInto(ctx, size), n)
        select ops;

    // Chunk refs up to 255, so a run of frees reaches every live chunk; one ref repeated frees the
    // chunks allocated one after another, emptying the blocks they filled.
    private static Gen<AllocatorOp[]> FreeRun { get; } =
        from n in Gen.Frequency((4, Gen.Choose(1, 4)), (1, Gen.Choose(4, 16)))
        from ops in Gen.Frequency(
            (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(r => (AllocatorOp)new Free(r)), n)),
            (1, Gen.Choose(0, 255).Select(r => Enumerable.Repeat((AllocatorOp)new Free(r), n).ToArray())))
        select ops;

    private static Gen<AllocatorOp[]> Run(ulong init) => Gen.Frequency(
        (6, AllocRun(init)),
        (5, FreeRun),
        (1, Gen.Choose(0, 31).Select(r => new[] { (AllocatorOp)new Reset(r) })),
        (1, AllocatorGen.Benign.Select(op => new[] { op })),
        (1, Create(init).Select(op => new[] { op })));

    /// <summary>Op lists of 1..maxOps ops (length scaled by FsCheck's size, as AllocatorGen.Ops):
    /// a Generation create, then runs until the length is reached.</summary>
    public static Gen<AllocatorOp[]> Ops(int maxOps) =>
        from n in OpListGen.Length(maxOps)
        from init in Gen.Elements(Inits)
        from first in Create(init)
        from rest in OpListGen.Runs(Run(init), n - 1)
        select (AllocatorOp[])[first, .. rest];

    public static Arbitrary<AllocatorOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), AllocatorGen.Shrink);
}
