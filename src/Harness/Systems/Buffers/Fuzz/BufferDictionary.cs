// BufferDictionary: boundary values for the byte-level dictionary mutations, in wire form: headers
// asking for the smallest pools (16 and 17 buffers: "no unpinned buffers available" after 16 pins)
// with every relation at its largest initial size (15 blocks), and op records that read or evict blocks just past a
// relation's end, and that pin the same page more often than BM_MAX_USAGE_COUNT (5) and than the
// private refcount array holds (REFCOUNT_ARRAY_ENTRIES, 8).
using Allocator.Buffers;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Fuzz;

public static class BufferDictionary
{
    public static IReadOnlyList<byte[]> Tokens { get; } = Build();

    private static List<byte[]> Build()
    {
        var t = new List<byte[]>();
        foreach (int pool in new[] { 16, 17 })
            for (int backends = 1; backends <= 4; backends++)
                t.Add([(byte)(backends - 1 | Array.IndexOf(BufferCodec.PoolSizes, pool) << 2), 0xFF, 0xFF, 0]);
        byte read = (byte)Array.IndexOf(BufferCodec.OpTable, BufferOpCode.Read);
        byte evict = (byte)Array.IndexOf(BufferCodec.OpTable, BufferOpCode.Evict);
        byte extend = (byte)Array.IndexOf(BufferCodec.OpTable, BufferOpCode.Extend);
        for (byte blk = 14; blk <= 16; blk++)
        {
            t.Add([read, 0, blk, 0]);
            t.Add([evict, 0, blk, 0]);
        }
        // the same page pinned once more than the usage-count cap, and than the private array holds
        foreach (uint n in new uint[] { BufferConstants.BM_MAX_USAGE_COUNT + 1, BufferConstants.REFCOUNT_ARRAY_ENTRIES + 1 })
        {
            var run = new byte[n * BufferCodec.RecordSize];
            for (int i = 0; i < n; i++) run[i * BufferCodec.RecordSize] = read;
            t.Add(run);
        }
        t.Add([extend, 0, 0, 0, extend, 0, 0, 0]);
        return t;
    }
}
