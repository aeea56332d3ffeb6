// FpmOpText: the text form of FpmOp (one op per line), what artifacts store and `harness replay`
// reads: "get 3", "put #2", "put #2 @5 *4".
using System.Globalization;
using Harness.Core;
using Harness.Properties;

namespace Harness.Systems.Dsa.Oracle;

public sealed class FpmOpText : IOpText<FpmOp>
{
    public static FpmOpText Instance { get; } = new();

    public string Format(FpmOp op) => op.Code switch
    {
        FpmOpCode.Get => string.Create(CultureInfo.InvariantCulture, $"get {op.N}"),
        _ when op.Offset == 0 && op.Length == 0 => string.Create(CultureInfo.InvariantCulture, $"put #{op.Index}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"put #{op.Index} @{op.Offset} *{op.Length}"),
    };

    public IReadOnlyList<FpmOp> ParseLines(string text) => OpTextLines.Parse(text, ParseLine);

    public static FpmOp ParseLine(string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static ulong U(string s, string what) =>
            ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : throw new FormatException($"'{s}' is not a {what}");
        if (w.Length == 2 && w[0] == "get") return FpmOp.Get(U(w[1], "page count"));
        if (w.Length >= 2 && w[0] == "put" && w[1].StartsWith('#'))
        {
            int index = (int)Math.Min(U(w[1][1..], "held index"), int.MaxValue);
            if (w.Length == 2) return FpmOp.Put(index);
            if (w.Length == 4 && w[2].StartsWith('@') && w[3].StartsWith('*'))
                return FpmOp.Put(index, U(w[2][1..], "offset"), U(w[3][1..], "length"));
        }
        throw new FormatException("expected 'get N', 'put #I' or 'put #I @O *L'");
    }
}
