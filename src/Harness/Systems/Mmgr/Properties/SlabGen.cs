// SlabGen: FsCheck generator of Slab-shaped op lists, for the "slab" property (AllocatorProperties).
//
// Checks slab.c's block policies, which AllocatorGen's general lists rarely exercise: those lists
// spread 64 ops over up to 32 contexts of four types, so a Slab seldom holds more than one partly
// used block, and never empties the eleven blocks it takes before free() gets one back.
// What a list here makes happen:
//   1. blocklists   a block with few chunks fills and drains within a few ops, so several partly
//                   used blocks sit on blocklist 1 and blocklist 2 at once, and an allocation
//                   picks between them (SlabFindNextBlockListIndex: fullest first).
//   2. emptyblocks  long allocation runs followed by long free runs empty more than
//                   SLAB_MAXIMUM_EMPTY_BLOCKS (10) blocks, so SlabFree frees a block, and a
//                   later run takes the kept empty blocks back (SlabAllocFromNewBlock).
// How: the list opens with a Slab create whose block holds k chunks in the checking build
// (k = 2..31, small k most often; the production build's smaller chunks fit k or more), then
// concatenates runs: an allocation run on one context ref, a free run (scattered chunk refs, or
// one ref repeated, which frees consecutively allocated chunks), a fill-and-drain cycle (n
// allocations, then n frees), a churn of allocations and frees alternating, one op of
// AllocatorGen.Benign (other contexts, resets, deletes, stats), or another Slab create.
// Blocklist 2 exists only when a block holds 2^s + 2 .. 2^(s+1) - 1 chunks (s the blocklist
// shift, the smallest with chunksPerBlock >> s < 2), hence the 6..7 and 10..15 draws; it holds
// the nearly empty blocks (more than 2^s chunks free).
// The lists are plain op arrays: AllocatorGen.Shrink shrinks them.
using FsCheck.Fluent;
using FsCheck;
using Harness.Properties;
using Harness.Systems.Mmgr.Oracle;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Properties;

public static class SlabGen
{
    /// <summary>Chunk sizes at create time: MAXALIGNed and not, all at least 8 (a smaller size
    /// is raised to 8 and its own request fails, quirk Q3, which AllocatorGen already covers).</summary>
    private static readonly ulong[] ChunkSizes = [8, 16, 24, 40, 100, 13];

    /// <summary>Chunks per block in the checking build: 2 (the cheapest way past ten empty blocks),
    /// 6..7, 10..15 and 18..31 (blocklist 2 exists), 3..5, 16 and 17 (it does not).</summary>
    private static Gen<int> ChunksPerBlock { get; } = Gen.Frequency(
        (4, Gen.Constant(2)),
        (1, Gen.Choose(3, 5)),
        (3, Gen.Choose(6, 7)),
        (3, Gen.Choose(10, 15)),
        (1, Gen.Choose(16, 31)));

    /// <summary>A Slab create whose block holds the drawn number of chunks when checking is on,
    /// plus 0..7 bytes of slack that no chunk uses.</summary>
    public static Gen<AllocatorOp> Create { get; } =
        from chunk in Gen.Elements(ChunkSizes)
        from perBlock in ChunksPerBlock
        from slack in Gen.Choose(0, 7)
        from parent in Gen.Frequency((1, Gen.Constant(AllocatorOp.NullParent)), (3, Gen.Choose(0, 3)))
        let full = ChunkGeometry.Slab(0, chunk, checking: true).Full
        select (AllocatorOp)new CreateContext(ContextKind.Slab, parent, 0, ChunkGeometry.SlabBlockHeader + (ulong)perBlock * full + (ulong)slack, 0, chunk);

    private static readonly AllocFlags[] Flags = [AllocFlags.None, AllocFlags.None, AllocFlags.Zero, AllocFlags.NoOom];

    // Palloc (CurrentMemoryContext, usually Top) now and then, so chunk refs also hit other contexts.
    private static Gen<AllocEntry> Entry { get; } = Gen.Frequency(
        (6, Gen.Constant(AllocEntry.MemoryContextAlloc)), (3, Gen.Constant(AllocEntry.AllocExtended)), (1, Gen.Constant(AllocEntry.Palloc)));

    /// <summary>One allocation of the chunk size its Slab was created with, into context ref
    /// <paramref name="ctx"/> (a non-Slab context there gets Size).</summary>
    private static Gen<AllocatorOp> AllocInto(int ctx) =>
        from flags in Gen.Elements(Flags)
        from entry in Entry
        from size in Gen.Choose(0, 300)
        select (AllocatorOp)new Alloc(ctx, (ulong)size, flags, entry, SlabFit: true, AlignTo: 0);

    // Chunk refs up to 255: a run of frees reaches every live chunk, not only the 32 oldest.
    private static Gen<AllocatorOp> FreeAny { get; } = Gen.Choose(0, 255).Select(r => (AllocatorOp)new Free(r));

    /// <summary>Run lengths: mostly short, sometimes long enough to fill or drain many blocks.</summary>
    private static Gen<int> RunLength { get; } = Gen.Frequency((4, Gen.Choose(1, 16)), (1, Gen.Choose(16, 48)));

    private static Gen<AllocatorOp[]> AllocRun { get; } =
        from ctx in Gen.Choose(0, 31)
        from n in RunLength
        from ops in Gen.ArrayOf(AllocInto(ctx), n)
        select ops;

    // Scattered frees leave many blocks partly used; frees of one ref take the chunks that were
    // allocated one after another (the ref's successors move up), so they drain one block at a
    // time, and stopping part way leaves a nearly empty block on blocklist 2 beside fuller ones.
    private static Gen<AllocatorOp[]> FreeRun { get; } =
        from n in RunLength
        from ops in Gen.Frequency(
            (1, Gen.ArrayOf(FreeAny, n)),
            (1, Gen.Choose(0, 255).Select(r => Enumerable.Repeat((AllocatorOp)new Free(r), n).ToArray())))
        select ops;

    // n allocations into one context ref, then n frees of one chunk ref: the Slab climbs to many
    // blocks and comes back down, emptying them (past the ten kept when n is large and the blocks small).
    private static Gen<AllocatorOp[]> FillAndDrain { get; } =
        from ctx in Gen.Choose(0, 31)
        from n in Gen.Choose(12, 64)
        from fill in Gen.ArrayOf(AllocInto(ctx), n)
        from r in Gen.Choose(0, 255)
        select (AllocatorOp[])[.. fill, .. Enumerable.Repeat((AllocatorOp)new Free(r), n)];

    // Allocations and scattered frees alternating: the live count stays put while chunks move
    // between blocks, the fuller ones refilled first.
    private static Gen<AllocatorOp[]> Churn { get; } =
        from ctx in Gen.Choose(0, 31)
        from n in RunLength
        from pairs in Gen.ArrayOf(from a in AllocInto(ctx) from f in FreeAny select new[] { a, f }, n)
        select pairs.SelectMany(p => p).ToArray();

    private static Gen<AllocatorOp[]> Run { get; } = Gen.Frequency(
        (5, AllocRun),
        (4, FreeRun),
        (2, FillAndDrain),
        (2, Churn),
        (2, AllocatorGen.Benign.Select(op => new[] { op })),
        (1, Create.Select(op => new[] { op })));

    /// <summary>Op lists of 1..maxOps ops (length scaled by FsCheck's size, as AllocatorGen.Ops):
    /// a Slab create, then runs until the length is reached (the last run cut short).</summary>
    public static Gen<AllocatorOp[]> Ops(int maxOps) =>
        OpListGen.Length(maxOps)
            .SelectMany(n => Create.SelectMany(first => OpListGen.Runs(Run, n - 1).Select(rest => (AllocatorOp[])[first, .. rest])));

    public static Arbitrary<AllocatorOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), AllocatorGen.Shrink);
}
