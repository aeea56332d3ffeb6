// BoundarySizes: the size wire format of the allocator codec, biased to the boundary values of
// pg-mmgr-dsa.md section 12. One selector byte s:
//   s <  0xC0  the s-th boundary value (table below) or, past the table's end, one of its values
//              below 64 KiB (SmallTable);
//   s <  0xE0  a literal 16-bit size in the next 2 bytes (little-endian);
//   s <  0xF0  a literal 32-bit size in the next 4 bytes, folded below 1 MiB when it falls strictly
//              between 1 MiB and MaxAllocSize - 1 (see FoldExpensive);
//   otherwise  a literal 64-bit size in the next 8 bytes (folded the same way).
// A big size (1 MiB up to MaxAllocSize - 2) then needs the byte BigConfirm to stand, else it is
// demoted 64-fold (see Read); maxBlockSize fields use ReadLimit, which has no confirmation byte.
// Missing bytes read as zero, so any byte string decodes. Hand-written sizes in the folded band are
// normalized by the encoder as the decoder would read them. The canonical encoding (what the encoder
// writes) is the table index when the value is in the table, else the shortest literal.
//
// Namespace note: this folder's namespace is Harness.Systems.Mmgr.Fuzz, not
// Harness.Fuzz.Allocator, because a namespace named Allocator under Harness.Fuzz would shadow
// the port's root namespace Allocator in every file under Harness.Fuzz.
using Allocator.Common;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using static Allocator.Mmgr.McxtConstants;

namespace Harness.Systems.Mmgr.Fuzz;

public static class BoundarySizes
{
    public const byte Literal16 = 0xC0;
    public const byte Literal32 = 0xE0;
    public const byte Literal64 = 0xF0;

    /// <summary>The boundary values, in selector order (fixed forever: stored inputs depend on it).</summary>
    public static IReadOnlyList<ulong> Table { get; } = Build();

    /// <summary>The table's values below 64 KiB, which the spare selectors (Table.Count to 0xBF)
    /// choose among: every selector byte decodes, and most sizes stay cheap to simulate, while each
    /// large boundary value keeps its own selector.</summary>
    public static IReadOnlyList<ulong> SmallTable { get; } = Table.Where(v => v < 65536).ToList();

    /// <summary>Sizes whose requests certainly fail: the table's values from MaxAllocSize - 1 up, and
    /// the signed 64-bit edges (long.MaxValue - 1 .. long.MaxValue + 1), which the wire format
    /// reaches only as 64-bit literals (the table's order is fixed, so they are not in it).</summary>
    public static IReadOnlyList<ulong> HugeValues { get; } =
        Table.Where(v => v >= MaxAllocSize - 1).Concat(new ulong[] { long.MaxValue - 1UL, long.MaxValue, (ulong)long.MaxValue + 1 }).ToList();

    private static readonly Dictionary<ulong, byte> s_index = Table.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => (byte)p.i);

    private static List<ulong> Build()
    {
        var values = new List<ulong> { 0, 1, 7, 8, 9, 15, 16, 17, 24, 32, 48, 64, 100, 128, 200, 256, 500, 1000 };
        for (int k = 3; k <= 13; k++) values.AddRange([(1UL << k) - 1, 1UL << k, (1UL << k) + 1]);
        values.AddRange([8192, 8193, 1023, 1024, 1025, 8191]);            // AllocSet allocChunkLimit (1 KiB blocks, 8 KiB) +- 1
        values.AddRange([524287, 524288, 524289]);                        // Generation/Bump allocChunkLimit at 8 MiB max
        values.AddRange([16384, 65536, 1UL << 20, ALLOCSET_DEFAULT_MAXSIZE - 1, ALLOCSET_DEFAULT_MAXSIZE, ALLOCSET_DEFAULT_MAXSIZE + 1]);
        values.AddRange([MaxAllocSize - 1, MaxAllocSize, MaxAllocSize + 1]);
        values.AddRange([MaxAllocHugeSize - 1, MaxAllocHugeSize, MaxAllocHugeSize + 1]);
        for (ulong k = 0; k <= 8; k++) values.Add(ulong.MaxValue - k);   // SIZE_MAX - k (Q2)
        values.AddRange([2, 3, 4, 5, 6]);                                  // Slab create-time chunkSize 0..8 (Q3)
        var seen = new HashSet<ulong>();
        var table = new List<ulong>();
        foreach (ulong v in values)
            if (seen.Add(v)) table.Add(v);
        if (table.Count > Literal16) throw new InvalidOperationException("boundary table exceeds its selector range");
        return table;
    }

    /// <summary>The byte that must follow a table selector of a big size (see IsBig) for the size to
    /// stand; any other byte (including the zeros past the end of an input) demotes it.</summary>
    public const byte BigConfirm = 0xB1;

    /// <summary>Sizes that make the simulation map and zero at least 1 MiB (1 MiB up to
    /// MaxAllocSize - 2; the values at and above MaxAllocSize - 1 take error or OOM paths).</summary>
    public static bool IsBig(ulong v) => v >= FoldLimit && v < MaxAllocSize - 1;

    /// <summary>What an unconfirmed big size becomes: 64 times smaller, still above every
    /// allocChunkLimit-sized boundary of AllocSet, so it still takes the dedicated-block path.</summary>
    public static ulong Demote(ulong v) => v >> 6;

    /// <summary>A size whose big values must be confirmed: allocation and realloc sizes, initial and
    /// minimum block sizes, hostile offsets. Each big value keeps its own selector, but needs a second,
    /// specific byte to stand, so random bytes ask for megabytes about 1 time in 256: megabyte
    /// requests dominated the fuzzer's time (mapping, zeroing and comparing them) while adding
    /// little coverage per execution.</summary>
    public static ulong Read(ref FuzzedBytes input)
    {
        ulong v = ReadLimit(ref input);
        if (IsBig(v) && input.Byte() != BigConfirm) v = Demote(v);
        return v;
    }

    /// <summary>A size that costs nothing by being big (a maxBlockSize): no confirmation byte.</summary>
    public static ulong ReadLimit(ref FuzzedBytes input)
    {
        byte s = input.Byte();
        if (s < Table.Count) return Table[s];
        if (s < Literal16) return SmallTable[(s - Table.Count) % SmallTable.Count];
        if (s < Literal32) return input.U16();
        if (s < Literal64) return FoldExpensive(input.U32());
        return FoldExpensive(input.U64());
    }

    /// <summary>Largest literal that really allocates; see FoldExpensive.</summary>
    public const ulong FoldLimit = 1UL << 20;

    /// <summary>
    /// Requests between 1 MiB and MaxAllocSize - 1 really allocate that much simulated memory,
    /// which the simulation must zero when it maps it and the oracle compares after every operation:
    /// a few such literals per input made them dominate the fuzzer's time (and a 64-operation input
    /// could exhaust the simulated heap). Random literals in that band are folded below 1 MiB; the
    /// interesting values in it (1 MiB, 8 MiB +- 1, MaxAllocSize +- 1) stay reachable through the
    /// table. Values outside the band (error paths) are kept as they are.
    /// </summary>
    public static ulong FoldExpensive(ulong v) => v > FoldLimit && v < MaxAllocSize - 1 ? v & (FoldLimit - 1) : v;

    /// <summary>Encodes a size that Read decodes (big values carry their confirmation byte).</summary>
    public static void Write(List<byte> output, ulong value)
    {
        if (!s_index.ContainsKey(value)) value = FoldExpensive(value);
        WriteLimit(output, value);
        if (IsBig(value)) output.Add(BigConfirm);
    }

    /// <summary>Encodes a size that ReadLimit decodes.</summary>
    public static void WriteLimit(List<byte> output, ulong value)
    {
        if (!s_index.ContainsKey(value)) value = FoldExpensive(value);
        if (s_index.TryGetValue(value, out byte index))
        {
            output.Add(index);
            return;
        }
        if (value <= ushort.MaxValue)
        {
            output.Add(Literal16);
            FuzzedBytes.PutLittleEndian(output, value, 2);
        }
        else if (value <= uint.MaxValue)
        {
            output.Add(Literal32);
            FuzzedBytes.PutLittleEndian(output, value, 4);
        }
        else
        {
            output.Add(Literal64);
            FuzzedBytes.PutLittleEndian(output, value, 8);
        }
    }

    /// <summary>A size near the boundaries: a table value, or a table value nudged by 1..8.</summary>
    public static ulong Pick(Prng rng)
    {
        ulong v = Table[rng.Index(Table.Count)];
        return rng.Index(4) switch
        {
            0 => v + (ulong)(1 + rng.Index(8)),
            1 => v - (ulong)(1 + rng.Index(8)),
            _ => v,
        };
    }

    /// <summary>Dictionary tokens: every boundary value as a canonical size and as 16/32/64-bit literals.</summary>
    public static IReadOnlyList<byte[]> Tokens()
    {
        var tokens = new List<byte[]>();
        foreach (ulong v in Table)
        {
            var t = new List<byte>();
            Write(t, v);
            tokens.Add(t.ToArray());
            var lit = new List<byte>();
            if (v <= ushort.MaxValue) { lit.Add(Literal16); FuzzedBytes.PutLittleEndian(lit, v, 2); }
            else if (v <= uint.MaxValue) { lit.Add(Literal32); FuzzedBytes.PutLittleEndian(lit, v, 4); }
            else { lit.Add(Literal64); FuzzedBytes.PutLittleEndian(lit, v, 8); }
            tokens.Add(lit.ToArray());
        }
        return tokens;
    }
}
