// DsaDictionary: boundary values (spec §12) in wire form for the byte-level dictionary mutations:
// allocations of every boundary size (1, 8, 9, 1023-1025, each class and class + 1, 8192/8193,
// 4096·k ± 1, the segment capacity edges, MaxAllocSize ± 1) with NO_OOM and with ZERO, the limit
// kinds (below, equal and one page above the total), batches of eight of each size above 4 KiB, frees of the first live allocations, and the
// attach/detach/pin/unpin ops; and headers for every area shape in both pointer widths.
using Allocator.Dsa;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;
using static Allocator.Dsa.DsaSizeClasses;

namespace Harness.Systems.Dsa.Fuzz;

public static class DsaDictionary
{
    public static IReadOnlyList<byte[]> Tokens { get; } = Build();

    private static List<byte[]> Build()
    {
        var ops = new List<DsaOp>();
        foreach (ulong size in DsaGen.BoundarySizes)
        {
            ops.Add(DsaOp.Alloc(size, DSA_ALLOC_NO_OOM));
            if (size <= 8192) ops.Add(DsaOp.Alloc(size, DSA_ALLOC_NO_OOM | DSA_ALLOC_ZERO, 1));
        }
        ops.Add(DsaOp.Alloc(DsaArea.MaxAllocSize + 1, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM));
        foreach (DsaLimitKind k in Enum.GetValues<DsaLimitKind>()) ops.Add(DsaOp.Limit(k));
        for (int i = 0; i < 3; i++) ops.Add(DsaOp.Free(i, i));
        ops.Add(DsaOp.Read(0, 1));
        ops.Add(DsaOp.Simple(DsaOpCode.Trim));
        foreach (DsaOpCode c in new[] { DsaOpCode.Attach, DsaOpCode.Detach, DsaOpCode.Pin, DsaOpCode.Unpin })
            ops.Add(DsaOp.Simple(c, 1));
        var t = ops.Select(DsaCodec.Encode).OfType<byte[]>().ToList();
        // a batch of eight: fills a span of the 8 KiB class (nmax 8), the edge where it moves to
        // fullness class 3 (spec 9.8), and most of the other classes above 4 KiB
        foreach (ulong size in DsaGen.BoundarySizes.Where(s => s is > 4096 and <= 8192))
            t.Add(DsaCodec.EncodeRepeated(DsaOp.Alloc(size, DSA_ALLOC_NO_OOM), 8)!);
        foreach (PointerProfile p in Enum.GetValues<PointerProfile>())
            for (int shape = 0; shape < DsaCodec.Shapes.Length; shape++)
                t.Add([DsaCodec.Header(p, shape)]);
        return t;
    }
}
