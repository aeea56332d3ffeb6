// OpMutator: operation-level mutations of allocator inputs (the structure-aware half of the
// engine's mutations): insert a fresh operation, delete a run of operations, duplicate a run,
// swap two operations, splice with another input's operations, tweak one argument of one
// operation to a boundary value, or flip the swarm header (hostile mode, one kind on/off).
// Working on decoded lists keeps every mutant meaningful, where a byte flip in a size literal
// would shift every operation after it.
using Allocator.Common;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Fuzz;

public sealed class OpMutator
{
    private readonly AllocatorCodec _codec;
    private readonly int _opsMax;
    // The input's and the other input's operations, decoded into lists kept across calls (a
    // mutant is encoded to fresh bytes before Mutate returns, so nothing outlives the call).
    private readonly List<AllocatorOp> _ops = new();
    private readonly List<AllocatorOp> _theirs = new();

    public OpMutator(AllocatorCodec codec, int opsMax)
    {
        _codec = codec;
        _opsMax = opsMax;
    }

    public byte[] Mutate(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength)
    {
        List<AllocatorOp> ops = _ops;
        SwarmHeader header = _codec.DecodeInto(input, _opsMax, ops);
        int n = ops.Count;
        switch (rng.Index(10))
        {
            case 0:
            case 1: // insert a fresh operation (decoded from random bytes under this header)
                if (n < _opsMax) ops.Insert(rng.Index(n + 1), RandomOp(header, rng));
                else ops[rng.Index(n)] = RandomOp(header, rng);
                break;
            case 2: // delete a run of 1..4
                if (n > 0)
                {
                    int len = 1 + rng.Index(Math.Min(n, 4));
                    ops.RemoveRange(rng.Index(n - len + 1), len);
                }
                break;
            case 3: // duplicate a run of 1..4 somewhere
                if (n > 0)
                {
                    int len = 1 + rng.Index(Math.Min(n, 4));
                    var run = ops.GetRange(rng.Index(n - len + 1), len);
                    ops.InsertRange(rng.Index(n + 1), run);
                }
                break;
            case 4: // swap two
                if (n > 1)
                {
                    int i = rng.Index(n), j = rng.Index(n);
                    (ops[i], ops[j]) = (ops[j], ops[i]);
                }
                break;
            case 5: // splice: insert a run of the other input's operations
            {
                List<AllocatorOp> theirs = _theirs;
                _codec.DecodeInto(other, _opsMax, theirs);
                if (theirs.Count > 0)
                {
                    int len = 1 + rng.Index(Math.Min(theirs.Count, 8));
                    int at = rng.Index(n + 1);   // drawn before the start in theirs: the seeds' mutation sequence depends on the order
                    ops.InsertRange(at, theirs.GetRange(rng.Index(theirs.Count - len + 1), len));
                }
                break;
            }
            case 6: // swarm header: hostile mode on/off, or one kind on/off
                header = rng.Index(3) == 0
                    ? header with { Hostile = !header.Hostile }
                    : header with { OffMask = header.OffMask ^ (1u << (2 + rng.Index(SwarmHeader.KindCount - 2))) };
                ops.RemoveAll(op => !header.Enabled(op.Code));
                break;
            default: // tweak one argument of one operation
                if (n > 0)
                {
                    int i = rng.Index(n);
                    ops[i] = OpTweaks.Tweak(ops[i], rng);
                }
                break;
        }
        if (ops.Count > _opsMax) ops.RemoveRange(_opsMax, ops.Count - _opsMax);
        return _codec.Encode(header, ops, maxLength);
    }

    private AllocatorOp RandomOp(SwarmHeader header, Prng rng)
    {
        Span<byte> raw = stackalloc byte[SwarmHeader.Length + 24];
        for (int i = 0; i < raw.Length; i++) raw[i] = (byte)rng.NextU32();
        var hdr = new List<byte>();
        header.Write(hdr);
        for (int i = 0; i < SwarmHeader.Length; i++) raw[i] = hdr[i];
        // Sizes drawn from random bytes are mostly table values already (selector < 0xC0).
        IReadOnlyList<AllocatorOp> one = _codec.Decode(raw, 1).Ops;
        return one.Count > 0 ? one[0] : new Alloc(0, 8, AllocFlags.None, AllocEntry.Palloc, false, 0);
    }
}
