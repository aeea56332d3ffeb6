// HtmlReport: `harness report`'s page. One static HTML file (inline CSS and SVG, one small inline
// script that only fills in a self-check line; no server, no external asset) built from campaigns'
// JSONL event logs (EventLog):
//   - per campaign run: its configuration, and plots over elapsed time (fuzz: edges, features,
//     exec/s and corpus size; explore: iterations/s and distinct schedules; check: cases run);
//     gate runs as a pass/fail table;
//   - every finding of every run, deduplicated by signature (kind and failing invariant or site),
//     with where and when it was first seen, how many runs found it, and the repro command;
//   - for a concurrency finding, the failing schedule as swimlanes (one column per backend, one row
//     per step, what each backend held); for a property finding, the shrunk operation sequence;
//   - reach goals ("sometimes" events that targets and scenarios declare): a "Never reached" table
//     of the goals no run reached (goal, system, who declared it, in how many runs, hits), then the
//     reached ones with their hit counts. Within a run the last "reach" row of each (goal, owner)
//     counts (fuzz, explore and check write cumulative counts; every gate case has its own owner);
//     across runs the counts add up.
// A log holding several runs (a resumed campaign appends) is split at each "start" event.
//
// Invariants (checked while building, as MalformedInputException naming the file):
//   HR1  a run begins with a "start" event (events before the first start are an error);
//   HR2  every finding has a signature;
//   HR3  every reach row names its goal.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Harness.Core;
using static Harness.Report.SvgPlot;

namespace Harness.Report;

public static class HtmlReport
{
    public sealed record Run(string Source, int Index, string Engine, JsonElement Start, IReadOnlyList<JsonElement> Events)
    {
        public string Title => $"{Source}{(Index > 0 ? $" (run {Index + 1})" : "")}";
    }

    public sealed record FindingGroup(string Signature, string Kind, Run FirstRun, double FirstElapsed, JsonElement First, int Count);

    /// <summary>One reach goal over every run: who declared it, in how many runs, hits over runs of its owners.</summary>
    public sealed record ReachGroup(string Goal, string System, string Description, IReadOnlyList<string> Owners, int DeclaredInRuns, long Hits, long Runs);

    /// <summary>Splits each log into runs at its start events.</summary>
    public static List<Run> Runs(IEnumerable<(string Source, IReadOnlyList<JsonElement> Events)> logs)
    {
        var runs = new List<Run>();
        foreach ((string source, IReadOnlyList<JsonElement> events) in logs)
        {
            List<JsonElement>? current = null;
            JsonElement start = default;
            int index = 0;
            foreach (JsonElement e in events)
            {
                if (Str(e, "event") == "start")
                {
                    if (current is not null) runs.Add(new Run(source, index++, Str(start, "engine"), start, current));
                    start = e;
                    current = [];
                    continue;
                }
                if (current is null) throw new MalformedInputException($"HR1: {source}: a '{Str(e, "event")}' event before any start event");
                current.Add(e);
            }
            if (current is not null) runs.Add(new Run(source, index, Str(start, "engine"), start, current));
        }
        return runs;
    }

    /// <summary>Every finding, one group per signature, in order of first appearance.</summary>
    public static List<FindingGroup> Findings(IReadOnlyList<Run> runs)
    {
        var groups = new List<FindingGroup>();
        var bySig = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Run run in runs)
            foreach (JsonElement e in run.Events)
            {
                string ev = Str(e, "event");
                string sig, kind;
                if (ev == "finding")
                {
                    sig = Str(e, "signature");
                    if (sig.Length == 0) throw new MalformedInputException($"HR2: {run.Title}: a finding without a signature");
                    kind = Str(e, "kind");
                }
                else if (ev == "case" && e.TryGetProperty("passed", out JsonElement p) && p.ValueKind == JsonValueKind.False)
                {
                    sig = $"gate:{Str(e, "suite")}/{Str(e, "name")}";
                    kind = "gate-case";
                }
                else continue;
                if (bySig.TryGetValue(sig, out int at)) groups[at] = groups[at] with { Count = groups[at].Count + 1 };
                else
                {
                    bySig[sig] = groups.Count;
                    groups.Add(new FindingGroup(sig, kind, run, Num(e, "elapsed_s"), e, 1));
                }
            }
        return groups;
    }

    /// <summary>Every reach goal any run declared, in goal order.</summary>
    public static List<ReachGroup> Reach(IReadOnlyList<Run> runs)
    {
        var byGoal = new SortedDictionary<string, ReachGroup>(StringComparer.Ordinal);
        foreach (Run run in runs)
        {
            // the last row of each (goal, owner) in this run: counts there are cumulative
            var latest = new Dictionary<(string Goal, string Owner), JsonElement>();
            var order = new List<(string Goal, string Owner)>();
            foreach (JsonElement e in run.Events)
            {
                if (!e.TryGetProperty("reach", out JsonElement reach) || reach.ValueKind != JsonValueKind.Array) continue;
                foreach (JsonElement row in reach.EnumerateArray())
                {
                    var key = (Str(row, "goal"), Str(row, "owner"));
                    if (key.Item1.Length == 0) throw new MalformedInputException($"HR3: {run.Title}: a reach row without a goal");
                    if (!latest.ContainsKey(key)) order.Add(key);
                    latest[key] = row;
                }
            }
            var declaredHere = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in order)
            {
                JsonElement row = latest[key];
                ReachGroup g = byGoal.TryGetValue(key.Goal, out ReachGroup? known) ? known
                    : new ReachGroup(key.Goal, Str(row, "system"), Str(row, "description"), [], 0, 0, 0);
                byGoal[key.Goal] = g with
                {
                    Description = g.Description.Length > 0 ? g.Description : Str(row, "description"),
                    Owners = g.Owners.Contains(key.Owner, StringComparer.Ordinal) ? g.Owners : [.. g.Owners, key.Owner],
                    DeclaredInRuns = g.DeclaredInRuns + (declaredHere.Add(key.Goal) ? 1 : 0),
                    Hits = g.Hits + (long)Num(row, "hits"),
                    Runs = g.Runs + (long)Num(row, "runs"),
                };
            }
        }
        return [.. byGoal.Values];
    }

    public static string Build(IReadOnlyList<Run> runs, string title)
    {
        List<FindingGroup> findings = Findings(runs);
        List<ReachGroup> reach = Reach(runs);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Esc(title)).Append("</title>\n<style>\n").Append(Css).Append("</style></head>\n<body>\n");
        sb.Append("<h1>").Append(Esc(title)).Append("</h1>\n");
        sb.Append(Inv($"<p class=\"summary\">{runs.Count} run(s): {string.Join(", ", runs.GroupBy(r => r.Engine).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}; {findings.Count} unique finding(s).</p>\n"));
        sb.Append("<p id=\"selfcheck\">(the browser fills this line in)</p>\n");

        sb.Append("<h2>Findings</h2>\n");
        sb.Append("<table id=\"findings\"><thead><tr><th>signature</th><th>kind</th><th>first seen</th><th>runs</th><th>reason</th><th>repro</th></tr></thead><tbody>\n");
        foreach (FindingGroup f in findings)
            sb.Append(Inv($"<tr class=\"finding\"><td><a href=\"#f{findings.IndexOf(f)}\">{Esc(f.Signature)}</a></td><td>{Esc(f.Kind)}</td><td>{Esc(f.FirstRun.Title)} at {f.FirstElapsed:0.0} s</td><td class=\"count\">{f.Count}</td><td>{Esc(Reason(f.First))}</td><td><code>{Esc(Str(f.First, "repro"))}</code></td></tr>\n"));
        sb.Append("</tbody></table>\n");
        if (findings.Count == 0) sb.Append("<p>No findings.</p>\n");
        for (int i = 0; i < findings.Count; i++) Detail(sb, i, findings[i]);

        ReachTables(sb, reach);

        sb.Append("<h2>Runs</h2>\n");
        foreach (Run run in runs) RunSection(sb, run);
        sb.Append("<script>\n").Append(SelfCheck).Append("</script>\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The goals no run reached, then the reached ones with their hit counts.</summary>
    private static void ReachTables(StringBuilder sb, List<ReachGroup> reach)
    {
        List<ReachGroup> never = [.. reach.Where(g => g.Hits == 0)];
        sb.Append(Inv($"<h2>Never reached</h2>\n<p>{never.Count} of {reach.Count} declared reach goal(s) were reached by no run. Reaching a goal is not required of any one run; a goal nobody reaches is a coverage gap.</p>\n"));
        sb.Append("<table id=\"unreached\"><thead><tr><th>goal</th><th>system</th><th>declared by</th><th>runs it was declared in</th><th>hits</th><th>description</th></tr></thead><tbody>\n");
        foreach (ReachGroup g in never) ReachRow(sb, g);
        sb.Append("</tbody></table>\n");
        sb.Append("<h2>Reached</h2>\n<table id=\"reached\"><thead><tr><th>goal</th><th>system</th><th>declared by</th><th>runs it was declared in</th><th>hits</th><th>description</th></tr></thead><tbody>\n");
        foreach (ReachGroup g in reach.Where(g => g.Hits > 0)) ReachRow(sb, g);
        sb.Append("</tbody></table>\n");
    }

    private static void ReachRow(StringBuilder sb, ReachGroup g) =>
        sb.Append(Inv($"<tr class=\"goal\"><td>{Esc(g.Goal)}</td><td>{Esc(g.System)}</td><td>{Esc(string.Join(", ", g.Owners))}</td><td class=\"declared\">{g.DeclaredInRuns}</td><td class=\"hits\">{g.Hits} of {g.Runs}</td><td>{Esc(g.Description)}</td></tr>\n"));

    private static void Detail(StringBuilder sb, int i, FindingGroup f)
    {
        sb.Append(Inv($"<section class=\"detail\" id=\"f{i}\"><h3>{Esc(f.Signature)}</h3>\n<p>{Esc(Reason(f.First))}</p>\n<p>repro: <code>{Esc(Str(f.First, "repro"))}</code></p>\n"));
        if (f.First.TryGetProperty("shrunk", out JsonElement shrunk) && shrunk.ValueKind == JsonValueKind.Array)
        {
            sb.Append(Inv($"<p>shrunk to {shrunk.GetArrayLength()} operations (from {Num(f.First, "original_ops"):0}); the failing one is step {Num(f.First, "step"):0}:</p>\n<ol class=\"ops\" start=\"0\">"));
            foreach (JsonElement op in shrunk.EnumerateArray()) sb.Append("<li><code>").Append(Esc(op.GetString() ?? "")).Append("</code></li>");
            sb.Append("</ol>\n");
        }
        if (f.First.TryGetProperty("lanes", out JsonElement lanes) && lanes.ValueKind == JsonValueKind.Array && lanes.GetArrayLength() > 0)
            Swimlanes(sb, (int)Num(f.First, "backends"), lanes);
        sb.Append("</section>\n");
    }

    /// <summary>One column per backend, one row per lane event; a backend's holdings are shown
    /// above the step whenever they change.</summary>
    private static void Swimlanes(StringBuilder sb, int backends, JsonElement lanes)
    {
        sb.Append("<table class=\"swimlane\"><thead><tr><th>step</th>");
        for (int b = 0; b < backends; b++) sb.Append(Inv($"<th class=\"b{b % 8}\">backend {b}</th>"));
        sb.Append("</tr></thead><tbody>\n");
        foreach (JsonElement row in lanes.EnumerateArray())
        {
            int backend = row[0].GetInt32();
            int step = row[1].GetInt32();
            string kind = row[2].GetString() ?? "";
            string text = row[3].GetString() ?? "";
            string? holds = row[4].ValueKind == JsonValueKind.String ? row[4].GetString() : null;
            sb.Append("<tr><td class=\"step\">").Append(step >= 0 ? step.ToString(CultureInfo.InvariantCulture) : "").Append("</td>");
            for (int b = 0; b < backends; b++)
            {
                if (b != backend)
                {
                    sb.Append("<td></td>");
                    continue;
                }
                sb.Append(Inv($"<td class=\"b{b % 8} {kind.ToLowerInvariant()}\">"));
                if (holds is not null) sb.Append("<div class=\"holds\">holds ").Append(Esc(holds)).Append("</div>");
                sb.Append(Esc(text)).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    private static void RunSection(StringBuilder sb, Run run)
    {
        sb.Append(Inv($"<section class=\"run\"><h3>{Esc(run.Title)}: {Esc(run.Engine)}</h3>\n<p class=\"config\">"));
        sb.Append(string.Join(" ", run.Start.EnumerateObject().Where(p => p.Name is not ("event" or "engine" or "elapsed_s"))
            .Select(p => $"<span>{Esc(p.Name)}=<b>{Esc(Compact(p.Value))}</b></span>")));
        sb.Append("</p>\n");
        JsonElement? end = run.Events.LastOrDefault(e => Str(e, "event") == "end") is { ValueKind: JsonValueKind.Object } last ? last : null;
        if (end is null) sb.Append("<p class=\"warn\">no end event: the run was stopped or is still running</p>\n");
        else sb.Append("<p>end: ").Append(string.Join(", ", end.Value.EnumerateObject().Where(p => p.Name is not ("event" or "engine"))
            .Select(p => $"{Esc(p.Name)} {Esc(Compact(p.Value))}"))).Append("</p>\n");
        switch (run.Engine)
        {
            case "fuzz":
                var cov = Points(run, ["stats", "coverage"], "edges");
                sb.Append(Line("coverage over time", "seconds", "edges / features", [new("edges", cov), new("features", Points(run, ["stats", "coverage"], "features"))]));
                sb.Append(Line("executions per second", "seconds", "exec/s", [new("exec/s", Points(run, ["stats"], "exec_per_s"))]));
                sb.Append(Line("corpus growth", "seconds", "entries", [new("corpus", Points(run, ["stats", "coverage"], "corpus"))]));
                break;
            case "explore":
                sb.Append(Line("iterations per second", "seconds", "it/s", [new("it/s", Points(run, ["stats"], "it_per_s"))]));
                sb.Append(Line("distinct schedules", "seconds", "schedules", [new("distinct", Points(run, ["stats"], "distinct_schedules"))]));
                break;
            case "check":
                sb.Append(Line("property cases run", "seconds", "cases", [new("cases", Points(run, ["stats"], "total_cases"))]));
                break;
            case "gate":
                sb.Append("<table class=\"gate\"><thead><tr><th>suite</th><th>case</th><th>result</th><th>seconds</th></tr></thead><tbody>\n");
                foreach (JsonElement c in run.Events.Where(e => Str(e, "event") == "case"))
                {
                    bool ok = c.GetProperty("passed").GetBoolean();
                    sb.Append(Inv($"<tr class=\"{(ok ? "pass" : "fail")}\"><td>{Esc(Str(c, "suite"))}</td><td>{Esc(Str(c, "name"))}</td><td>{(ok ? "pass" : "FAIL")}</td><td>{Num(c, "seconds"):0.0}</td></tr>\n"));
                }
                sb.Append("</tbody></table>\n");
                break;
        }
        sb.Append("</section>\n");
    }

    private static List<(double X, double Y)> Points(Run run, string[] events, string field) =>
        [.. run.Events.Where(e => events.Contains(Str(e, "event")) && e.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.Number)
            .Select(e => (Num(e, "elapsed_s"), Num(e, field)))];

    private static string Reason(JsonElement e) => Str(e, "reason") is { Length: > 0 } r ? r : Str(e, "summary");

    private static string Compact(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Null => "-",
        _ => v.GetRawText(),
    };

    private static string Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static double Num(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; margin: .5em 0 1em; }
        th, td { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; text-align: left; }
        code { font-size: 12px; }
        .plot { margin: 4px 8px 4px 0; background: #fafafa; }
        .plot .title { font-weight: bold; font-size: 13px; }
        .plot .tick, .plot .axis, .plot .legend { font-size: 11px; }
        .plot .frame { fill: none; stroke: #999; }
        .config span { margin-right: .8em; }
        .warn, tr.fail td { color: #b00; }
        .swimlane td { font-family: monospace; font-size: 12px; }
        .swimlane .holds { color: #666; font-size: 11px; }
        .swimlane .note { font-style: italic; }
        .swimlane .exit { color: #666; }
        .b0 { background: #eef4fb; } .b1 { background: #fdeeee; } .b2 { background: #eef8ee; } .b3 { background: #f4effa; }
        .b4 { background: #fff3e6; } .b5 { background: #e9f8fa; } .b6 { background: #f5efeb; } .b7 { background: #fbeef7; }

        """;

    // Counts what the browser actually built, so a test can tell the page parsed as intended.
    private const string SelfCheck = """
        document.getElementById('selfcheck').textContent =
          'plots=' + document.querySelectorAll('svg.plot polyline').length +
          ' findings=' + document.querySelectorAll('#findings tr.finding').length +
          ' swimlanes=' + document.querySelectorAll('table.swimlane').length +
          ' unreached=' + document.querySelectorAll('#unreached tr.goal').length +
          ' reached=' + document.querySelectorAll('#reached tr.goal').length;

        """;
}
