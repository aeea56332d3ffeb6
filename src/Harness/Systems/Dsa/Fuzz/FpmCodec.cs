// FpmCodec: the byte form of a FreePageManager workload and op list. Total: every byte string
// decodes to a valid workload and op list (missing header bytes read as 0; a trailing partial
// record is ignored; ops beyond the configured maximum are ignored), so no execution is wasted on a
// parse error.
//
//   header (2 bytes):
//     [0] bits 0-1: start (0 empty, 1 full, 2 fragmented, 3 empty); bit 2: 32-bit profile;
//         bit 3: root-page leak fixed
//     [1] managed pages: PageCounts[byte % 4] (small ranges reach the singleton corner cases,
//         large ones the btree splits)
//   then one 4-byte record per operation:
//     [0] bit 0: 0 get, 1 put; bits 1-2: the form of the rest
//         get  form 0: n = [1] % 8; 1: n = [1]; 2: n = FpmGen.BoundaryCounts[[1] % length];
//              3: n = [1] | [2] << 8
//         put  form 0 or 3: all of held allocation [1]; 1: one page at offset [2];
//              2: [3] % 16 + 1 pages at offset [2]
using Allocator.Dsa;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa.Fuzz;

public static class FpmCodec
{
    public const int HeaderSize = 2;
    public const int RecordSize = 4;

    public static readonly ulong[] PageCounts = [16, 64, 300, 1280];

    public sealed record Decoded(FpmWorkload Workload, IReadOnlyList<FpmOp> Ops);

    public static Decoded Decode(ReadOnlySpan<byte> input, int opsMax, bool checking = true, FpmCanary canary = FpmCanary.None)
    {
        byte h0 = input.Length > 0 ? input[0] : (byte)0;
        byte h1 = input.Length > 1 ? input[1] : (byte)0;
        FpmStart start = (h0 & 3) switch { 1 => FpmStart.Full, 2 => FpmStart.Fragmented, _ => FpmStart.Empty };
        PointerProfile profile = (h0 & 4) != 0 ? PointerProfile.Bits32 : PointerProfile.Bits64;
        bool fix = (h0 & 8) != 0;
        var w = new FpmWorkload(profile, start, PageCounts[h1 % PageCounts.Length], checking, fix, canary);

        var ops = new List<FpmOp>();
        for (int at = HeaderSize; at + RecordSize <= input.Length && ops.Count < opsMax; at += RecordSize)
            ops.Add(DecodeRecord(input.Slice(at, RecordSize)));
        return new Decoded(w, ops);
    }

    public static FpmOp DecodeRecord(ReadOnlySpan<byte> r)
    {
        int form = (r[0] >> 1) & 3;
        if ((r[0] & 1) == 0)
        {
            ulong n = form switch
            {
                0 => (ulong)(r[1] % 8),
                1 => r[1],
                2 => FpmGen.BoundaryCounts[r[1] % FpmGen.BoundaryCounts.Length],
                _ => (ulong)(r[1] | r[2] << 8),
            };
            return FpmOp.Get(n);
        }
        return form switch
        {
            1 => FpmOp.Put(r[1], r[2], 1),
            2 => FpmOp.Put(r[1], r[2], (ulong)(r[3] % 16 + 1)),
            _ => FpmOp.Put(r[1]),
        };
    }

    /// <summary>A record that decodes to <paramref name="op"/> when it has a wire form (seed inputs).</summary>
    public static byte[] Encode(FpmOp op)
    {
        if (op.Code == FpmOpCode.Get)
            return op.N < 256 ? [2, (byte)op.N, 0, 0] : [6, (byte)op.N, (byte)(op.N >> 8), 0];
        if (op.Offset == 0 && op.Length == 0) return [1, (byte)op.Index, 0, 0];
        if (op.Length == 1) return [3, (byte)op.Index, (byte)op.Offset, 0];
        return [5, (byte)op.Index, (byte)op.Offset, (byte)(op.Length - 1)];
    }

    public static byte Header0(FpmStart start, PointerProfile profile, bool fix) =>
        (byte)((int)start | (profile == PointerProfile.Bits32 ? 4 : 0) | (fix ? 8 : 0));
}
