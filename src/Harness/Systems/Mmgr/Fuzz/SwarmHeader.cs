// SwarmHeader: the first four bytes of an allocator input (missing bytes read as zero).
//   byte 0      mode flags: bit 0 = hostile mode (the misbehaving-caller ops may be chosen);
//               the other bits are reserved and ignored;
//   bytes 1..3  a 24-bit "off" mask over OpCode values: bit k set switches operation kind k off for
//               this input (swarm testing, Groce et al. 2012: an input that cannot free keeps
//               growing, one that cannot reset keeps deep trees...). CreateContext and Alloc can
//               never be switched off, and the zero header (also the empty input's) enables all.
// The header turns into a 256-entry selector table: each op's selector byte indexes it. Enabled
// kinds fill the table in proportion to fixed base weights (allocation-heavy, like real callers),
// so the same selector byte means different kinds under different headers, as swarm testing wants.
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Fuzz;

public readonly record struct SwarmHeader(bool Hostile, uint OffMask)
{
    public const int Length = 4;
    public const int KindCount = 20;

    private const uint NeverOff = (1u << (int)OpCode.CreateContext) | (1u << (int)OpCode.Alloc);

    // Base weights by OpCode value (sum of the enabled ones spreads over the 256 selector values).
    private static readonly int[] s_weights =
    [
        3, // CreateContext
        12, // Alloc
        4, // Realloc
        8, // Free
        4, // WritePattern
        3, // VerifyPattern
        2, // Reset
        1, // ResetOnly
        1, // ResetChildren
        2, // Delete
        1, // DeleteChildren
        1, // SetParent
        2, // SwitchTo
        1, // RegisterCallback
        1, // Stats
        2, // Check
        2, // WritePastEnd
        2, // DoubleFree
        2, // FreeNonChunk
        2, // UseAfterFree
    ];

    public static SwarmHeader Read(ref FuzzedBytes input)
    {
        byte flags = input.Byte();
        uint mask = input.Byte() | (uint)input.Byte() << 8 | (uint)input.Byte() << 16;
        return new SwarmHeader((flags & 1) != 0, mask & ((1u << KindCount) - 1) & ~NeverOff);
    }

    public void Write(List<byte> output)
    {
        output.Add(Hostile ? (byte)1 : (byte)0);
        output.Add((byte)OffMask);
        output.Add((byte)(OffMask >> 8));
        output.Add((byte)(OffMask >> 16));
    }

    /// <summary>True if ops of this kind can be chosen under this header.</summary>
    public bool Enabled(OpCode code) =>
        (OffMask & (1u << (int)code)) == 0 && (Hostile || !IsHostileCode(code));

    public static bool IsHostileCode(OpCode code) => code >= OpCode.WritePastEnd;

    /// <summary>The header with <paramref name="code"/> switched on (hostile mode too, for a hostile kind).</summary>
    public SwarmHeader Enable(OpCode code) =>
        new(Hostile || IsHostileCode(code), OffMask & ~(1u << (int)code));

    /// <summary>selector byte -> OpCode under this header.</summary>
    public OpCode[] SelectorTable()
    {
        var kinds = new List<OpCode>();
        var weights = new List<int>();
        for (int k = 0; k < KindCount; k++)
        {
            if (!Enabled((OpCode)k)) continue;
            kinds.Add((OpCode)k);
            weights.Add(s_weights[k]);
        }
        int total = weights.Sum();
        var table = new OpCode[256];
        // Kind i owns selector values [floor(256*before/total), floor(256*(before+w)/total)): every
        // enabled kind gets at least one value because 256 >= total for any subset of the weights.
        int before = 0;
        for (int i = 0; i < kinds.Count; i++)
        {
            int from = 256 * before / total, to = 256 * (before + weights[i]) / total;
            for (int s = from; s < to; s++) table[s] = kinds[i];
            before += weights[i];
        }
        return table;
    }

    public override string ToString()
    {
        uint mask = OffMask;
        var off = Enumerable.Range(0, KindCount).Where(k => (mask & (1u << k)) != 0).Select(k => ((OpCode)k).ToString());
        return $"hostile={(Hostile ? "on" : "off")} off=[{string.Join(",", off)}]";
    }
}
