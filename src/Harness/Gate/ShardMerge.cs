// ShardMerge: joins the JUnit reports of `harness gate --shard i/n` runs into one report, as if one
// machine had run the whole gate, after checking that they belong together.
//
// Invariants (checked before anything is written; a violation is an InputException naming the file):
//   SM1  every report carries the gate's run properties (seed, scale, suite, shard);
//   SM2  all reports have the same seed, scale, suite filter and shard count n;
//   SM3  the shard indexes are exactly 1..n, each once (a missing shard is named);
//   SM4  no case appears twice, and every case sits in the shard that owns it (GateShard.OwnerOf),
//        so the reports came from the same gate and none was renamed or copied.
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Harness.Cli;
using Harness.Core;

namespace Harness.Gate;

public static class ShardMerge
{
    public sealed record Merged(XDocument Report, int Cases, int Failures, GateRunInfo Run);

    public static Merged Merge(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new UsageException("merge wants at least one shard report");
        var shards = new List<(string Path, GateRunInfo Run, XDocument Doc)>();
        foreach (string path in paths)
        {
            XDocument doc;
            try
            {
                doc = XDocument.Load(path);
            }
            catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
            {
                throw new MalformedInputException($"{path}: not a readable JUnit report ({e.Message})");
            }
            shards.Add((path, ReadRun(path, doc), doc));
        }
        GateRunInfo first = shards[0].Run;
        foreach (var (path, run, _) in shards)
            if (run.Seed != first.Seed || run.Scale != first.Scale || run.SuiteFilter != first.SuiteFilter || run.Shard.Count != first.Shard.Count)
                throw new MalformedInputException($"SM2: {path} is seed {run.Seed} scale {run.Scale} suite '{run.SuiteFilter}' shard {run.Shard}, " +
                                         $"{shards[0].Path} is seed {first.Seed} scale {first.Scale} suite '{first.SuiteFilter}' shard {first.Shard}");
        int n = first.Shard.Count;
        for (int i = 1; i <= n; i++)
        {
            int have = shards.Count(s => s.Run.Shard.Index == i);
            if (have != 1) throw new MalformedInputException($"SM3: shard {i}/{n} appears {have} times in the {shards.Count} reports");
        }

        var results = new List<GateResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, run, doc) in shards.OrderBy(s => s.Run.Shard.Index))
            foreach (XElement tc in doc.Descendants("testcase"))
            {
                string suite = (string?)tc.Attribute("classname") ?? "";
                string name = (string?)tc.Attribute("name") ?? "";
                if (!seen.Add(suite + "/" + name)) throw new MalformedInputException($"SM4: {path}: case {suite}/{name} is in more than one shard");
                if (name != "suite" && n > 1 && GateShard.OwnerOf(suite, name, n) != run.Shard.Index)
                    throw new MalformedInputException($"SM4: {path}: case {suite}/{name} belongs to shard {GateShard.OwnerOf(suite, name, n)}/{n}, not {run.Shard}");
                XElement? failure = tc.Element("failure");
                string summary = (string?)tc.Element("system-out") ?? (string?)failure?.Attribute("message") ?? "";
                double seconds = double.TryParse((string?)tc.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t : 0;
                string? repro = failure is null ? null : ReproOf((string)failure);
                results.Add(new GateResult(suite, name, failure is null, summary, repro, seconds, ReachOf(tc, suite, name)));
            }
        var merged = new GateRunInfo(first.Seed, first.Scale, GateShard.All, first.SuiteFilter);
        return new Merged(JUnitReport.Build(results, merged), results.Count, results.Count(r => !r.Passed), merged);
    }

    /// <summary>A case's reach properties read back (descriptions are not in the XML; the counts are).</summary>
    private static List<ReachCount>? ReachOf(XElement tc, string suite, string name)
    {
        var rows = new List<ReachCount>();
        foreach (XElement p in tc.Element("properties")?.Elements("property") ?? [])
        {
            string key = (string?)p.Attribute("name") ?? "";
            string[] counts = ((string?)p.Attribute("value") ?? "").Split('/');
            int slash = key.IndexOf('/', StringComparison.Ordinal);
            if (!key.StartsWith(JUnitReport.ReachPrefix, StringComparison.Ordinal) || slash < 0 || counts.Length != 2
                || !long.TryParse(counts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long hits)
                || !long.TryParse(counts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long runs)) continue;
            string system = key[JUnitReport.ReachPrefix.Length..slash];
            rows.Add(new ReachCount(new ReachGoal(system, key[(slash + 1)..], ""), $"gate:{suite}/{name}", hits, runs));
        }
        return rows.Count == 0 ? null : rows;
    }

    private static string? ReproOf(string failureText)
    {
        int at = failureText.LastIndexOf("\nrepro: ", StringComparison.Ordinal);
        return at < 0 ? null : failureText[(at + "\nrepro: ".Length)..];
    }

    private static GateRunInfo ReadRun(string path, XDocument doc)
    {
        var props = doc.Root?.Element("properties")?.Elements("property")
            .ToDictionary(p => (string?)p.Attribute("name") ?? "", p => (string?)p.Attribute("value") ?? "", StringComparer.Ordinal);
        if (props is null || !props.TryGetValue("seed", out string? seed) || !props.TryGetValue("scale", out string? scale)
            || !props.TryGetValue("shard", out string? shard) || !props.TryGetValue("suite", out string? suite))
            throw new MalformedInputException($"SM1: {path} has no gate run properties (seed, scale, suite, shard): not written by this harness's gate");
        if (!ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s)
            || !int.TryParse(scale, NumberStyles.None, CultureInfo.InvariantCulture, out int k))
            throw new MalformedInputException($"SM1: {path}: seed '{seed}' or scale '{scale}' is not a number");
        GateShard sh;
        try
        {
            sh = GateShard.Parse(shard);
        }
        catch (UsageException e)
        {
            throw new MalformedInputException($"SM1: {path}: {e.Message}");
        }
        return new GateRunInfo(s, k, sh, suite.Length == 0 ? null : suite);
    }
}
