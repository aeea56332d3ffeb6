// HitCountBuckets: AFL's hit-count classes. A raw counter is replaced by one bit naming its class
// (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), so a loop running 9 instead of 10 times is not news
// but one running 16 instead of 10 times is (AFL++ src/afl-fuzz-bitmap.c, count_class_lookup8).
namespace Harness.Fuzz.Engine;

public static class HitCountBuckets
{
    /// <summary>Bucket bit for every raw counter value; 0 stays 0.</summary>
    public static ReadOnlySpan<byte> Table => s_table;

    private static readonly byte[] s_table = Build();

    /// <summary>Bucket bits of two adjacent raw counters at once (low byte, high byte), AFL++'s
    /// count_class_lookup16: lets VirginMap classify a whole 8-cell word with four lookups.</summary>
    public static ReadOnlySpan<ushort> Table16 => s_table16;

    // Built once by the type initializer (thread-safe), read-only afterwards: shared by parallel workers.
    private static readonly ushort[] s_table16 = Build16(s_table);

    private static ushort[] Build16(byte[] t8)
    {
        var t = new ushort[1 << 16];
        for (int v = 0; v < t.Length; v++) t[v] = (ushort)(t8[v & 0xFF] | t8[v >> 8] << 8);
        return t;
    }

    private static byte[] Build()
    {
        var t = new byte[256];
        for (int v = 1; v < 256; v++)
        {
            t[v] = v switch
            {
                1 => 1,
                2 => 2,
                3 => 4,
                <= 7 => 8,
                <= 15 => 16,
                <= 31 => 32,
                <= 127 => 64,
                _ => 128,
            };
        }
        return t;
    }

    /// <summary>The bucket bit of one raw counter.</summary>
    public static byte Of(byte count) => s_table[count];
}
