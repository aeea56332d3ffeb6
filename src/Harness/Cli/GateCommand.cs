// `harness gate`: the CI gate. Runs every IGateSuite with fixed seeds and count budgets, prints a
// summary, writes JUnit XML and exits 1 with the repro lines if anything failed. The replay of
// saved failures runs first; a regression there stops the gate (--on-regression continue runs the
// rest anyway). --systems gates a subset of the systems (the mutation campaign gates a mutant of one
// system with the systems that run its code). Reach goals the cases declared go into the event log and the JUnit properties; an
// unreached goal fails nothing.
using System.CommandLine;
using System.Diagnostics;
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public sealed class GateCommand : IHarnessCommand
{
    /// <summary>The gate's fixed default seed. Changing it changes what CI runs.</summary>
    public const ulong DefaultSeed = 20261121;

    public string Name => "gate";
    public string Summary => "run every suite with fixed seeds and budgets; JUnit XML; non-zero on failure";

    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", DefaultSeed, "base seed; every suite derives its seeds from it");
    private readonly Option<int> _scale = CliOptions.Int("--scale", 1, 1, 1000, "budget multiplier, 1..1000; 1 = the CI budget", "K");
    private readonly Option<string?> _suite = CliOptions.OptionalText("--suite", "run only suites whose name contains NAME", "NAME");
    private readonly Option<string?> _systems = CliOptions.OptionalText("--systems",
        "gate only these systems (comma-separated, e.g. mmgr,dsa): every suite runs only their cases; saved artifacts of the others are not replayed", "NAMES");
    private readonly Option<GateShard> _shard = CliOptions.Shard(
        "run only the I-th of N parts (1-based); N machines with 1/N..N/N run every case once, with the seeds one machine uses; join their reports with 'harness merge'");
    private readonly Option<string> _onRegression = CliOptions.Choice("--on-regression", "stop",
        "stop: a saved failure that no longer behaves as recorded (the replay suite, which runs first) ends the gate there; continue: run every suite anyway",
        "stop", "continue");
    private readonly Option<string> _junit = CliOptions.Text("--junit", Path.Combine("out", "gate", "junit.xml"), "JUnit XML report", "FILE");
    private readonly Option<string?> _events = CliOptions.OptionalText("--events",
        "JSONL event log: configuration, one event per case, end counts (default: events.jsonl beside the JUnit file; '-': stdout alone)", "FILE");
    private readonly Option<string> _artifacts = CliOptions.Text("--artifacts", Path.Combine("out", "gate", "artifacts"), "where failures are written", "DIR");
    private readonly Option<string?> _repo = CliOptions.OptionalText("--repo", "repository root (default: found upward from the current folder)", "DIR");
    private readonly Option<string?> _progress = Report.Progress.ProgressModes.Option();

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_seed, _scale, _suite, _systems, _shard, _onRegression, _junit, _events, _artifacts, _repo, _progress);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        ulong seed = args.Value(_seed);
        int scale = args.Value(_scale);
        string? only = args.Get(_suite);
        GateShard shard = args.Value(_shard);
        string repo = args.Get(_repo) ?? RepoRoot.Find();
        string junit = args.Value(_junit);
        string artifacts = args.Value(_artifacts);
        string events = args.Get(_events) ?? Path.Combine(Path.GetDirectoryName(junit) is { Length: > 0 } jd ? jd : ".", "events.jsonl");
        string onRegression = args.Value(_onRegression);
        string? progress = args.Get(_progress);
        IReadOnlyCollection<ISystem>? onlySystems = args.Get(_systems) is { } names
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(args.Systems.Get).Distinct().ToList()
            : null;
        if (onlySystems is { Count: 0 }) throw new UsageException("--systems wants at least one system name");

        var suites = Program.GateSuites.Where(s => only is null || s.Name.Contains(only, StringComparison.Ordinal)).ToList();
        if (suites.Count == 0) throw new UsageException($"no suite matches '{only}' (suites: {string.Join(", ", Program.GateSuites.Select(s => s.Name))})");
        using var output = Report.Progress.CampaignOutput.Open("gate", events, progress, stdout, stderr);
        Report.EventLog log = output.Events;
        stdout = output.Out;
        stdout.WriteLine($"gate: seed={seed} scale={scale} shard={shard} suites={string.Join(",", suites.Select(s => s.Name))}"
            + (onlySystems is null ? "" : $" systems={string.Join(",", onlySystems.Select(s => s.Name))}"));
        var options = new GateOptions(seed, scale, repo, Path.GetFullPath(artifacts), args.Systems, shard, onlySystems);
        log.Write("start", ("seed", seed), ("scale", scale), ("shard", shard.ToString()), ("suite_filter", only), ("suites", suites.Select(s => s.Name)),
            ("systems", options.Gated.Systems.Select(s => s.Name)), ("junit", junit), ("artifacts", artifacts), ("on_regression", onRegression));
        var results = new List<GateResult>();
        var total = WallClock.StartNew();
        string? stoppedAfter = null;
        foreach (IGateSuite suite in suites)
        {
            if (stoppedAfter is not null) break;
            var sw = WallClock.StartNew();
            IReadOnlyList<GateResult> rs;
            try
            {
                rs = suite.Run(options, stdout);
            }
            catch (Exception e)
            {
                rs = [new GateResult(suite.Name, "suite", false, $"suite crashed: {e.GetType().Name}: {e.Message}", $"harness gate --seed {seed} --suite {suite.Name}", sw.Elapsed.TotalSeconds)];
            }
            foreach (GateResult r in rs)
                log.Write("case", ("suite", r.Suite), ("name", r.Name), ("passed", r.Passed), ("summary", r.Summary), ("repro", r.Repro), ("seconds", r.Seconds), ("reach", r.Reach));
            foreach (GateResult r in rs)
                stdout.WriteLine($"  {(r.Passed ? "PASS" : "FAIL")} {r.Suite}/{r.Name}: {r.Summary}{(r.Passed ? "" : $"\n       repro: {r.Repro}")}");
            results.AddRange(rs);
            if (suite.RunsFirst && onRegression == "stop" && rs.Any(r => !r.Passed))
            {
                stoppedAfter = suite.Name;
                stdout.WriteLine($"gate: saved failures regressed in '{suite.Name}'; the other suites did not run (--on-regression continue runs them)");
            }
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(junit));
        if (dir is not null) Directory.CreateDirectory(dir);
        JUnitReport.Build(results, new GateRunInfo(seed, scale, shard, only)).Save(junit);
        int failed = results.Count(r => !r.Passed);
        var reach = results.SelectMany(r => r.Reach ?? []).ToList();
        log.Write("end", ("cases", results.Count), ("passed", results.Count - failed), ("failed", failed),
            ("unreached", JUnitReport.Unreached(results)), ("stopped_after", stoppedAfter));
        stdout.WriteLine($"gate: {results.Count - failed} passed, {failed} failed in {total.Elapsed.TotalSeconds:0.0}s; report {junit}");
        if (reach.Count > 0) stdout.WriteLine($"gate: {ReachTally.Summary(reach)} (not reaching a goal fails nothing)");
        if (failed > 0)
        {
            stdout.WriteLine("to reproduce:");
            foreach (GateResult r in results.Where(r => !r.Passed)) stdout.WriteLine($"  {r.Repro}");
        }
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }
}
