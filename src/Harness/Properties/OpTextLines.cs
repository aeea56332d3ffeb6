// OpTextLines: the line format every system's op text shares (IOpText.ParseLines): one op per line,
// blank lines and lines starting with '#' ignored, a line that does not parse reported with its
// number and text, so a hand-edited artifact fails with a message that says where.
using Harness.Core;

namespace Harness.Properties;

public static class OpTextLines
{
    public static IReadOnlyList<TOp> Parse<TOp>(string text, Func<string, TOp> parseLine)
    {
        var ops = new List<TOp>();
        string[] lines = text.Split('\n', StringSplitOptions.TrimEntries);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || line[0] == '#') continue;
            try
            {
                ops.Add(parseLine(line));
            }
            catch (FormatException e)
            {
                throw new MalformedInputException($"op line {i + 1}: {e.Message}: '{line}'");
            }
        }
        return ops;
    }
}
