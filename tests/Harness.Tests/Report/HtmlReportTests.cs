// `harness report`: the page built from real campaigns of the counter system (a fuzz run, an
// exploration and a property check, each with the counter's planted bug, and a gate run) lists
// every finding once by signature with its repro command, draws the plots, shows the failing
// schedule as swimlanes and the shrunk property sequence; and a real headless browser (Debian's
// Chromium) loads the page and finds the plots, the findings table and the swimlanes in the DOM
// it built, and the reach tables ("Never reached" and the reached goals with their hits). Reach
// goals end to end: the counter declares one goal a short run reaches (counter/full) and one no run
// can (counter/above-1000); every engine counts them (fuzz per execution, explore per schedule,
// check per case, the gate per case) into its event log, and the page lists the impossible goal as
// never reached and the other with its hits; a real system's short fuzz run reaches real goals.
// Under CI (CI=true) a missing Chromium fails the browser test; elsewhere it is skipped.
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Report;

public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium) && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "chromium is not installed (apt-get install -y chromium); with CI=true this test fails instead of skipping";
    }
}

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class HtmlReportTests : IDisposable
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());
    private readonly string _dir = TempDir.Create();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(Systems, args);

    /// <summary>Four campaigns with findings in three engines, and the report over them.</summary>
    private string Campaigns()
    {
        Assert.Equal(1, Harness("fuzz", "counter", "--seed", "3", "--execs", "3000", "--no-instrument", "--corpus", "none",
            "--canary", BoundedCounter.IncPastCap, "--out", Path.Combine(_dir, "fuzz")).Code);
        Assert.Equal(1, Harness("explore", "counter/canary-unlocked-increment", "--iterations", "200", "--artifacts", Path.Combine(_dir, "explore")).Code);
        Assert.Equal(1, Harness("check", "counter", "--cases", "300", "--canary", BoundedCounter.IncPastCap, "--checking", "on",
            "--artifacts", Path.Combine(_dir, "check")).Code);
        Assert.Equal(0, Harness("gate", "--suite", "properties", "--repo", _dir, "--junit", Path.Combine(_dir, "gate", "junit.xml"),
            "--artifacts", Path.Combine(_dir, "gate", "a")).Code);
        string page = Path.Combine(_dir, "report.html");
        (int code, string output) = Harness("report", _dir, "--out", page);
        Assert.True(code == 0, output);
        Assert.Contains("4 runs", output);
        return page;
    }

    [Fact]
    public void The_page_lists_each_finding_once_with_plots_swimlanes_and_the_shrunk_sequence()
    {
        string html = File.ReadAllText(Campaigns());
        // one row per distinct signature over the three engines' finding events; the runs column adds up to all of them
        var findings = Directory.EnumerateFiles(_dir, "events.jsonl", SearchOption.AllDirectories)
            .SelectMany(f => global::Harness.Report.EventLog.Read(f, out _))
            .Where(e => e.GetProperty("event").GetString() == "finding").ToList();
        Assert.Equal(3, findings.Select(e => e.GetProperty("engine").GetString()).Distinct().Count());
        Assert.Equal(findings.Select(e => e.GetProperty("signature").GetString()).Distinct().Count(), Regex.Matches(html, "<tr class=\"finding\">").Count);
        Assert.Equal(findings.Count, Regex.Matches(html, "<td class=\"count\">(\\d+)</td>").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (Match m in Regex.Matches(html, "<code>harness repro ([^<]+)</code></td></tr>"))
            Assert.True(File.Exists(m.Groups[1].Value), m.Value);
        Assert.True(Regex.Matches(html, "<svg class=\"plot\"").Count >= 6);   // fuzz 3, explore 2, check 1
        Assert.Contains("<table class=\"swimlane\">", html);
        Assert.Contains("<th class=\"b1\">backend 1</th>", html);
        Assert.Contains("<ol class=\"ops\"", html);
        Assert.Contains("<table class=\"gate\">", html);
        Assert.DoesNotContain("src=\"http", html);   // no external assets
        Assert.DoesNotContain("href=\"http", html);
    }

    [ChromiumFact]
    public void A_headless_browser_finds_the_plots_and_the_findings_table()
    {
        Assert.True(File.Exists(ChromiumFactAttribute.Chromium), "chromium is not installed: .ci/run must install it (apt-get install -y chromium)");
        string page = Campaigns();
        int rows = Regex.Matches(File.ReadAllText(page), "<tr class=\"finding\">").Count;
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + Path.Combine(_dir, "chromium"), "--dump-dom", new Uri(page).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string dom = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "chromium did not finish in 120 s");
        // the page's script counts what the browser's DOM holds; the file's text alone would still say "(the browser fills this line in)"
        Match self = Regex.Match(dom, "id=\"selfcheck\">plots=(\\d+) findings=(\\d+) swimlanes=(\\d+) unreached=(\\d+) reached=(\\d+)<");
        Assert.True(self.Success, $"no self-check line in the DOM chromium built (exit {p.ExitCode}): {err.Result}");
        Assert.True(int.Parse(self.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 6, self.Value);
        Assert.Equal(rows, int.Parse(self.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, int.Parse(self.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
        // the reach tables: counter/above-1000 can never be reached, counter/full is reached by every campaign
        string html = File.ReadAllText(page);
        int never = Regex.Matches(Regex.Match(html, "<table id=\"unreached\">.*?</table>", RegexOptions.Singleline).Value, "<tr class=\"goal\">").Count;
        Assert.True(never >= 1, html);
        Assert.Equal(never, int.Parse(self.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(int.Parse(self.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1, self.Value);
    }

    /// <summary>The "reach" rows of the last event of <paramref name="name"/> in a log, by goal.</summary>
    private static Dictionary<string, (long Hits, long Runs, string Owner)> LastReach(string log, string name)
    {
        JsonElement e = global::Harness.Report.EventLog.Read(log, out _).Last(x => x.GetProperty("event").GetString() == name);
        return e.GetProperty("reach").EnumerateArray().ToDictionary(r => r.GetProperty("goal").GetString()!,
            r => (r.GetProperty("hits").GetInt64(), r.GetProperty("runs").GetInt64(), r.GetProperty("owner").GetString()!));
    }

    [Fact]
    public void Every_engine_counts_the_goals_and_the_report_lists_the_one_never_reached()
    {
        (int fuzz, string fuzzOut) = Harness("fuzz", "counter", "--seed", "3", "--execs", "2000", "--no-instrument", "--corpus", "none", "--out", Path.Combine(_dir, "fuzz"));
        Assert.True(fuzz == 0, fuzzOut);
        Assert.Contains("fuzz: reach: 1 of 2 goals (never: counter/above-1000)", fuzzOut);
        var f = LastReach(Path.Combine(_dir, "fuzz", "events.jsonl"), "end");
        Assert.True(f["counter/full"].Hits > 0, $"fuzz: {f["counter/full"]}");
        Assert.Equal(0, f["counter/above-1000"].Hits);
        Assert.Equal("fuzz:counter", f["counter/full"].Owner);
        Assert.True(f["counter/full"].Runs >= 2000, "one run per execution (seeds included)");

        (int explore, string exploreOut) = Harness("explore", "counter/bounded-increment", "--strategy", "random", "--iterations", "50", "--artifacts", Path.Combine(_dir, "explore"));
        Assert.True(explore == 0, exploreOut);
        var x = LastReach(Path.Combine(_dir, "explore", "events.jsonl"), "end");
        Assert.Equal((50L, 50L), (x["counter/full"].Hits, x["counter/full"].Runs));   // 2 backends x 3 increments fill the counter every schedule
        Assert.Equal(0, x["counter/above-1000"].Hits);

        (int check, string checkOut) = Harness("check", "counter", "--cases", "200", "--checking", "on", "--artifacts", Path.Combine(_dir, "check"));
        Assert.True(check == 0, checkOut);
        var c = LastReach(Path.Combine(_dir, "check", "events.jsonl"), "end");
        Assert.True(c["counter/full"].Hits > 0 && c["counter/full"].Runs >= 200, $"check: {c["counter/full"]}");
        Assert.Equal(0, c["counter/above-1000"].Hits);

        string junit = Path.Combine(_dir, "gate", "junit.xml");
        (int gate, string gateOut) = HarnessRun.Run(new SystemRegistry([new CounterSystem()]), "gate", "--suite", "properties", "--repo", _dir, "--junit", junit, "--artifacts", Path.Combine(_dir, "gate", "a"));
        Assert.True(gate == 0, gateOut);
        string xml = File.ReadAllText(junit);
        Assert.Contains("<property name=\"unreached\" value=\"counter/above-1000\" />", xml);
        Assert.Matches("<property name=\"reach:counter/full\" value=\"[1-9][0-9]*/[0-9]+\" />", xml);

        string page = Path.Combine(_dir, "report.html");
        (int report, string reportOut) = Harness("report", _dir, "--out", page);
        Assert.True(report == 0, reportOut);
        string html = File.ReadAllText(page);
        string never = Regex.Match(html, "<table id=\"unreached\">.*?</table>", RegexOptions.Singleline).Value;
        string reached = Regex.Match(html, "<table id=\"reached\">.*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("<td>counter/above-1000</td>", never);
        Assert.DoesNotContain("counter/full", never);
        Assert.Contains("<td>counter/full</td>", reached);
        // declared in all four runs; hits added up over them
        Match row = Regex.Match(never, "<td>counter/above-1000</td><td>counter</td><td>([^<]*)</td><td class=\"declared\">(\\d+)</td><td class=\"hits\">0 of (\\d+)</td>");
        Assert.True(row.Success, never);
        Assert.Equal("4", row.Groups[2].Value);
        Assert.Contains("fuzz:counter", row.Groups[1].Value);
        Assert.Contains("explore:bounded-increment", row.Groups[1].Value);
    }

    [Fact]
    public void A_short_fuzz_run_of_a_real_system_reaches_real_goals()
    {
        (int code, string output) = HarnessRun.Run(SystemRegistry.Default, "fuzz", "mmgr", "--seed", "1", "--execs", "1500", "--no-instrument", "--out", Path.Combine(_dir, "mmgr"));
        Assert.True(code == 0, output);
        var r = LastReach(Path.Combine(_dir, "mmgr", "events.jsonl"), "end");
        Assert.Equal(Systems.Get("mmgr").Name, r.Keys.Select(k => k.Split('/')[0]).Distinct().Single());
        Assert.True(r["mmgr/aset-block-freed"].Hits > 0, string.Join("; ", r));
        Assert.True(r["mmgr/malloc-failed"].Hits > 0, string.Join("; ", r));
    }
}
