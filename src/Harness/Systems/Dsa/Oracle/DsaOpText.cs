// DsaOpText: the text form of DsaOp (one op per line), what artifacts store and `harness dsa` and
// `harness repro` read: "b0 alloc 100 zero", "b1 free #3", "b0 write #3 =17", "b2 read #0",
// "b0 limit below", "b1 detach".
using System.Globalization;
using Allocator.Dsa;
using Harness.Core;
using Harness.Properties;

namespace Harness.Systems.Dsa.Oracle;

public sealed class DsaOpText : IOpText<DsaOp>
{
    public static DsaOpText Instance { get; } = new();

    private static readonly (int Flag, string Word)[] FlagWords =
        [(DsaSizeClasses.DSA_ALLOC_HUGE, "huge"), (DsaSizeClasses.DSA_ALLOC_NO_OOM, "no_oom"), (DsaSizeClasses.DSA_ALLOC_ZERO, "zero")];

    public string Format(DsaOp op)
    {
        string b = string.Create(CultureInfo.InvariantCulture, $"b{op.Backend} ");
        return b + op.Code switch
        {
            DsaOpCode.Alloc => string.Create(CultureInfo.InvariantCulture, $"alloc {op.Size}")
                + string.Concat(FlagWords.Where(f => (op.Flags & f.Flag) != 0).Select(f => " " + f.Word)),
            DsaOpCode.Free => string.Create(CultureInfo.InvariantCulture, $"free #{op.Index}"),
            DsaOpCode.Write => string.Create(CultureInfo.InvariantCulture, $"write #{op.Index} ={op.Seed}"),
            DsaOpCode.Read => string.Create(CultureInfo.InvariantCulture, $"read #{op.Index}"),
            DsaOpCode.Limit => "limit " + ((DsaLimitKind)op.Index).ToString().ToLowerInvariant(),
            _ => op.Code.ToString().ToLowerInvariant(),
        };
    }

    public IReadOnlyList<DsaOp> ParseLines(string text) => OpTextLines.Parse(text, ParseLine);

    public static DsaOp ParseLine(string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static ulong U(string s, string what) =>
            ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : throw new FormatException($"'{s}' is not a {what}");
        static int Index(string s) => s.StartsWith('#') ? (int)Math.Min(U(s[1..], "live index"), int.MaxValue) : throw new FormatException($"expected #INDEX, not '{s}'");
        if (w.Length < 2 || w[0].Length < 2 || w[0][0] != 'b') throw new FormatException("expected 'bN OP ...'");
        int b = (int)Math.Min(U(w[0][1..], "backend number"), 255);
        switch (w[1])
        {
            case "alloc" when w.Length >= 3:
                int flags = 0;
                foreach (string f in w.Skip(3))
                {
                    int i = Array.FindIndex(FlagWords, x => x.Word == f);
                    if (i < 0) throw new FormatException($"unknown flag '{f}' (huge, no_oom, zero)");
                    flags |= FlagWords[i].Flag;
                }
                return DsaOp.Alloc(U(w[2], "size"), flags, b);
            case "free" when w.Length == 3:
                return DsaOp.Free(Index(w[2]), b);
            case "read" when w.Length == 3:
                return DsaOp.Read(Index(w[2]), b);
            case "write" when w.Length == 4 && w[3].StartsWith('='):
                return DsaOp.Write(Index(w[2]), (byte)Math.Min(U(w[3][1..], "pattern"), 255), b);
            case "limit" when w.Length == 3 && Enum.TryParse(w[2], ignoreCase: true, out DsaLimitKind k) && Enum.IsDefined(k) && w[2] == w[2].ToLowerInvariant():
                return DsaOp.Limit(k, b);
            case "trim" or "attach" or "detach" or "pin" or "unpin" when w.Length == 2:
                return DsaOp.Simple(Enum.Parse<DsaOpCode>(w[1], ignoreCase: true), b);
            default:
                throw new FormatException("expected bN alloc SIZE [huge] [no_oom] [zero] | free #I | write #I =S | read #I | trim | limit below|equal|above|initial|more | attach | detach | pin | unpin");
        }
    }
}
