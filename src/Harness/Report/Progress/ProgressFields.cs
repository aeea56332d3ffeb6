// ProgressFields: a snapshot as (label, value) pairs, in display order, the one formatting both the
// plain line and the live panel use, so they always say the same thing the same way. Missing
// numbers are "-". Times are whole seconds, rates whole units per second.
using System.Globalization;

namespace Harness.Report.Progress;

public static class ProgressFields
{
    public static IReadOnlyList<(string Label, string Value)> Of(ProgressSnapshot s)
    {
        var rows = new List<(string, string)>
        {
            ("elapsed", Duration(s.ElapsedSeconds)),
            (s.Unit.Length == 0 ? "done" : s.Unit, s.Budget is long b ? $"{N(s.Done)}/{N(b)}" : N(s.Done)),
            (s.Unit.Length == 0 ? "rate" : s.Unit + "/s", s.Rate is double r ? N((long)r) : "-"),
            ("corpus", Opt(s.Corpus)),
            ("edges", (s.Edges is long e ? N(e) : "-") + (s.Features is long ft ? $" ({N(ft)} features)" : "")),
            ("schedules", Opt(s.Schedules)),
            ("findings", s.Failed is long fl ? $"{N(s.Findings)} ({N(fl)} failed)" : N(s.Findings)),
            ("last new", s.LastNewSeconds is double ln ? $"{Duration(Math.Max(0, s.ElapsedSeconds - ln))} ago" : "-"),
            ("stability", s.Stability is double st ? string.Create(CultureInfo.InvariantCulture, $"{st:0.00}%") : "-"),
        };
        if (s.Imported is long im) rows.Add(("imported", N(im)));
        return rows;
    }

    /// <summary>One line: "progress: fuzz mmgr | elapsed 12s | execs 4096/100000 | ...".</summary>
    public static string Line(ProgressSnapshot s) =>
        $"progress: {s.Engine} {s.Title} | " + string.Join(" | ", Of(s).Select(r => $"{r.Label} {r.Value}"));

    private static string Opt(long? v) => v is long x ? N(x) : "-";

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds as 42s, 3m07s or 2h05m.</summary>
    public static string Duration(double seconds)
    {
        long t = (long)seconds;
        return t < 60 ? $"{t}s" : t < 3600 ? $"{t / 60}m{t % 60:00}s" : $"{t / 3600}h{t % 3600 / 60:00}m";
    }
}
