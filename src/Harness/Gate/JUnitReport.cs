// JUnitReport: writes gate results as JUnit XML (one testsuite per gate suite), the format CI
// systems read. Deterministic apart from the recorded durations. The run's seed, scale, suite
// filter and shard go in a <properties> block, so `harness merge` can tell which shards belong
// together. Reach goals: every case lists the goals its runs declared as properties
// ("reach:system/name" = "hits/runs"), and the run's properties name the goals no case reached
// ("unreached"); they are information, never failures (reaching a goal is not guaranteed).
using System.Globalization;
using Harness.Core;
using System.Xml.Linq;

namespace Harness.Gate;

public static class JUnitReport
{
    public static XDocument Build(IReadOnlyList<GateResult> results, GateRunInfo? run = null)
    {
        var root = new XElement("testsuites",
            new XAttribute("name", "harness gate"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => !r.Passed)));
        if (run is not null)
            root.Add(new XElement("properties",
                Property("seed", run.Seed.ToString(CultureInfo.InvariantCulture)),
                Property("scale", run.Scale.ToString(CultureInfo.InvariantCulture)),
                Property("suite", run.SuiteFilter ?? ""),
                Property("shard", run.Shard.ToString()),
                Property("unreached", string.Join(", ", Unreached(results)))));
        foreach (var group in results.GroupBy(r => r.Suite))
        {
            var suite = new XElement("testsuite",
                new XAttribute("name", group.Key),
                new XAttribute("tests", group.Count()),
                new XAttribute("failures", group.Count(r => !r.Passed)),
                new XAttribute("time", Seconds(group.Sum(r => r.Seconds))));
            foreach (GateResult r in group)
            {
                var tc = new XElement("testcase",
                    new XAttribute("classname", r.Suite),
                    new XAttribute("name", r.Name),
                    new XAttribute("time", Seconds(r.Seconds)),
                    new XElement("system-out", r.Summary));
                if (r.Reach is { Count: > 0 } reach)
                    tc.AddFirst(new XElement("properties", reach.Select(c =>
                        Property(ReachPrefix + c.Goal.Key, string.Create(CultureInfo.InvariantCulture, $"{c.Hits}/{c.Runs}")))));
                if (!r.Passed)
                    tc.Add(new XElement("failure", new XAttribute("message", r.Summary), r.Repro is null ? r.Summary : $"{r.Summary}\nrepro: {r.Repro}"));
                suite.Add(tc);
            }
            root.Add(suite);
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>The name prefix of a case's reach properties.</summary>
    public const string ReachPrefix = "reach:";

    /// <summary>Goals declared by some case and reached by none, in key order.</summary>
    public static List<string> Unreached(IEnumerable<GateResult> results) =>
        [.. results.SelectMany(r => r.Reach ?? []).GroupBy(c => c.Goal.Key, StringComparer.Ordinal)
            .Where(g => g.All(c => c.Hits == 0)).Select(g => g.Key).Order(StringComparer.Ordinal)];

    private static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", name), new XAttribute("value", value));

    private static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);
}
