// FpmDictionary: boundary values (spec §12) in wire form for the byte-level dictionary mutations:
// gets of the freelist edges (1, 127, 128, 129) and of a btree page's key count (254, 255, 510,
// 511), single-page puts (which make isolated runs: more keys, splits, the L1 window) and whole
// puts, and headers for every start and profile on the smallest and largest ranges.
using Allocator.Dsa;
using Harness.Systems.Dsa.Oracle;

namespace Harness.Systems.Dsa.Fuzz;

public static class FpmDictionary
{
    public static IReadOnlyList<byte[]> Tokens { get; } = Build();

    private static List<byte[]> Build()
    {
        var t = new List<byte[]>();
        foreach (ulong n in new ulong[] { 0, 1, 2, 127, 128, 129, 253, 254, 255, 256, 509, 510, 511 })
            t.Add(FpmCodec.Encode(FpmOp.Get(n)));
        t.Add(FpmCodec.Encode(FpmOp.Put(0, 1, 1)));
        t.Add(FpmCodec.Encode(FpmOp.Put(1, 9, 1)));
        t.Add(FpmCodec.Encode(FpmOp.Put(0)));
        foreach (FpmStart s in Enum.GetValues<FpmStart>())
            foreach (PointerProfile p in Enum.GetValues<PointerProfile>())
            {
                t.Add([FpmCodec.Header0(s, p, fix: false), 0]);
                t.Add([FpmCodec.Header0(s, p, fix: false), 3]);
            }
        return t;
    }
}
