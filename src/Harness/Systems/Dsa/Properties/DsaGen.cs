// DsaGen: FsCheck generators and the shrinker of dsa_area op lists. Request sizes are
// boundary-heavy (spec §12): 1, 8, 9, 1023-1025, every size class and class + 1, 8192/8193,
// 4096·k ± 1, the page counts at segment capacity edges (253/254 pages in a first 1 MiB segment,
// 255/256 in a later one, 510/511 in 2 MiB), MaxAllocSize ± 1 with and without DSA_ALLOC_HUGE.
// A list has a favourite size it allocates often (a real caller repeats sizes; it is also what fills
// a span). Most allocations pass DSA_ALLOC_NO_OOM (so out of memory is a result, not an ERROR); some zero.
// Frees are about as common as allocations so the area fills, empties and returns segments;
// the other ops (another backend's read, writes, trim, limits, attach/detach/pin/unpin) are rarer.
//
// Shrinking: drop chunks of n/2, n/4, ... 1 ops, then simplify one op: backend 0, a smaller size,
// no flags, the first live allocation.
using Allocator.Dsa;
using FsCheck;
using FsCheck.Fluent;
using Harness.Properties;
using Harness.Systems.Dsa.Oracle;
using static Allocator.Dsa.DsaSizeClasses;

namespace Harness.Systems.Dsa.Properties;

public static class DsaGen
{
    /// <summary>Request sizes worth hitting (spec §12).</summary>
    public static readonly ulong[] BoundarySizes = Boundaries();

    private static ulong[] Boundaries()
    {
        var s = new SortedSet<ulong> { 1, 8, 9, 1023, 1024, 1025, 8192, 8193 };
        DsaSizeClasses c = DsaSizeClasses.Wide;
        for (int i = 2; i < c.DSA_NUM_SIZE_CLASSES; i++)
        {
            s.Add((ulong)c.Size(i));
            s.Add((ulong)c.Size(i) + 1);
        }
        foreach (ulong k in new ulong[] { 3, 4, 16, 17 })
        {
            s.Add(4096 * k - 1);
            s.Add(4096 * k + 1);
        }
        foreach (ulong pages in new ulong[] { 61, 62, 63, 253, 254, 255, 256, 510, 511 })
            s.Add(pages * 4096);
        s.Add(DsaArea.MaxAllocSize);
        s.Add(DsaArea.MaxAllocSize + 1);
        return s.ToArray();
    }

    public static Gen<ulong> Size { get; } = Gen.Frequency(
        (8, Gen.Choose(1, 1024).Select(i => (ulong)i)),
        (5, Gen.Elements(BoundarySizes)),
        (3, Gen.Choose(1025, 8192).Select(i => (ulong)i)),
        (3, Gen.Choose(8193, 80000).Select(i => (ulong)i)),
        (1, Gen.Choose(80001, 1 << 21).Select(i => (ulong)i)));

    public static Gen<int> Flags { get; } = Gen.Frequency(
        (6, Gen.Constant(DSA_ALLOC_NO_OOM)),
        (2, Gen.Constant(DSA_ALLOC_NO_OOM | DSA_ALLOC_ZERO)),
        (1, Gen.Constant(0)),
        (1, Gen.Elements(DSA_ALLOC_ZERO, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM, DSA_ALLOC_HUGE)));

    private static readonly Gen<int> Backend = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 2)));

    private static readonly Gen<int> Index = Gen.Frequency((3, Gen.Choose(0, 3)), (2, Gen.Choose(0, 40)), (1, Gen.Choose(0, 1000)));

    /// <summary>One op; allocations use <paramref name="favourite"/> two times in five, so a list
    /// fills whole spans of one class (and can empty them again).</summary>
    public static Gen<DsaOp> Op(ulong favourite) => Gen.Frequency(
        (9, from size in Gen.Frequency((2, Gen.Constant(favourite)), (3, Size)) from flags in Flags from b in Backend select DsaOp.Alloc(size, flags, b)),
        (6, from i in Index from b in Backend select DsaOp.Free(i, b)),
        (1, from i in Index from seed in Gen.Choose(0, 255) from b in Backend select DsaOp.Write(i, (byte)seed, b)),
        (2, from i in Index from b in Backend select DsaOp.Read(i, b)),
        (1, Backend.Select(b => DsaOp.Simple(DsaOpCode.Trim, b))),
        (1, from k in Gen.Elements(Enum.GetValues<DsaLimitKind>()) from b in Backend select DsaOp.Limit(k, b)),
        (1, from code in Gen.Elements(DsaOpCode.Attach, DsaOpCode.Detach, DsaOpCode.Pin, DsaOpCode.Unpin) from b in Backend select DsaOp.Simple(code, b)));

    public static Gen<DsaOp[]> Ops(int maxOps) =>
        OpListGen.Length(maxOps)
            .SelectMany(n => Favourite.SelectMany(favourite => Gen.ArrayOf(Op(favourite), n)));

    /// <summary>A list's favourite size: half the time one of the classes above 4 KiB, whose spans
    /// fill after 8 to 12 objects.</summary>
    public static Gen<ulong> Favourite { get; } = Gen.Frequency((1, Size), (1, Gen.Choose(4097, 8192).Select(i => (ulong)i)));

    public static Arbitrary<DsaOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), Shrink);

    public static IEnumerable<DsaOp[]> Shrink(DsaOp[] ops) => OpListShrinker.Shrink(ops, Simpler);

    private static IEnumerable<DsaOp> Simpler(DsaOp o)
    {
        if (o.Backend != 0) yield return o with { Backend = 0 };
        switch (o.Code)
        {
            case DsaOpCode.Alloc:
                if (o.Size > 8) yield return o with { Size = 8 };
                if (o.Size > 8192) yield return o with { Size = 8192 };
                if (o.Size > 2) yield return o with { Size = o.Size / 2 };
                if ((o.Flags & DSA_ALLOC_ZERO) != 0) yield return o with { Flags = o.Flags & ~DSA_ALLOC_ZERO };
                break;
            case DsaOpCode.Free or DsaOpCode.Write or DsaOpCode.Read:
                if (o.Index != 0) yield return o with { Index = 0 };
                if (o.Index > 1) yield return o with { Index = o.Index / 2 };
                break;
        }
    }
}
