// JUnitReport: writes gate results as JUnit XML (one testsuite per gate suite), the format CI
// systems read. Deterministic apart from the recorded durations.
using System.Globalization;
using System.Xml.Linq;

namespace Harness.Gate;

public static class JUnitReport
{
    public static XDocument Build(IReadOnlyList<GateResult> results)
    {
        var root = new XElement("testsuites",
            new XAttribute("name", "harness gate"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => !r.Passed)));
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
                if (!r.Passed)
                    tc.Add(new XElement("failure", new XAttribute("message", r.Summary), r.Repro is null ? r.Summary : $"{r.Summary}\nrepro: {r.Repro}"));
                suite.Add(tc);
            }
            root.Add(suite);
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);
}
