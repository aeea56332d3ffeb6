// `harness findings`: a campaign's findings are NEW until main knows them (a regression artifact or
// a line of fuzz/known-findings.tsv); --fail-on-new fails only then; the SARIF log carries one
// result per signature; a malformed known-findings line is an input error, not a silent "new".
using Harness.Cli;
using System.Text.Json.Nodes;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Report;

public sealed class FindingsCommandTests : IDisposable
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());
    private readonly string _dir = TempDir.Create();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(Systems, args);

    [Fact]
    public void A_finding_is_new_until_main_knows_it()
    {
        string runs = Path.Combine(_dir, "runs");
        Assert.Equal(1, Harness("fuzz", "counter", "--seed", "3", "--execs", "3000", "--no-instrument", "--corpus", "none",
            "--canary", BoundedCounter.IncPastCap, "--out", Path.Combine(runs, "fuzz")).Code);
        string repo = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "fuzz"));

        (int listed, string listOut) = Harness("findings", runs, "--repo", repo);
        Assert.True(listed == 0, listOut);
        (int gated, string gateOut) = Harness("findings", runs, "--repo", repo, "--fail-on-new", "--sarif", Path.Combine(_dir, "f.sarif"));
        Assert.True(gated == 1, gateOut);
        Assert.Contains("NEW ", gateOut);
        string signature = gateOut.Split('\n').First(l => l.TrimStart().StartsWith("NEW ", StringComparison.Ordinal)).Trim()[4..].Trim().Split(' ')[0];

        JsonNode sarif = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "f.sarif")))!;
        Assert.Equal("2.1.0", (string?)sarif["version"]);
        JsonArray results = sarif["runs"]![0]!["results"]!.AsArray();
        Assert.Contains(results, r => (string?)r!["partialFingerprints"]!["harnessSignature/v1"] == signature && (string?)r["level"] == "error");

        // every signature of the run, triaged on main: nothing is new any more
        var all = gateOut.Split('\n').Where(l => l.TrimStart().StartsWith("NEW ", StringComparison.Ordinal))
            .Select(l => l.Trim()[4..].Trim().Split(' ')[0]);
        File.WriteAllLines(Path.Combine(repo, "fuzz", "known-findings.tsv"), ["# triaged", .. all.Select(s => $"{s}\topen\tthe counter's planted bug")]);
        (int again, string againOut) = Harness("findings", runs, "--repo", repo, "--fail-on-new");
        Assert.True(again == 0, againOut);
        Assert.Contains($"known {signature}", againOut);
        Assert.Contains("[open: the counter's planted bug]", againOut);

        File.WriteAllText(Path.Combine(repo, "fuzz", "known-findings.tsv"), $"{signature} open\n");
        (int bad, string badOut) = Harness("findings", runs, "--repo", repo, "--fail-on-new");
        Assert.Equal(ExitCodes.BadInput, bad);
        Assert.Contains("KF1:", badOut);
    }
}
