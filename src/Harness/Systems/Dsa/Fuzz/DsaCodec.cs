// DsaCodec: the byte form of a dsa_area workload and op list. Total: every byte string decodes to
// a valid workload and op list (a missing header reads as 0; a trailing partial record is ignored;
// ops beyond the configured maximum are ignored), so no execution is wasted on a parse error.
//
//   header (1 byte): bit 0: 32-bit dsa_pointers; bits 1-2: the area (Shapes: 1 MiB first segment
//     and a 4 MiB limit, 256 KiB and 1 MiB, 256 KiB fixed, 1 MiB fixed); bit 3: D1 fixed; bit 4: F1
//     fixed; bit 5: three backends (else two)
//   then one 4-byte record per operation:
//     [0] bits 0-3: the op (DsaOpCode 0-9; 10-15 are more allocations); bits 4-5: the backend;
//         bits 6-7: an allocation's size form
//     alloc  size form 0: [1] + 1; 1: DsaGen.BoundarySizes[[1] % length]; 2: ([1] | [2] << 8) + 1;
//            3: ([1] | [2] << 8) * 64 + 1 (up to 4 MiB); flags [3] & 7 (HUGE 1, NO_OOM 2, ZERO 4);
//            [3] bits 3-5: repeat count - 1 (one record can fill a span of the classes above 4 KiB,
//            8 to 12 objects, the way a caller allocating a batch does)
//     free, read  live index [1]; write  live index [1], pattern [2]; limit  DsaLimitKind [1] % 5
using Allocator.Dsa;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa.Fuzz;

public static class DsaCodec
{
    public const int HeaderSize = 1;
    public const int RecordSize = 4;

    /// <summary>(first segment, limit) per header shape.</summary>
    public static readonly (ulong Init, ulong Limit)[] Shapes =
    [
        (DsaSizeClasses.DSA_DEFAULT_INIT_SEGMENT_SIZE, DsaWorkload.DefaultLimit),
        (DsaSizeClasses.DSA_MIN_SEGMENT_SIZE, DsaSizeClasses.DSA_DEFAULT_INIT_SEGMENT_SIZE),
        (DsaSizeClasses.DSA_MIN_SEGMENT_SIZE, DsaSizeClasses.DSA_MIN_SEGMENT_SIZE),
        (DsaSizeClasses.DSA_DEFAULT_INIT_SEGMENT_SIZE, DsaSizeClasses.DSA_DEFAULT_INIT_SEGMENT_SIZE),
    ];

    public sealed record Decoded(DsaWorkload Workload, IReadOnlyList<DsaOp> Ops);

    public static Decoded Decode(ReadOnlySpan<byte> input, int opsMax, bool checking = true, DsaFuzzCanary canary = DsaFuzzCanary.None)
    {
        byte h = input.Length > 0 ? input[0] : (byte)0;
        (ulong init, ulong limit) = Shapes[(h >> 1) & 3];
        var w = new DsaWorkload((h & 1) != 0 ? PointerProfile.Bits32 : PointerProfile.Bits64, init, limit, (h & 0x20) != 0 ? 3 : 2,
            checking, FixSuperblockSpanLeak: (h & 8) != 0, FixRootPageLeak: (h & 0x10) != 0, Canary: canary);
        var ops = new List<DsaOp>();
        for (int at = HeaderSize; at + RecordSize <= input.Length && ops.Count < opsMax; at += RecordSize)
        {
            DsaOp op = DecodeRecord(input.Slice(at, RecordSize));
            int repeat = op.Code == DsaOpCode.Alloc ? ((input[at + 3] >> 3) & 7) + 1 : 1;
            for (int k = 0; k < repeat && ops.Count < opsMax; k++) ops.Add(op);
        }
        return new Decoded(w, ops);
    }

    public static DsaOp DecodeRecord(ReadOnlySpan<byte> r)
    {
        int code = r[0] & 15, b = (r[0] >> 4) & 3, form = r[0] >> 6;
        if (code >= 10) code = (int)DsaOpCode.Alloc;
        switch ((DsaOpCode)code)
        {
            case DsaOpCode.Alloc:
                ulong size = form switch
                {
                    0 => (ulong)r[1] + 1,
                    1 => DsaGen.BoundarySizes[r[1] % DsaGen.BoundarySizes.Length],
                    2 => (ulong)(r[1] | r[2] << 8) + 1,
                    _ => (ulong)(r[1] | r[2] << 8) * 64 + 1,
                };
                return DsaOp.Alloc(size, r[3] & 7, b);
            case DsaOpCode.Free:
                return DsaOp.Free(r[1], b);
            case DsaOpCode.Read:
                return DsaOp.Read(r[1], b);
            case DsaOpCode.Write:
                return DsaOp.Write(r[1], r[2], b);
            case DsaOpCode.Limit:
                return DsaOp.Limit((DsaLimitKind)(r[1] % 5), b);
            default:
                return DsaOp.Simple((DsaOpCode)code, b);
        }
    }

    /// <summary>A record that decodes to <paramref name="op"/> when it has a wire form (seed inputs,
    /// dictionary tokens); backends above 3, indexes above 255 and other sizes have none.</summary>
    public static byte[]? Encode(DsaOp op)
    {
        if (op.Backend > 3 || op.Index > 255) return null;
        byte head = (byte)((int)op.Code | op.Backend << 4);
        switch (op.Code)
        {
            case DsaOpCode.Alloc:
                byte flags = (byte)(op.Flags & 7);
                if (op.Size is >= 1 and <= 256) return [head, (byte)(op.Size - 1), 0, flags];
                int bi = Array.IndexOf(DsaGen.BoundarySizes, op.Size);
                if (bi >= 0 && bi < 256) return [(byte)(head | 1 << 6), (byte)bi, 0, flags];
                if (op.Size is >= 1 and <= 65536) return [(byte)(head | 2 << 6), (byte)(op.Size - 1), (byte)((op.Size - 1) >> 8), flags];
                if ((op.Size - 1) % 64 == 0 && (op.Size - 1) / 64 <= 0xFFFF)
                    return [(byte)(head | 3 << 6), (byte)((op.Size - 1) / 64), (byte)((op.Size - 1) / 64 >> 8), flags];
                return null;
            case DsaOpCode.Free or DsaOpCode.Read:
                return [head, (byte)op.Index, 0, 0];
            case DsaOpCode.Write:
                return [head, (byte)op.Index, op.Seed, 0];
            case DsaOpCode.Limit:
                return [head, (byte)op.Index, 0, 0];
            default:
                return [head, 0, 0, 0];
        }
    }

    /// <summary>An allocation record repeated <paramref name="times"/> (1-8) times.</summary>
    public static byte[]? EncodeRepeated(DsaOp op, int times)
    {
        byte[]? r = Encode(op);
        if (r is null || op.Code != DsaOpCode.Alloc || times is < 1 or > 8) return null;
        r[3] |= (byte)((times - 1) << 3);
        return r;
    }

    public static byte Header(PointerProfile profile, int shape, bool fixD1 = false, bool fixF1 = false, bool threeBackends = false) =>
        (byte)((profile == PointerProfile.Bits32 ? 1 : 0) | (shape & 3) << 1 | (fixD1 ? 8 : 0) | (fixF1 ? 0x10 : 0) | (threeBackends ? 0x20 : 0));
}
