// BufferGen: FsCheck generators and the shrinker of buffer-manager op lists. Pages are drawn from
// the first few blocks of each relation (so backends meet on the same pages and a small pool must
// evict), pins by small indices, values distinct per list position. The "faults" mix adds armed
// storage faults and power losses.
using FsCheck;
using FsCheck.Fluent;
using Allocator.Storage;
using Harness.Properties;
using Harness.Systems.Buffers.Fuzz;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Properties;

public static class BufferGen
{
    private static readonly Gen<int> Backend = Gen.Choose(0, BufferWorkload.MaxBackends - 1);
    // Skewed towards one hot page (r0/0), so the same page is pinned, released and pinned again
    // often enough to climb the usage count and to meet other backends' pins and locks.
    private static readonly Gen<int> Rel = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, BufferWorkload.RelationCount - 1)));
    private static readonly Gen<uint> Block = Gen.Frequency((3, Gen.Constant(0)), (5, Gen.Choose(0, 7)), (1, Gen.Choose(8, 11))).Select(b => (uint)b);
    private static readonly Gen<int> Pin = Gen.Choose(0, 3);
    private static readonly Gen<ulong> Value = Gen.Choose(1, 1 << 30).Select(v => (ulong)v);

    private static Gen<BufferOp> PageOp(BufferOpCode code) =>
        from b in Backend from p in Pin select new BufferOp(code, b, Pin: p);

    public static Gen<BufferOp> Benign { get; } = Gen.Frequency(
        (12, from b in Backend from r in Rel from blk in Block from m in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Choose(1, 7)))
             select new BufferOp(BufferOpCode.Read, b, r, blk, Mode: m)),
        (2, from b in Backend from r in Rel from blk in Block from m in Gen.Choose(0, 1) from v in Value
            select new BufferOp(BufferOpCode.ReadZero, b, r, blk, Mode: m, Value: v)),
        (8, PageOp(BufferOpCode.Release)),
        (4, from b in Backend from p in Pin from m in Gen.Choose(1, 2) select new BufferOp(BufferOpCode.Lock, b, Pin: p, Mode: m)),
        (3, PageOp(BufferOpCode.Unlock)),
        (8, from b in Backend from p in Pin from v in Value select new BufferOp(BufferOpCode.Modify, b, Pin: p, Value: v)),
        (6, PageOp(BufferOpCode.Inspect)),
        (2, from b in Backend from p in Pin from v in Value select new BufferOp(BufferOpCode.Hint, b, Pin: p, Value: v)),
        (2, PageOp(BufferOpCode.Flush)),
        (2, PageOp(BufferOpCode.Cleanup)),
        (3, from b in Backend from r in Rel select new BufferOp(BufferOpCode.Extend, b, r)),
        (2, from b in Backend from r in Rel from blk in Block select new BufferOp(BufferOpCode.Evict, b, r, blk)),
        (1, from b in Backend from r in Rel from n in Gen.Choose(0, 8) select new BufferOp(BufferOpCode.Truncate, b, r, (uint)n)),
        (1, from b in Backend from d in Gen.Choose(0, 1) select new BufferOp(BufferOpCode.DropDatabase, b, d)),
        (1, from b in Backend from r in Rel select new BufferOp(BufferOpCode.FlushRelation, b, r)),
        (1, from b in Backend from d in Gen.Choose(0, 1) select new BufferOp(BufferOpCode.FlushDatabase, b, d)),
        (2, Gen.Choose(0, 1).Select(m => new BufferOp(BufferOpCode.Checkpoint, Mode: m))),
        (1, Gen.Constant(new BufferOp(BufferOpCode.BgWriter))),
        (3, Backend.Select(b => new BufferOp(BufferOpCode.Commit, b))),
        (1, Backend.Select(b => new BufferOp(BufferOpCode.Abort, b))));

    public static Gen<BufferOp> Faulty { get; } = Gen.Frequency(
        (4, Gen.Elements(BufferCodec.Faults).Select(k => new BufferOp(BufferOpCode.Fault, Mode: (int)k))),
        (1, Gen.Constant(new BufferOp(BufferOpCode.Crash))));

    /// <summary>The "policy" mix: only operations the replacement-policy oracle follows (reads with
    /// and without rings, releases, changes with and without WAL, flushes, evictions, extensions,
    /// commits and aborts, the bgwriter's sleep and wake-up), reads only of blocks that exist
    /// (<paramref name="sizes"/>: the relations' initial sizes) and mostly by backend 0, and one hot
    /// page that normal and ring pins both meet.</summary>
    public static Gen<BufferOp> PolicyOp(IReadOnlyList<uint> sizes)
    {
        Gen<int> strategy = Gen.Frequency((2, Gen.Constant(0)), (4, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)));
        Gen<(int, uint)> page = Gen.Frequency(
            (1, Gen.Constant((0, 0u))),
            (4, from r in Gen.Choose(0, sizes.Count - 1) from blk in Gen.Choose(0, (int)sizes[r] - 1) select (r, (uint)blk)));
        return Gen.Frequency(
            (12, from b in PolicyBackend from p in page from m in strategy select new BufferOp(BufferOpCode.Read, b, p.Item1, p.Item2, Mode: m)),
            (10, from b in PolicyBackend from pin in Pin select new BufferOp(BufferOpCode.Release, b, Pin: pin)),
            (4, from b in PolicyBackend from pin in Pin from v in Value select new BufferOp(BufferOpCode.Modify, b, Pin: pin, Value: v)),
            (1, from b in PolicyBackend from pin in Pin select new BufferOp(BufferOpCode.Flush, b, Pin: pin)),
            (1, from b in PolicyBackend from p in page select new BufferOp(BufferOpCode.Evict, b, p.Item1, p.Item2)),
            (1, from b in PolicyBackend from r in Rel select new BufferOp(BufferOpCode.Extend, b, r)),
            (2, PolicyBackend.Select(b => new BufferOp(BufferOpCode.Commit, b))),
            (1, PolicyBackend.Select(b => new BufferOp(BufferOpCode.Abort, b))),
            (2, Gen.Frequency((2, Gen.Constant(1)), (1, Gen.Constant(2))).Select(m => new BufferOp(BufferOpCode.BgWriter, Mode: m))));
    }

    private static readonly Gen<int> PolicyBackend = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, BufferWorkload.MaxBackends - 1)));

    /// <summary>A scan with a ring, as a sequential scan, COPY or VACUUM makes one: one backend reads
    /// 2 to 6 consecutive blocks of a relation through its ring, changing some (pin #0, the scan's
    /// page when the backend holds no other pin) and releasing each before the next, so the ring
    /// comes round to its own buffers, clean or dirty with WAL not yet flushed.</summary>
    public static Gen<BufferOp[]> PolicyScan(IReadOnlyList<uint> sizes) =>
        from b in PolicyBackend
        from kind in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)))
        from r in Gen.Choose(0, sizes.Count - 1)
        from start in Gen.Choose(0, (int)sizes[r] - 1)
        from len in Gen.Choose(2, 6)
        from dirty in Gen.Choose(0, 63)
        from v in Value
        select Enumerable.Range(0, len).SelectMany(i =>
        {
            var read = new BufferOp(BufferOpCode.Read, b, r, (uint)((start + i) % (int)sizes[r]), Mode: kind);
            var release = new BufferOp(BufferOpCode.Release, b);
            return (dirty & (1 << i)) != 0
                ? new[] { read, new BufferOp(BufferOpCode.Modify, b, Value: v + (ulong)i), release }
                : new[] { read, release };
        }).ToArray();

    /// <summary>Policy op lists: single ops and ring scans, cut to the drawn length.</summary>
    public static Gen<BufferOp[]> PolicyOps(int maxOps, IReadOnlyList<uint> sizes)
    {
        Gen<BufferOp[]> chunk = Gen.Frequency((5, PolicyOp(sizes).Select(o => new[] { o })), (1, PolicyScan(sizes)));
        return OpListGen.Length(maxOps).SelectMany(n => Gen.ArrayOf(chunk, n).Select(cs => cs.SelectMany(c => c).Take(n).ToArray()));
    }

    public static Arbitrary<BufferOp[]> PolicyArbitrary(int maxOps, IReadOnlyList<uint> sizes) =>
        Arb.From(PolicyOps(maxOps, sizes), Shrink);

    public static Gen<BufferOp[]> Ops(int maxOps, bool faults)
    {
        Gen<BufferOp> one = faults ? Gen.Frequency((8, Benign), (1, Faulty)) : Benign;
        return OpListGen.Of(one, maxOps);
    }

    public static Arbitrary<BufferOp[]> Arbitrary(int maxOps, bool faults) => Arb.From(Ops(maxOps, faults), Shrink);

    /// <summary>Shorter lists first (halves, quarters, ... single ops removed), then simpler ops:
    /// backend 0, pin 0, relation 0, block 0, no mode.</summary>
    public static IEnumerable<BufferOp[]> Shrink(BufferOp[] ops)
    {
        int n = ops.Length;
        for (int chunk = n / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= n; start += chunk)
            {
                var shorter = new BufferOp[n - chunk];
                Array.Copy(ops, 0, shorter, 0, start);
                Array.Copy(ops, start + chunk, shorter, start, n - start - chunk);
                yield return shorter;
            }
        }
        for (int i = 0; i < n; i++)
        {
            BufferOp o = ops[i];
            foreach (BufferOp s in new[] { o with { Backend = 0 }, o with { Pin = 0 }, o with { Rel = 0 }, o with { Block = 0 } })
            {
                if (s == o) continue;
                var copy = (BufferOp[])ops.Clone();
                copy[i] = s;
                yield return copy;
            }
        }
    }
}
