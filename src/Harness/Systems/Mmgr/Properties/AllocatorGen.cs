// AllocatorGen: FsCheck generators and the shrinker for allocator op lists.
//
// Sizes are boundary-heavy (pg-mmgr-dsa.md 12), drawn from the system's one boundary table
// (Fuzz/BoundarySizes), mixed with uniform small and medium sizes. Context parameters hit the
// assertion edges (1024, init == max, min == max, the standard DEFAULT / SMALL / START_SMALL sets that share recycled-context lists, quirk Q1) and
// Slab shapes from one chunk per block to chunkSize 0..8 (quirk Q3).
//
// Shrinking (recipes-verified.md A): drop chunks of n/2, n/4, ... 1 ops, then single ops, then
// simplify one op's arguments (Oracle/OpSimplifier, the fuzzer's minimizer uses the same).
using FsCheck.Fluent;
using FsCheck;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Properties;
using Harness.Systems.Mmgr.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Properties;

public static class AllocatorGen
{
    // The system's one boundary table (BoundarySizes, also the fuzz codec's wire table): its
    // values below 1 MiB as ordinary sizes, those at MaxAllocSize - 1 and above as sizes whose
    // requests certainly fail (size checks, out of memory, Q2).
    private static readonly ulong[] OrdinarySizes = BoundarySizes.Table.Where(v => v < BoundarySizes.FoldLimit).ToArray();
    private static readonly ulong[] HugeSizes = BoundarySizes.HugeValues.ToArray();

    public static Gen<ulong> Size { get; } = Gen.Frequency(
        (40, Gen.Elements(OrdinarySizes)),
        (40, Gen.Choose(0, 300).Select(i => (ulong)i)),
        (14, Gen.Choose(300, 70000).Select(i => (ulong)i)),
        (2, Gen.Choose(70000, 1 << 20).Select(i => (ulong)i)),
        (4, Gen.Elements(HugeSizes)));

    private static readonly (ulong Min, ulong Init, ulong Max)[] BlockParams =
    [
        (0, 8192, 8 << 20), (0, 8192, 8 << 20), (0, 1024, 8192), (0, 1024, 8 << 20), (0, 1024, 8 << 20),
        (8192, 8192, 8192), (1024, 1024, 1024), (0, 1024, 1024), (0, 8192, 8192), (1024, 2048, 16384),
        (0, 16384, 0x3FFFFFF8), (65536, 65536, 1 << 20), (0, 8192, 0x3FFFFFF8),
    ];

    private static readonly ulong[] SlabBlocks = [8192, 8192, 1024, 256, 64, 56, 80, 8 << 20];
    private static readonly ulong[] SlabChunks = [0, 1, 7, 8, 9, 16, 24, 40, 100, 1000, 8192];

    // The generators of the `from` clauses below are built once, here: a clause after a query's
    // first is evaluated for every value drawn, so a Gen.Frequency or Gen.Elements written inline
    // there was built anew (with its tables) for every operation of every case. A generator is a
    // pure function of size and seed, so the draws are the same.
    private static readonly Gen<int> ParentRef = Gen.Frequency((1, Gen.Constant(AllocatorOp.NullParent)), (6, Gen.Choose(0, 12)));
    private static readonly Gen<(ulong Min, ulong Init, ulong Max)> BlockParam = Gen.Elements(BlockParams);
    private static readonly Gen<ulong> SlabBlock = Gen.Elements(SlabBlocks);
    private static readonly Gen<ulong> SlabChunk = Gen.Elements(SlabChunks);

    public static Gen<AllocatorOp> Create { get; } =
        from kind in Gen.Frequency((4, Gen.Constant(ContextKind.AllocSet)), (2, Gen.Constant(ContextKind.Generation)), (2, Gen.Constant(ContextKind.Slab)), (2, Gen.Constant(ContextKind.Bump)))
        from parent in ParentRef
        from bp in BlockParam
        from sb in SlabBlock
        from sc in SlabChunk
        select (AllocatorOp)(kind == ContextKind.Slab
            ? new CreateContext(kind, parent, 0, sb, 0, sc)
            : new CreateContext(kind, parent, bp.Min, bp.Init, bp.Max, 0));

    private static readonly AllocFlags[] FlagSets =
    [
        AllocFlags.None, AllocFlags.None, AllocFlags.None, AllocFlags.Zero, AllocFlags.Zero, AllocFlags.NoOom,
        AllocFlags.Huge, AllocFlags.Huge | AllocFlags.NoOom, AllocFlags.Zero | AllocFlags.NoOom,
    ];

    private static readonly ulong[] Aligns = [1, 8, 16, 64, 256, 4096];

    private static Gen<int> Ref { get; } = Gen.Choose(0, 31);

    private static readonly Gen<AllocFlags> Flags = Gen.Elements(FlagSets);
    private static readonly Gen<AllocEntry> AllocEntries = Gen.Frequency((4, Gen.Constant(AllocEntry.Palloc)), (4, Gen.Constant(AllocEntry.MemoryContextAlloc)), (3, Gen.Constant(AllocEntry.AllocExtended)), (1, Gen.Constant(AllocEntry.AllocAligned)));
    private static readonly Gen<bool> AllocSlabFit = Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)));
    private static readonly Gen<ulong> Align = Gen.Elements(Aligns);
    private static readonly Gen<ReallocEntry> ReallocEntries = Gen.Frequency((4, Gen.Constant(ReallocEntry.Repalloc)), (2, Gen.Constant(ReallocEntry.RepallocExtended)), (2, Gen.Constant(ReallocEntry.Repalloc0)));
    private static readonly Gen<bool> ReallocSlabFit = Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)));
    private static readonly Gen<int> ByteValue = Gen.Choose(0, 255);
    private static readonly Gen<int> ParentOrTop = Gen.Choose(-1, 12);

    public static Gen<AllocatorOp> AllocOp { get; } =
        from ctx in Ref
        from size in Size
        from flags in Flags
        from entry in AllocEntries
        from slabFit in AllocSlabFit
        from align in Align
        select (AllocatorOp)new Alloc(ctx, size, flags, entry, slabFit, align);

    public static Gen<AllocatorOp> ReallocOp { get; } =
        from chunk in Ref
        from size in Size
        from flags in Flags
        from entry in ReallocEntries
        from slabFit in ReallocSlabFit
        select (AllocatorOp)new Realloc(chunk, size, flags, entry, slabFit);

    /// <summary>One well-behaved operation, weighted toward allocation traffic.</summary>
    public static Gen<AllocatorOp> Benign { get; } = Gen.Frequency(new (int, Gen<AllocatorOp>)[]
    {
        (6, Create),
        (20, AllocOp),
        (6, ReallocOp),
        (10, Ref.Select(r => (AllocatorOp)new Free(r))),
        (6, from r in Ref from s in ByteValue select (AllocatorOp)new WritePattern(r, (byte)s)),
        (2, Ref.Select(r => (AllocatorOp)new VerifyPattern(r))),
        (2, Ref.Select(r => (AllocatorOp)new Reset(r))),
        (2, Ref.Select(r => (AllocatorOp)new ResetOnly(r))),
        (1, Ref.Select(r => (AllocatorOp)new ResetChildren(r))),
        (2, Ref.Select(r => (AllocatorOp)new Delete(r))),
        (1, Ref.Select(r => (AllocatorOp)new DeleteChildren(r))),
        (2, from r in Ref from p in ParentOrTop select (AllocatorOp)new SetParent(r, p)),
        (3, Gen.Choose(-1, 12).Select(r => (AllocatorOp)new SwitchTo(r))),
        (2, Ref.Select(r => (AllocatorOp)new RegisterCallback(r))),
        (1, Gen.Choose(-1, 12).Select(r => (AllocatorOp)new Stats(r))),
        (1, Gen.Choose(-1, 12).Select(r => (AllocatorOp)new Oracle.Check(r))),
    });

    private static readonly Gen<int> PastEndOffset = Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, 15)));
    private static readonly Gen<int> NonChunkArg = Gen.Choose(0, 1 << 20);
    private static readonly Gen<MemoryAccess> Access = Gen.Elements(MemoryAccess.Read, MemoryAccess.Write);
    private static readonly Gen<int> FreedOffset = Gen.Choose(0, 4096);

    /// <summary>One misbehaving-caller operation.</summary>
    public static Gen<AllocatorOp> Hostile { get; } = Gen.Frequency(
        (5, from r in Ref from off in PastEndOffset from v in ByteValue
            select (AllocatorOp)new WritePastEnd(r, (byte)off, (byte)v)),
        (3, Ref.Select(r => (AllocatorOp)new DoubleFree(r))),
        (2, from k in Gen.Elements(NonChunkKind.InsideChunk, NonChunkKind.StackGarbage, NonChunkKind.MallocBlock, NonChunkKind.Null)
            from r in Ref from a in NonChunkArg select (AllocatorOp)new FreeNonChunk(k, r, (ulong)a)),
        (3, from r in Ref from w in Access from off in FreedOffset from v in ByteValue
            select (AllocatorOp)new UseAfterFree(r, w, (uint)off, (byte)v)));

    /// <summary>Op lists of 1..maxOps ops (length scaled by FsCheck's size), hostile ops mixed in
    /// at about one in six when asked.</summary>
    public static Gen<AllocatorOp[]> Ops(int maxOps, bool hostile)
    {
        Gen<AllocatorOp> one = hostile ? Gen.Frequency((5, Benign), (1, Hostile)) : Benign;
        return OpListGen.Of(one, maxOps);
    }

    public static Arbitrary<AllocatorOp[]> Arbitrary(int maxOps, bool hostile) => Arb.From(Ops(maxOps, hostile), Shrink);

    // ------------------------------------------------------------------ shrinking

    public static IEnumerable<AllocatorOp[]> Shrink(AllocatorOp[] ops)
    {
        int n = ops.Length;
        for (int chunk = n / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= n; start += chunk)
            {
                var shorter = new AllocatorOp[n - chunk];
                Array.Copy(ops, 0, shorter, 0, start);
                Array.Copy(ops, start + chunk, shorter, start, n - start - chunk);
                yield return shorter;
            }
        }
        for (int i = 0; i < n; i++)
        {
            foreach (AllocatorOp simpler in OpSimplifier.Simpler(ops[i]))
            {
                var copy = (AllocatorOp[])ops.Clone();
                copy[i] = simpler;
                yield return copy;
            }
        }
    }
}
