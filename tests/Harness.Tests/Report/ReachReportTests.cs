// Reach goals end to end, through the commands users type: the counter system declares one goal a
// short run reaches (counter/full) and one no run can (counter/above-1000). Every engine counts
// them (fuzz per execution, explore per schedule, check per case, the gate per case), writes them
// into its event log, and `harness report` lists the impossible goal in the "Never reached" table
// and the reachable one with its hits. A real system's short fuzz run reaches real goals too.
using System.Text.Json;
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Report;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class ReachReportTests : IDisposable
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());
    private readonly string _dir = TempDir.Create();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(Systems, args);

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
