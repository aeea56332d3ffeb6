// `harness findings RUNDIR...`: the unique findings of the campaigns whose event logs lie below the
// given folders, one line each (signature, kind, runs, first seen, known/new status against main's
// KnownFindings, repro command), optionally as SARIF. With --fail-on-new it exits 1 only when a
// finding is new against main: what a pull request's campaign gates on.
using Harness.Core;
using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Harness.Report;

namespace Harness.Cli;

public sealed class FindingsCommand : IHarnessCommand
{
    public string Name => "findings";
    public string Summary => "list the unique findings of campaigns (by signature, with counts and known/new status); SARIF; --fail-on-new for PRs";

    private readonly Argument<string[]> _runs = CliOptions.OneOrMore("rundir", "a folder searched for events.jsonl files (as harness report reads them), or an events.jsonl file");
    private readonly Option<string?> _sarif = CliOptions.OptionalText("--sarif", "also write the findings as SARIF 2.1.0 (code-scanning views)", "FILE");
    private readonly Option<bool> _failOnNew = CliOptions.Flag("--fail-on-new", "exit 1 when a finding is not known on main (fuzz/regressions/*, fuzz/known-findings.tsv)");
    private readonly Option<string?> _repo = CliOptions.OptionalText("--repo", "repository whose known findings count (default: found upward from the current folder)", "DIR");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_runs, _sarif, _failOnNew, _repo);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? sarif = args.Get(_sarif);
        bool failOnNew = args.Value(_failOnNew);
        string repo = args.Get(_repo) ?? RepoRoot.Find();
        List<HtmlReport.Run> runs = HtmlReport.Runs(ReportCommand.ReadLogs(args.Get(_runs)!, out _));
        List<HtmlReport.FindingGroup> groups = HtmlReport.Findings(runs);
        KnownFindings known = KnownFindings.Load(repo);
        var results = groups.Select(g => new Sarif.Result(g.Signature, g.Kind, Text(g.First, "reason") ?? Text(g.First, "summary") ?? "",
            Text(g.First, "artifact"), Text(g.First, "repro"), g.Count, known.StatusOf(g.Signature))).ToList();
        int fresh = results.Count(r => r.Status is null);
        stdout.WriteLine($"findings: {runs.Count} runs, {results.Count} unique, {fresh} new against main ({known.Count} known signatures)");
        foreach (Sarif.Result r in results)
        {
            stdout.WriteLine($"  {(r.Status is null ? "NEW  " : "known")} {r.Signature} (x{r.Count}, {r.Kind}){(r.Status is null ? "" : $" [{r.Status}]")}");
            if (r.Repro is not null) stdout.WriteLine($"        {r.Repro}");
        }
        if (sarif is not null)
        {
            string version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            string? dir = Path.GetDirectoryName(Path.GetFullPath(sarif));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(sarif, Sarif.Build(results, version).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            stdout.WriteLine($"findings: SARIF written to {sarif}");
        }
        return failOnNew && fresh > 0 ? ExitCodes.Finding : ExitCodes.Ok;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
