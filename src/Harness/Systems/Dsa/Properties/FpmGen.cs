// FpmGen: FsCheck generators and the shrinker of FreePageManager op lists. Page counts are
// boundary-heavy (spec §12): small runs, the exact-size freelist edges 127/128/129, a btree page's
// key count 254/255 and 510/511, and anything up to the managed range. Puts mostly give back a whole
// held allocation, sometimes one page or a slice from the middle (which fragments the space and
// makes runs merge on both sides later).
//
// Shrinking: drop chunks of n/2, n/4, ... 1 ops, then simplify one op: a smaller page count, a
// whole-allocation put, the first held allocation.
using FsCheck;
using FsCheck.Fluent;
using Harness.Properties;
using Harness.Systems.Dsa.Oracle;

namespace Harness.Systems.Dsa.Properties;

public static class FpmGen
{
    /// <summary>Page counts worth hitting (spec §12 and the freelist/btree edges).</summary>
    public static readonly ulong[] BoundaryCounts = [0, 1, 2, 3, 127, 128, 129, 130, 253, 254, 255, 256, 509, 510, 511, 1000, 1279];

    public static Gen<ulong> Count { get; } = Gen.Frequency(
        (10, Gen.Choose(1, 4).Select(i => (ulong)i)),
        (4, Gen.Choose(5, 40).Select(i => (ulong)i)),
        (3, Gen.Elements(BoundaryCounts)),
        (1, Gen.Choose(41, 1300).Select(i => (ulong)i)));

    public static Gen<FpmOp> GetOp { get; } = Count.Select(FpmOp.Get);

    public static Gen<FpmOp> PutOp { get; } =
        from index in Gen.Frequency((3, Gen.Choose(0, 3)), (2, Gen.Choose(0, 63)), (1, Gen.Choose(0, 1000)))
        from shape in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (2, Gen.Constant(2)))
        from off in Gen.Choose(0, 300)
        from len in Gen.Choose(1, 6)
        select shape switch
        {
            0 => FpmOp.Put(index),
            1 => FpmOp.Put(index, (ulong)off, 1),
            _ => FpmOp.Put(index, (ulong)off, (ulong)len),
        };

    public static Gen<FpmOp> Op { get; } = Gen.Frequency((5, GetOp), (6, PutOp));

    public static Gen<FpmOp[]> Ops(int maxOps) =>
        OpListGen.Of(Op, maxOps);

    public static Arbitrary<FpmOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), Shrink);

    public static IEnumerable<FpmOp[]> Shrink(FpmOp[] ops) => OpListShrinker.Shrink(ops, Simpler);

    private static IEnumerable<FpmOp> Simpler(FpmOp o)
    {
        if (o.Code == FpmOpCode.Get)
        {
            if (o.N > 1) yield return o with { N = 1 };
            if (o.N > 2) yield return o with { N = o.N / 2 };
            if (o.N > 1) yield return o with { N = o.N - 1 };
            yield break;
        }
        if (o.Offset != 0 || o.Length != 0) yield return o with { Offset = 0, Length = 0 };
        if (o.Offset > 1) yield return o with { Offset = o.Offset / 2 };
        if (o.Index != 0) yield return o with { Index = 0 };
        if (o.Index > 1) yield return o with { Index = o.Index / 2 };
    }
}
