// RegressionsFirst: what `harness fuzz` and `harness explore` do with --regressions before their
// campaign: replay every saved failure of the campaign's system (fuzz/regressions/<folder>/ of the
// system and its fuzz targets: minimized findings, shrunk property failures, saved schedules), each
// one a "replay" event, a regressed one also a "finding" event (signature "regression:<file>"),
// framed by its own start and end events in the campaign's log (the report shows it as a run of its
// own). With --on-regression stop (the default) a regression ends the command before the campaign.
using System.CommandLine;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Report;

namespace Harness.Cli;

public sealed class RegressionsFirst
{
    public Option<bool> Replay { get; } = CliOptions.Flag("--regressions",
        "first replay every saved failure of the system (fuzz/regressions/<folder>/: findings, property failures, schedules); each must still behave as recorded");

    public Option<string> OnRegression { get; } = CliOptions.Choice("--on-regression", "stop",
        "stop: a saved failure that regressed ends the command with exit 1 before the campaign; continue: run the campaign anyway", "stop", "continue");

    public Option<string?> Repo { get; } = CliOptions.OptionalText("--repo", "repository root for --regressions (default: found upward from the current folder)", "DIR");

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command) => command.AddAll(Replay, OnRegression, Repo);

    /// <summary>Reads --regressions, --on-regression and --repo.</summary>
    public (bool Replay, bool StopOnRegression, string? Repo) Options(CommandArgs args) =>
        (args.Value(Replay), args.Value(OnRegression) == "stop", args.Get(Repo));

    /// <summary>Replays the saved failures of <paramref name="system"/>; the number that regressed.</summary>
    public static int Run(string? repo, SystemRegistry systems, ISystem system, EventLog events, string engine, TextWriter stdout)
    {
        string root = repo ?? RepoRoot.Find();
        var saved = RegressionReplay.Saved(root, systems, [system]);
        events.Write("start", ("phase", "regressions"), ("system", system.Name), ("repo", root), ("artifacts", saved.Count));
        int bad = 0;
        foreach ((string path, _) in saved)
        {
            ReplayedFile r = RegressionReplay.Replay(path, systems);
            events.Write("replay", ("path", path), ("passed", r.Passed), ("detail", r.Detail));
            if (r.Passed) continue;
            bad++;
            stdout.WriteLine($"{engine}: REGRESSION {path}: {r.Detail}");
            events.Write("finding", ("signature", $"regression:{Path.GetFileName(path)}"), ("kind", "regression"), ("step", -1L),
                ("reason", r.Detail), ("artifact", path), ("repro", $"harness repro {path}"));
        }
        events.Write("end", ("replayed", saved.Count), ("regressed", bad));
        stdout.WriteLine($"{engine}: replayed {saved.Count} saved failure(s) of {system.Name} first: {(bad == 0 ? "all behave as recorded" : $"{bad} regressed")}");
        return bad;
    }
}
