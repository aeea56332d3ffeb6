// AllocatorCodec: bytes <-> allocator operation lists (Harness.Systems.Mmgr.Oracle.AllocatorOp).
//
// Wire format: a SwarmHeader (4 bytes), then operations until the input or the operation limit
// runs out. Each operation is a selector byte (through the header's selector table) and its fields:
//   ref            1 byte  (ctx, chunk and freed refs; the runner takes them modulo the pool size)
//   pref           1 byte  (parent-or-view refs; 0xFF is NullParent / Top)
//   size           BoundarySizes (1, 3, 5 or 9 bytes)
//   CreateContext  kind%4, pref, min:size, init:size, max:size, chunk:size
//   Alloc          ref, size, mode (bits 0-2 AllocFlags, 3-4 AllocEntry, 5 SlabFit),
//                  and for AllocAligned one more byte: AlignTo = 1 << (byte % 27); an AlignTo of 1 MiB
//                  or more (which makes the allocation that big) needs BoundarySizes.BigConfirm
//                  in the byte after it, else its shift drops by 6, as big sizes are demoted
//   Realloc        ref, size, mode (bits 0-2 AllocFlags, 3-4 ReallocEntry % 3, 5 SlabFit)
//   Free, VerifyPattern, Reset, ResetOnly, ResetChildren, Delete, DeleteChildren,
//   RegisterCallback  ref            SwitchTo, Stats, Check  pref
//   WritePattern   ref, seed           SetParent  ref, pref
//   WritePastEnd   ref, offset, value  DoubleFree ref
//   FreeNonChunk   kind%4, ref, arg:size
//   UseAfterFree   ref, access&1, offset:size (low 32 bits), value
// Decoding is total (missing bytes read as zero). Encoding writes the canonical form, so
// Decode(Encode(h, ops)) == ops for every list Decode produces; for hand-written lists, values the
// wire cannot carry are normalized (refs above 255 are reduced mod 256, parent refs above 254 mod 255, AlignTo rounds down to a
// power of two and is dropped for other entries, UseAfterFree offsets keep 32 bits).
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Fuzz;

/// <summary>A decoded input: its header and operations.</summary>
public sealed record DecodedInput(SwarmHeader Header, IReadOnlyList<AllocatorOp> Ops);

public sealed class AllocatorCodec
{
    private const byte NullRef = 0xFF;
    private const int MaxAlignShift = 27; // alignments below 128 MiB (AllocatorOp.Alloc)
    /// <summary>Alignments from 1 MiB up cost at least that much simulated memory (palloc_aligned
    /// allocates size + alignto), so like big sizes they need a confirmation byte: with a uniform
    /// shift, a quarter of all aligned allocations mapped (and the checking build then clobbered)
    /// megabytes, which made them most of the fuzzer's memory traffic.</summary>
    private const int BigAlignShift = 20;

    private SwarmHeader _cachedHeader = new(false, uint.MaxValue);
    private OpCode[] _cachedTable = Array.Empty<OpCode>();
    private byte[] _cachedInverse = Array.Empty<byte>();

    // Selector tables of the headers seen so far: a corpus holds a few hundred headers and the
    // fuzzer alternates between them, so remembering only the last one rebuilt a table (and its
    // inverse) for most executions. Looked up by value, never enumerated; emptied when full.
    private const int TablesMax = 4096;
    private readonly Dictionary<SwarmHeader, (OpCode[] Table, byte[] Inverse)> _tables = new();

    public DecodedInput Decode(ReadOnlySpan<byte> input, int opsMax)
    {
        var ops = new List<AllocatorOp>(Math.Max(1, Math.Min(input.Length / 2, opsMax)));   // an op takes 2+ bytes
        SwarmHeader header = DecodeInto(input, opsMax, ops);
        return new DecodedInput(header, ops);
    }

    /// <summary>Decode into a caller's list (cleared first), for a caller that decodes an input per
    /// execution and is done with the operations before the next one.</summary>
    public SwarmHeader DecodeInto(ReadOnlySpan<byte> input, int opsMax, List<AllocatorOp> ops)
    {
        ops.Clear();
        var reader = new FuzzedBytes(input);
        SwarmHeader header = SwarmHeader.Read(ref reader);
        OpCode[] table = TableFor(header);
        while (reader.HasMore && ops.Count < opsMax)
            ops.Add(ReadOp(table[reader.Byte()], ref reader));
        return header;
    }

    public byte[] Encode(SwarmHeader header, IReadOnlyList<AllocatorOp> ops) => Encode(header, ops, int.MaxValue);

    // Encode's output, written into one list kept across calls and copied out at the end (the
    // mutator encodes a mutant per execution).
    private readonly List<byte> _encoded = new();

    /// <summary>Encode, cut to at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] Encode(SwarmHeader header, IReadOnlyList<AllocatorOp> ops, int maxLength)
    {
        for (int i = 0; i < ops.Count; i++)
            if (!header.Enabled(ops[i].Code)) header = header.Enable(ops[i].Code);
        TableFor(header);
        byte[] inverse = _cachedInverse;
        List<byte> output = _encoded;
        output.Clear();
        header.Write(output);
        for (int i = 0; i < ops.Count; i++)
        {
            AllocatorOp op = ops[i];
            output.Add(inverse[(int)op.Code]);
            WriteOp(op, output);
        }
        var bytes = new byte[Math.Min(output.Count, maxLength)];
        output.CopyTo(0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Encodes one operation's fields only (no selector), e.g. for size estimates.</summary>
    public static int FieldLength(AllocatorOp op)
    {
        var tmp = new List<byte>();
        WriteOp(op, tmp);
        return tmp.Count;
    }

    private OpCode[] TableFor(SwarmHeader header)
    {
        if (header == _cachedHeader) return _cachedTable;
        if (!_tables.TryGetValue(header, out (OpCode[] Table, byte[] Inverse) known))
        {
            OpCode[] built = header.SelectorTable();
            var inv = new byte[SwarmHeader.KindCount];
            for (int s = 255; s >= 0; s--) inv[(int)built[s]] = (byte)s;
            if (_tables.Count >= TablesMax) _tables.Clear();
            known = (built, inv);
            _tables.Add(header, known);
        }
        (OpCode[] table, byte[] inverse) = known;
        _cachedHeader = header;
        _cachedTable = table;
        _cachedInverse = inverse;
        return table;
    }

    private static AllocatorOp ReadOp(OpCode code, ref FuzzedBytes r)
    {
        switch (code)
        {
            case OpCode.CreateContext:
            {
                var kind = (ContextKind)(r.Byte() % 4);
                int parent = PRef(r.Byte());
                ulong min = BoundarySizes.Read(ref r), init = BoundarySizes.Read(ref r), max = BoundarySizes.ReadLimit(ref r), chunk = BoundarySizes.Read(ref r);
                return new CreateContext(kind, parent, min, init, max, chunk);
            }
            case OpCode.Alloc:
            {
                int ctx = r.Byte();
                ulong size = BoundarySizes.Read(ref r);
                byte mode = r.Byte();
                var entry = (AllocEntry)((mode >> 3) & 3);
                ulong align = 0;
                if (entry == AllocEntry.AllocAligned)
                {
                    int shift = r.Byte() % MaxAlignShift;
                    if (shift >= BigAlignShift && r.Byte() != BoundarySizes.BigConfirm) shift -= 6;
                    align = 1UL << shift;
                }
                return new Alloc(ctx, size, (AllocFlags)(mode & 7), entry, (mode & 0x20) != 0, align);
            }
            case OpCode.Realloc:
            {
                int chunk = r.Byte();
                ulong size = BoundarySizes.Read(ref r);
                byte mode = r.Byte();
                return new Realloc(chunk, size, (AllocFlags)(mode & 7), (ReallocEntry)(((mode >> 3) & 3) % 3), (mode & 0x20) != 0);
            }
            case OpCode.Free: return new Free(r.Byte());
            case OpCode.WritePattern: return new WritePattern(r.Byte(), r.Byte());
            case OpCode.VerifyPattern: return new VerifyPattern(r.Byte());
            case OpCode.Reset: return new Reset(r.Byte());
            case OpCode.ResetOnly: return new ResetOnly(r.Byte());
            case OpCode.ResetChildren: return new ResetChildren(r.Byte());
            case OpCode.Delete: return new Delete(r.Byte());
            case OpCode.DeleteChildren: return new DeleteChildren(r.Byte());
            case OpCode.SetParent: return new SetParent(r.Byte(), PRef(r.Byte()));
            case OpCode.SwitchTo: return new SwitchTo(PRef(r.Byte()));
            case OpCode.RegisterCallback: return new RegisterCallback(r.Byte());
            case OpCode.Stats: return new Stats(PRef(r.Byte()));
            case OpCode.Check: return new Check(PRef(r.Byte()));
            case OpCode.WritePastEnd: return new WritePastEnd(r.Byte(), r.Byte(), r.Byte());
            case OpCode.DoubleFree: return new DoubleFree(r.Byte());
            case OpCode.FreeNonChunk:
            {
                var kind = (NonChunkKind)(r.Byte() % 4);
                int chunk = r.Byte();
                return new FreeNonChunk(kind, chunk, BoundarySizes.Read(ref r));
            }
            case OpCode.UseAfterFree:
            {
                int freed = r.Byte();
                var access = (MemoryAccess)(r.Byte() & 1);
                uint offset = (uint)BoundarySizes.FoldExpensive((uint)BoundarySizes.Read(ref r)); // fold-stable, so it re-encodes exactly
                return new UseAfterFree(freed, access, offset, r.Byte());
            }
            default:
                throw new InvalidOperationException($"selector table produced unknown op code {code}");
        }
    }

    private static void WriteOp(AllocatorOp op, List<byte> o)
    {
        switch (op)
        {
            case CreateContext c:
                o.Add((byte)c.Kind); o.Add(PRefByte(c.Parent));
                BoundarySizes.Write(o, c.MinContextSize); BoundarySizes.Write(o, c.InitBlockSize);
                BoundarySizes.WriteLimit(o, c.MaxBlockSize); BoundarySizes.Write(o, c.ChunkSize);
                break;
            case Alloc a:
                o.Add(RefByte(a.Ctx)); BoundarySizes.Write(o, a.Size);
                o.Add((byte)(((byte)a.Flags & 7) | ((byte)a.Entry & 3) << 3 | (a.SlabFit ? 0x20 : 0)));
                if (a.Entry == AllocEntry.AllocAligned)
                {
                    int shift = Math.Min(MaxAlignShift - 1, a.AlignTo == 0 ? 0 : 63 - System.Numerics.BitOperations.LeadingZeroCount(a.AlignTo));
                    o.Add((byte)shift);
                    if (shift >= BigAlignShift) o.Add(BoundarySizes.BigConfirm);
                }
                break;
            case Realloc r:
                o.Add(RefByte(r.Chunk)); BoundarySizes.Write(o, r.Size);
                o.Add((byte)(((byte)r.Flags & 7) | ((byte)r.Entry % 3) << 3 | (r.SlabFit ? 0x20 : 0)));
                break;
            case Free f: o.Add(RefByte(f.Chunk)); break;
            case WritePattern w: o.Add(RefByte(w.Chunk)); o.Add(w.Seed); break;
            case VerifyPattern v: o.Add(RefByte(v.Chunk)); break;
            case Reset x: o.Add(RefByte(x.Ctx)); break;
            case ResetOnly x: o.Add(RefByte(x.Ctx)); break;
            case ResetChildren x: o.Add(RefByte(x.Ctx)); break;
            case Delete x: o.Add(RefByte(x.Ctx)); break;
            case DeleteChildren x: o.Add(RefByte(x.Ctx)); break;
            case SetParent s: o.Add(RefByte(s.Ctx)); o.Add(PRefByte(s.NewParent)); break;
            case SwitchTo s: o.Add(PRefByte(s.Ctx)); break;
            case RegisterCallback x: o.Add(RefByte(x.Ctx)); break;
            case Stats s: o.Add(PRefByte(s.Ctx)); break;
            case Check c: o.Add(PRefByte(c.Ctx)); break;
            case WritePastEnd w: o.Add(RefByte(w.Chunk)); o.Add(w.Offset); o.Add(w.Value); break;
            case DoubleFree d: o.Add(RefByte(d.Freed)); break;
            case FreeNonChunk n: o.Add((byte)n.Kind); o.Add(RefByte(n.Chunk)); BoundarySizes.Write(o, n.Arg); break;
            case UseAfterFree u: o.Add(RefByte(u.Freed)); o.Add((byte)u.Access); BoundarySizes.Write(o, u.Offset); o.Add(u.Value); break;
            default: throw new ArgumentException($"the codec has no encoding for {op.GetType().Name}");
        }
    }

    private static int PRef(byte b) => b == NullRef ? AllocatorOp.NullParent : b;

    private static byte RefByte(int r) => (byte)(r < 0 ? 0 : r % 256);

    private static byte PRefByte(int r) => r < 0 ? NullRef : (byte)(r % 255);
}
