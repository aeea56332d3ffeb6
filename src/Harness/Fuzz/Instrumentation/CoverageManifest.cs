// CoverageManifest: the id -> code location table written next to every instrumented assembly
// (<dll>.coverage.tsv), so an edge in the map can be traced back to methods and source lines, and
// so a later instrumentation of another assembly can reserve these ids.
//
// Format: comment lines start with '#'; then one tab-separated row per probe:
//   id  low16(hex)  il_offset(hex)  kind  source  method
using System.Globalization;
using System.Text;

namespace Harness.Fuzz.Instrumentation;

public static class CoverageManifest
{
    public static void Write(string path, string assembly, string version, string sha256, IReadOnlyList<ProbeSite> sites)
    {
        var sb = new StringBuilder();
        sb.Append("# harness coverage manifest\n");
        sb.Append("# assembly ").Append(assembly).Append('\n');
        sb.Append("# instrumenter ").Append(version).Append('\n');
        sb.Append("# original-sha256 ").Append(sha256).Append('\n');
        sb.Append("# probes ").Append(sites.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("# id\tlow16\til_offset\tkind\tsource\tmethod\n");
        foreach (ProbeSite s in sites)
        {
            sb.Append(s.Id.ToString(CultureInfo.InvariantCulture)).Append('\t')
              .Append((s.Id & 0xFFFF).ToString("x4", CultureInfo.InvariantCulture)).Append('\t')
              .Append(s.IlOffset.ToString("x4", CultureInfo.InvariantCulture)).Append('\t')
              .Append(s.Kind).Append('\t')
              .Append(s.Source).Append('\t')
              .Append(s.Method).Append('\n');
        }
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    /// <summary>Reads the ids of a manifest (to pass as InstrumentOptions.ReservedIds).</summary>
    public static IReadOnlyList<int> ReadIds(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l.AsSpan(0, l.IndexOf('\t')), NumberStyles.None, CultureInfo.InvariantCulture))
            .ToList();
}
