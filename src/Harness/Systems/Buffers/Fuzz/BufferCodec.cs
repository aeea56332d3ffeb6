// BufferCodec: the byte form of a buffer-manager workload. Total: every byte string decodes to a
// valid workload and op list (short inputs get defaults; leftover bytes are ignored), so the fuzzer
// never wastes an execution on a parse error.
//
//   header (4 bytes, missing bytes read as 0):
//     [0] bits 0-1: backends - 1; bits 2-4: pool size index into PoolSizes
//     [1] initial blocks of r0 (low nibble) and r1 (high nibble), 0..15
//     [2] initial blocks of r2 and r3, likewise
//     [3] reserved (kept so headers stay aligned with op records)
//   then one 4-byte record per operation:
//     [0] op code: byte mod OpTable.Length picks from a weighted table
//     [1] bits 0-1 backend, bits 2-3 relation/database, bits 4-7 mode
//     [2] block / pin index / truncation size / low byte of a value
//     [3] high byte of a value
// A Modify or ReadZero value is (op index + 1) * 65536 + the record's two value bytes, so every
// write in an input writes a distinct value and a lost or stale write cannot look right by chance.
using Allocator.Storage;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Fuzz;

public sealed class BufferCodec
{
    public const int HeaderSize = 4;
    public const int RecordSize = 4;
    public const int FuzzBlckSz = 1024;

    /// <summary>Pool sizes an input can ask for, from PostgreSQL's minimum of 16 (small pools force
    /// eviction and make "no unpinned buffers available" reachable) to the default 128.</summary>
    public static readonly int[] PoolSizes = [16, 17, 20, 24, 32, 48, 64, 128];

    /// <summary>Op codes by weight: reads, releases and page accesses are common, whole-pool operations rare.</summary>
    public static readonly BufferOpCode[] OpTable =
    [
        BufferOpCode.Read, BufferOpCode.Read, BufferOpCode.Read, BufferOpCode.Read, BufferOpCode.Read, BufferOpCode.Read,
        BufferOpCode.Release, BufferOpCode.Release, BufferOpCode.Release, BufferOpCode.Release,
        BufferOpCode.Modify, BufferOpCode.Modify, BufferOpCode.Modify, BufferOpCode.Modify,
        BufferOpCode.Inspect, BufferOpCode.Inspect, BufferOpCode.Inspect,
        BufferOpCode.Lock, BufferOpCode.Lock, BufferOpCode.Unlock, BufferOpCode.Unlock,
        BufferOpCode.Hint, BufferOpCode.Flush, BufferOpCode.Cleanup, BufferOpCode.ReadZero,
        BufferOpCode.Extend, BufferOpCode.Extend, BufferOpCode.Evict, BufferOpCode.Truncate,
        BufferOpCode.DropDatabase, BufferOpCode.FlushRelation, BufferOpCode.FlushDatabase,
        BufferOpCode.Checkpoint, BufferOpCode.BgWriter, BufferOpCode.Commit, BufferOpCode.Commit,
        BufferOpCode.Abort, BufferOpCode.Fault, BufferOpCode.Fault, BufferOpCode.Crash,
    ];

    /// <summary>The fault kinds an input can arm (bit flips rot the disk: the model does not follow them).</summary>
    public static readonly StorageFaultKind[] Faults =
    [
        StorageFaultKind.ReadError, StorageFaultKind.ShortRead, StorageFaultKind.WriteError,
        StorageFaultKind.WriteError, StorageFaultKind.TornWrite, StorageFaultKind.Crash,
    ];

    public readonly record struct Decoded(BufferWorkload Workload, IReadOnlyList<BufferOp> Ops);

    public static Decoded Decode(ReadOnlySpan<byte> input, int opsMax)
    {
        Span<byte> h = stackalloc byte[HeaderSize];
        input[..Math.Min(HeaderSize, input.Length)].CopyTo(h);
        
        var workload = new BufferWorkload(
            (h[0] & 3) + 1,
            PoolSizes[(h[0] >> 2) & 7],
            FuzzBlckSz,
            [(uint)(h[1] & 15), (uint)(h[1] >> 4), (uint)(h[2] & 15), (uint)(h[2] >> 4)]);
        int n = Math.Min(opsMax, Math.Max(0, (input.Length - HeaderSize) / RecordSize));
        var ops = new BufferOp[n];
        for (int i = 0; i < n; i++)
            ops[i] = DecodeOp(input.Slice(HeaderSize + i * RecordSize, RecordSize), i);
        return new Decoded(workload, ops);
    }

    private static BufferOp DecodeOp(ReadOnlySpan<byte> r, int index)
    {
        BufferOpCode code = OpTable[r[0] % OpTable.Length];
        int backend = r[1] & 3, rel = (r[1] >> 2) & 3, mode = r[1] >> 4;
        ulong value = ((ulong)(index + 1) << 16) | (uint)(r[3] << 8 | r[2]);
        return code switch
        {
            BufferOpCode.Read => new BufferOp(code, backend, rel, (uint)(r[2] & 31), Mode: mode & 7),
            BufferOpCode.ReadZero => new BufferOp(code, backend, rel, (uint)(r[2] & 31), Mode: mode & 1, Value: value),
            BufferOpCode.Lock => new BufferOp(code, backend, Pin: r[2], Mode: (mode & 1) + 1),
            BufferOpCode.Release or BufferOpCode.Unlock or BufferOpCode.Inspect or BufferOpCode.Flush or BufferOpCode.Cleanup
                => new BufferOp(code, backend, Pin: r[2]),
            BufferOpCode.Modify => new BufferOp(code, backend, Pin: mode, Value: value),
            BufferOpCode.Hint => new BufferOp(code, backend, Pin: mode, Value: (uint)value),
            BufferOpCode.Extend or BufferOpCode.FlushRelation => new BufferOp(code, backend, rel),
            BufferOpCode.Evict => new BufferOp(code, backend, rel, (uint)(r[2] & 31)),
            BufferOpCode.Truncate => new BufferOp(code, backend, rel, (uint)(r[2] & 15)),
            BufferOpCode.DropDatabase or BufferOpCode.FlushDatabase => new BufferOp(code, backend, rel & 1),
            BufferOpCode.Checkpoint => new BufferOp(code, Mode: mode & 1),
            BufferOpCode.Commit or BufferOpCode.Abort => new BufferOp(code, backend),
            BufferOpCode.Fault => new BufferOp(code, Mode: (int)Faults[mode % Faults.Length]),
            _ => new BufferOp(code),
        };
    }

    /// <summary>The canonical bytes of a workload and op list (Decode(Encode(w, ops)) gives them back,
    /// except Modify/ReadZero values, which Decode derives from position).</summary>
    public static byte[] Encode(BufferWorkload w, IReadOnlyList<BufferOp> ops)
    {
        var bytes = new byte[HeaderSize + ops.Count * RecordSize];
        bytes[0] = (byte)((w.Backends - 1) & 3 | Array.IndexOf(PoolSizes, w.NBuffers) << 2);
        bytes[1] = (byte)(w.InitialBlocks[0] & 15 | (w.InitialBlocks[1] & 15) << 4);
        bytes[2] = (byte)(w.InitialBlocks[2] & 15 | (w.InitialBlocks[3] & 15) << 4);
        for (int i = 0; i < ops.Count; i++)
        {
            BufferOp op = ops[i];
            Span<byte> r = bytes.AsSpan(HeaderSize + i * RecordSize, RecordSize);
            r[0] = (byte)Array.IndexOf(OpTable, op.Code);
            int mode = op.Code switch
            {
                BufferOpCode.Lock => op.Mode - 1,
                BufferOpCode.Modify or BufferOpCode.Hint => op.Pin,
                BufferOpCode.Fault => Array.IndexOf(Faults, (StorageFaultKind)op.Mode),
                _ => op.Mode,
            };
            r[1] = (byte)(op.Backend & 3 | (op.Rel & 3) << 2 | (mode & 15) << 4);
            r[2] = op.Code switch
            {
                BufferOpCode.Read or BufferOpCode.ReadZero or BufferOpCode.Evict or BufferOpCode.Truncate => (byte)op.Block,
                BufferOpCode.Modify or BufferOpCode.Hint => (byte)op.Value,
                _ => (byte)op.Pin,
            };
            r[3] = (byte)(op.Value >> 8);
        }
        return bytes;
    }
}
