// GoldenGateSuite: `harness gate`'s "golden" suite: replays every committed golden vector of every
// system (GoldenVectorSet) against the port. Needs no PostgreSQL tree: the vectors are files. One
// result per system; a failure names the first differing vector and line, and its replay command.
using Harness.Core;

namespace Harness.Gate;

public sealed class GoldenGateSuite : IGateSuite
{
    public string Name => "golden";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        foreach ((ISystem system, GoldenVectorSet set) in options.Gated.Parts<GoldenVectorSet>())
        {
            string name = $"{system.Name}-vectors";
            if (!options.Owns(Name, name)) continue;
            var sw = WallClock.StartNew();
            string folder = Path.Combine(options.RepoRoot, set.Folder);
            if (!Directory.Exists(folder))
            {
                results.Add(new GateResult(Name, name, false, $"no vectors at {folder}", $"harness golden {system.Name} replay", sw.Elapsed.TotalSeconds));
                continue;
            }
            var files = Directory.EnumerateFiles(folder, "*.txt", SearchOption.AllDirectories).ToList();
            files.Sort(StringComparer.Ordinal);
            int failed = 0;
            string? first = null, firstFile = null;
            foreach (string f in files)
            {
                string? diff = set.ReplayFile(f);
                if (diff is null) continue;
                failed++;
                if (first is null)
                {
                    first = diff;
                    firstFile = f;
                }
            }
            bool passed = failed == 0 && files.Count > 0;
            string summary = files.Count == 0 ? $"no vectors in {folder}"
                : passed ? $"{files.Count} vectors replayed, all identical"
                : $"{failed} of {files.Count} vectors differ; first {Path.GetFileName(firstFile)}: {first}";
            if (!passed) log.WriteLine($"golden {system.Name}: {summary}");
            results.Add(new GateResult(Name, name, passed, summary, passed ? null : $"harness golden {system.Name} replay {firstFile ?? folder}", sw.Elapsed.TotalSeconds));
        }
        return results;
    }
}
