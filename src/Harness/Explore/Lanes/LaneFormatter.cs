// LaneFormatter: a replayed schedule as a person reads it: one column per backend, time going
// down, each step in the column of the backend that took it, and above a step the backend's
// holdings whenever they changed ("holds: ..."), so the lock and pin state of every backend, and the
// page values the scenario shows with the pins, can be read off at any row. Long cells wrap inside
// their column. The last rows are the outcome and the command that replays the schedule.
using System.Globalization;
using System.Text;

namespace Harness.Explore.Lanes;

public static class LaneFormatter
{
    public const int DefaultColumnWidth = 34;

    /// <summary>The view; at most <paramref name="maxRows"/> event rows (the last ones, where the
    /// failure is), each possibly wrapped over several lines.</summary>
    public static List<string> Format(LaneLog log, int maxRows = int.MaxValue, int width = DefaultColumnWidth)
    {
        if (width < 12) throw new ArgumentOutOfRangeException(nameof(width), "at least 12 columns");
        int n = log.Backends;
        var lines = new List<string>();
        var header = new StringBuilder($"{"step",5} ");
        var rule = new StringBuilder(new string('-', 5) + " ");
        for (int b = 0; b < n; b++)
        {
            header.Append("| ").Append(Pad($"backend {b}", width)).Append(' ');
            rule.Append("+-").Append(new string('-', width)).Append('-');
        }
        lines.Add(header.ToString().TrimEnd());
        lines.Add(rule.ToString());
        IReadOnlyList<LaneEvent> events = log.Events;
        int from = Math.Max(0, events.Count - maxRows);
        if (from > 0) lines.Add($"  ... {from} earlier rows omitted (the holdings below are as of each row)");
        for (int i = from; i < events.Count; i++)
        {
            LaneEvent e = events[i];
            if (e.Holds is not null) Row(lines, "", e.Backend, n, width, $"holds: {e.Holds}");
            string step = e.Kind == LaneEventKind.Step ? e.Step.ToString(CultureInfo.InvariantCulture) : "";
            string text = e.Kind switch
            {
                LaneEventKind.Note => $"» {e.Text}",
                LaneEventKind.Exit => "(exits)",
                _ => e.Text,
            };
            Row(lines, step, e.Backend, n, width, text);
        }
        return lines;
    }

    /// <summary>A cell in column <paramref name="backend"/>, wrapped to <paramref name="width"/>;
    /// the step number on its first line only.</summary>
    private static void Row(List<string> lines, string step, int backend, int n, int width, string text)
    {
        List<string> parts = Wrap(text, width);
        for (int p = 0; p < parts.Count; p++)
        {
            var sb = new StringBuilder();
            sb.Append((p == 0 ? step : "").PadLeft(5)).Append(' ');
            for (int b = 0; b < n; b++)
                sb.Append("| ").Append(Pad(b == backend ? parts[p] : "", width)).Append(' ');
            lines.Add(sb.ToString().TrimEnd());
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var parts = new List<string>();
        string rest = text;
        while (rest.Length > width)
        {
            int cut = rest.LastIndexOf(' ', width);
            if (cut <= width / 3) cut = width; // no good space: cut the word
            parts.Add(rest[..cut].TrimEnd());
            rest = "  " + rest[cut..].TrimStart();
        }
        parts.Add(rest);
        return parts;
    }

    private static string Pad(string s, int width) => s.Length >= width ? s[..width] : s.PadRight(width);
}
