// `harness report RUNDIR...`: one static HTML page (HtmlReport) from the JSONL event logs found in
// the given folders (every events.jsonl below them, in path order) or given directly as files.
using Harness.Core;
using System.CommandLine;
using System.Text.Json;
using Harness.Report;

namespace Harness.Cli;

public sealed class ReportCommand : IHarnessCommand
{
    public string Name => "report";
    public string Summary => "one static HTML page (plots, findings by signature, swimlanes, shrunk sequences) from campaigns' event logs";

    private readonly Argument<string[]> _runs = CliOptions.OneOrMore("rundir", "a folder searched for events.jsonl files (fuzz OUT dirs, explore/check artifact dirs, gate output), or an events.jsonl file");
    private readonly Option<string> _out = CliOptions.Text("--out", Path.Combine("out", "report.html"), "the page", "FILE");
    private readonly Option<string> _title = CliOptions.Text("--title", "harness report", "the page's title", "TEXT");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_runs, _out, _title);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string output = args.Value(_out);
        string title = args.Value(_title);
        var logs = ReadLogs(args.Get(_runs)!, out int truncated);
        List<HtmlReport.Run> runs = HtmlReport.Runs(logs);
        string html = HtmlReport.Build(runs, title);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(output, html);
        stdout.WriteLine($"report: {logs.Count} logs, {runs.Count} runs, {HtmlReport.Findings(runs).Count} unique findings{(truncated > 0 ? $", {truncated} cut-off last line(s) skipped" : "")}; wrote {output}");
        return ExitCodes.Ok;
    }

    /// <summary>Every event log named, or found below a named folder (path order).</summary>
    public static List<(string Source, IReadOnlyList<JsonElement> Events)> ReadLogs(IEnumerable<string> paths, out int truncated)
    {
        var logs = new List<(string, IReadOnlyList<JsonElement>)>();
        truncated = 0;
        foreach (string arg in paths)
        {
            IEnumerable<string> files = File.Exists(arg) ? [arg]
                : Directory.Exists(arg) ? Directory.EnumerateFiles(arg, "events.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : throw new InputException($"{arg}: no such folder or file");
            foreach (string f in files)
            {
                logs.Add((Path.GetRelativePath(".", f), EventLog.Read(f, out int t)));
                truncated += t;
            }
        }
        if (logs.Count == 0) throw new InputException($"no events.jsonl under {string.Join(", ", paths)}");
        return logs;
    }
}
