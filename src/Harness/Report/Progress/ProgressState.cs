// ProgressState: folds a campaign's events (EventLog's start, stats, coverage, finding, case, end)
// into the ProgressSnapshot a display shows. It reads the field names the engines already write
// (fuzz: execs, exec_per_s, corpus, edges, features, findings; explore: iterations, it_per_s,
// distinct_schedules, failures; check: total_cases, cases_per_s; gate: one case event per case;
// cmin: inputs, kept, features) and knows no engine beyond that vocabulary, so a new engine gets a
// panel by writing the same names. Not thread-safe: the sink serialises calls.
using System.Globalization;

namespace Harness.Report.Progress;

public sealed class ProgressState
{
    private ProgressSnapshot _now = new();
    private long _findingEvents;   // finding events seen; an engine's own count (stats) may run ahead of them

    public ProgressSnapshot Snapshot => _now;

    /// <summary>Moves the elapsed time on between events (the display's own clock).</summary>
    public void Tick(double elapsedSeconds)
    {
        if (!_now.Finished && elapsedSeconds > _now.ElapsedSeconds) _now = _now with { ElapsedSeconds = elapsedSeconds };
    }

    public void Apply(string engine, string eventName, double elapsedSeconds, IReadOnlyList<(string Name, object? Value)> fields)
    {
        var f = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, object? value) in fields) f[name] = value;
        ProgressSnapshot s = _now with { Engine = engine, ElapsedSeconds = Math.Max(_now.ElapsedSeconds, elapsedSeconds) };
        switch (eventName)
        {
            case "start":
                s = s with
                {
                    Title = Text(f, "target") ?? Text(f, "scenario") ?? Text(f, "system") ?? Text(f, "in") ?? Join(f, "suites") ?? engine,
                    Unit = UnitOf(engine),
                    Budget = Budget(engine, f),
                    Imported = f.ContainsKey("sync_dir") && f["sync_dir"] is not null ? 0 : null,
                };
                break;
            case "stats":
                s = s with
                {
                    Done = Long(f, "execs") ?? Long(f, "iterations") ?? Long(f, "total_cases") ?? Long(f, "inputs") ?? s.Done,
                    Rate = Double(f, "exec_per_s") ?? Double(f, "it_per_s") ?? Double(f, "cases_per_s") ?? s.Rate,
                    Corpus = Long(f, "corpus") ?? Long(f, "kept") ?? s.Corpus,
                    Edges = Long(f, "edges") ?? s.Edges,
                    Features = Long(f, "features") ?? s.Features,
                    Schedules = Long(f, "distinct_schedules") ?? s.Schedules,
                    Findings = Math.Max(_findingEvents, Long(f, "findings") ?? Long(f, "failures") ?? s.Findings),
                    Stability = Double(f, "stability") ?? s.Stability,
                    Imported = Long(f, "imported") ?? s.Imported,
                };
                if (f.TryGetValue("passed", out object? p) && p is false) s = s with { Failed = (s.Failed ?? 0) + 1 };
                break;
            case "coverage":
                s = s with
                {
                    LastNewSeconds = elapsedSeconds,
                    Corpus = Long(f, "corpus") ?? s.Corpus,
                    Edges = Long(f, "edges") ?? s.Edges,
                    Features = Long(f, "features") ?? s.Features,
                };
                break;
            case "finding":
                _findingEvents++;
                s = s with { Findings = Math.Max(s.Findings, _findingEvents) };
                break;
            case "case":
                bool passed = f.TryGetValue("passed", out object? cp) && cp is true;
                s = s with { Done = s.Done + 1, Failed = (s.Failed ?? 0) + (passed ? 0 : 1), Findings = s.Findings + (passed ? 0 : 1) };
                break;
            case "end":
                s = s with { Finished = true };
                break;
        }
        _now = s;
    }

    private static string UnitOf(string engine) => engine switch
    {
        "fuzz" => "execs",
        "explore" => "iterations",
        "check" => "cases",
        "gate" => "cases",
        "cmin" => "inputs",
        _ => "steps",
    };

    // The start event's budget field, by engine (fuzz's "execs" at start is the budget, later the count).
    private static long? Budget(string engine, Dictionary<string, object?> f)
    {
        long? b = engine switch
        {
            "fuzz" => Long(f, "execs"),
            "explore" => Long(f, "iterations"),
            "cmin" => Long(f, "inputs"),
            _ => null,
        };
        return b is long v && v != long.MaxValue && v > 0 ? v : null;
    }

    private static string? Text(Dictionary<string, object?> f, string key) => f.TryGetValue(key, out object? v) && v is string s ? s : null;

    private static string? Join(Dictionary<string, object?> f, string key) =>
        f.TryGetValue(key, out object? v) && v is IEnumerable<string> list ? string.Join(",", list) : null;

    private static long? Long(Dictionary<string, object?> f, string key) => f.TryGetValue(key, out object? v) ? v switch
    {
        int i => i,
        long l => l,
        ulong u => (long)Math.Min(u, long.MaxValue),
        double d when double.IsFinite(d) => (long)d,
        _ => null,
    } : null;

    private static double? Double(Dictionary<string, object?> f, string key) => f.TryGetValue(key, out object? v) ? v switch
    {
        int i => i,
        long l => l,
        double d when double.IsFinite(d) => d,
        string s when double.TryParse(s.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) => x,
        _ => null,
    } : null;
}
