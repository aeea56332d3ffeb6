// Saved failures are replayed first: the gate's replay suite runs before every other suite, one
// JUnit case per saved artifact; an artifact that no longer behaves as recorded fails its case and
// stops the gate (or not, with --on-regression continue); `harness fuzz` and `harness explore`
// with --regressions replay their system's artifacts before the campaign and stop on a regression.
// The artifacts are real: the counter system's planted bug found by the fuzzer and by the explorer,
// saved under a scratch repository's fuzz/regressions/counter/; the regression is the same fuzz
// artifact with its canary taken away (the recorded failure no longer happens).
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Gate;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class ReplayFirstTests : IDisposable
{
    private static readonly SystemRegistry CounterOnly = new([new CounterSystem()]);
    private readonly string _dir = TempDir.Create();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(CounterOnly, args);

    private string Regressions => Path.Combine(_dir, "repo", "fuzz", "regressions", "counter");

    /// <summary>A scratch repository with two saved failures of the counter: a fuzz finding and a schedule.</summary>
    private void SaveFailures()
    {
        Directory.CreateDirectory(Regressions);
        (int fuzz, string fuzzOut) = Harness("fuzz", "counter", "--seed", "3", "--execs", "3000", "--no-instrument", "--corpus", "none",
            "--canary", BoundedCounter.IncPastCap, "--out", Path.Combine(_dir, "found"));
        Assert.True(fuzz == 1, fuzzOut);
        File.Copy(Regex.Match(fuzzOut, @"harness repro (\S+\.json)").Groups[1].Value, Path.Combine(Regressions, "fuzz-inc-past-cap.json"));
        (int explore, string exploreOut) = Harness("explore", "counter/canary-unlocked-increment", "--strategy", "random", "--iterations", "300", "--artifacts", Path.Combine(_dir, "found"));
        Assert.True(explore == 1, exploreOut);
        File.Copy(Regex.Match(exploreOut, @"artifact: (\S+\.json)").Groups[1].Value, Path.Combine(Regressions, "schedule-unlocked-increment.json"));
    }

    /// <summary>The fuzz artifact again, without its canary: its recorded failure cannot happen any more.</summary>
    private void SaveRegression()
    {
        string text = File.ReadAllText(Path.Combine(Regressions, "fuzz-inc-past-cap.json"));
        Assert.Contains($"\"canary\": \"{BoundedCounter.IncPastCap}\"", text);
        File.WriteAllText(Path.Combine(Regressions, "fuzz-regressed.json"), text.Replace($"\"canary\": \"{BoundedCounter.IncPastCap}\"", "\"canary\": \"None\"", StringComparison.Ordinal));
    }

    private (int Code, string Output, XDocument Junit) Gate(params string[] more)
    {
        string junit = Path.Combine(_dir, "junit.xml");
        (int code, string output) = Harness(["gate", "--repo", Path.Combine(_dir, "repo"), "--junit", junit, "--artifacts", Path.Combine(_dir, "a"), .. more]);
        return (code, output, XDocument.Load(junit));
    }

    private static List<(string Suite, string Name, bool Passed)> Cases(XDocument junit) =>
        [.. junit.Descendants("testcase").Select(t => ((string)t.Attribute("classname")!, (string)t.Attribute("name")!, t.Element("failure") is null))];

    [Fact]
    public void The_gate_replays_every_saved_failure_first_each_as_its_own_case()
    {
        SaveFailures();
        (int code, string output, XDocument junit) = Gate();
        Assert.True(code == 0, output);
        var cases = Cases(junit);
        Assert.Equal(("replay", "regression:counter/fuzz-inc-past-cap.json", true), cases[0]);
        Assert.Equal(("replay", "regression:counter/schedule-unlocked-increment.json", true), cases[1]);
        Assert.Equal(("replay", "corpus:counter", true), cases[2]);
        Assert.Equal(("replay", "folders", true), cases[3]);
        Assert.All(cases.Skip(4), c => Assert.NotEqual("replay", c.Suite));
        Assert.Contains(cases, c => c.Suite == "properties");
    }

    [Fact]
    public void A_regression_fails_its_case_and_stops_the_gate_unless_told_to_continue()
    {
        SaveFailures();
        SaveRegression();
        (int stop, string stopOut, XDocument stopped) = Gate();
        Assert.True(stop == 1, stopOut);
        Assert.Contains("FAIL replay/regression:counter/fuzz-regressed.json: NOT reproduced", stopOut);
        Assert.Contains("the other suites did not run", stopOut);
        Assert.All(Cases(stopped), c => Assert.Equal("replay", c.Suite));
        Assert.Single(Cases(stopped), c => !c.Passed);

        (int cont, string contOut, XDocument continued) = Gate("--on-regression", "continue");
        Assert.True(cont == 1, contOut);
        Assert.Contains(Cases(continued), c => c.Suite == "properties" && c.Passed);
        Assert.Single(Cases(continued), c => !c.Passed);
    }

    [Fact]
    public void Fuzz_and_explore_with_regressions_replay_the_system_first_and_stop_on_a_regression()
    {
        SaveFailures();
        string repo = Path.Combine(_dir, "repo");
        (int fuzz, string fuzzOut) = Harness("fuzz", "counter", "--regressions", "--repo", repo, "--execs", "200", "--no-instrument", "--corpus", "none", "--out", Path.Combine(_dir, "f1"));
        Assert.True(fuzz == 0, fuzzOut);
        Assert.Contains("fuzz: replayed 2 saved failure(s) of counter first: all behave as recorded", fuzzOut);
        Assert.True(fuzzOut.IndexOf("replayed 2", StringComparison.Ordinal) < fuzzOut.IndexOf("INITED", StringComparison.Ordinal), fuzzOut);

        SaveRegression();
        (int stop, string stopOut) = Harness("fuzz", "counter", "--regressions", "--repo", repo, "--execs", "200", "--no-instrument", "--corpus", "none", "--out", Path.Combine(_dir, "f2"));
        Assert.True(stop == 1, stopOut);
        Assert.Contains("fuzz: REGRESSION", stopOut);
        Assert.DoesNotContain("INITED", stopOut);   // the campaign did not start
        string events = File.ReadAllText(Path.Combine(_dir, "f2", "events.jsonl"));
        Assert.Contains("\"signature\":\"regression:fuzz-regressed.json\"", events);

        (int explore, string exploreOut) = Harness("explore", "counter/bounded-increment", "--regressions", "--repo", repo, "--on-regression", "continue",
            "--iterations", "20", "--artifacts", Path.Combine(_dir, "x"));
        Assert.True(explore == 1, exploreOut);   // the regression is reported and fails the command; the exploration still runs
        Assert.Contains("explore: replayed 3 saved failure(s) of counter first: 1 regressed", exploreOut);
        Assert.Contains("explore: 20 iterations", exploreOut);
    }
}
