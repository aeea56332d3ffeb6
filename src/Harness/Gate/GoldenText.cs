// GoldenText: the comparison every system's golden replay ends in: PostgreSQL's printed text
// against the port's, line by line. An op line is one that is not indented; the lines indented
// under it are what that op left observable. The first differing line is the finding, named with
// its line number and the op it belongs to, so a replay failure says where to look.
using System.Globalization;

namespace Harness.Gate;

public static class GoldenText
{
    /// <summary>The first line where the two texts differ, with the op it belongs to; null if equal.</summary>
    public static string? FirstDifference(string expected, string actual)
    {
        string[] e = expected.TrimEnd('\n').Split('\n'), a = actual.TrimEnd('\n').Split('\n');
        string op = "(start)";
        int opIndex = -1;
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? x = i < e.Length ? e[i] : null, y = i < a.Length ? a[i] : null;
            if (x is not null && x.Length > 0 && x[0] != ' ')
            {
                op = x;
                opIndex++;
            }
            if (x != y)
                return string.Create(CultureInfo.InvariantCulture,
                    $"line {i + 1}, op {opIndex} '{op}': PostgreSQL '{x ?? "(end of text)"}', port '{y ?? "(end of text)"}'");
        }
        return null;
    }
}
