// TraceFormatter: the readable form of a schedule, one line per step: step, backend, operation,
// object, and a note for decisions (the enabled set, and whether it was a preemption).
using System.Globalization;
using Allocator.Sync;

namespace Harness.Explore;

public static class TraceFormatter
{
    public static List<string> Format(ScheduleTrace t, Func<ulong, string> nameOf, int maxLines = int.MaxValue)
    {
        var lines = new List<string> { $"{"step",5} {"backend",7}  {"operation",-12} {"object",-28} note" };
        var decisionAt = new Dictionary<int, int>();
        for (int d = 0; d < t.Decisions; d++) decisionAt[t.DecisionStep(d)] = d;
        int from = Math.Max(0, t.Steps - maxLines);
        if (from > 0) lines.Add($"  ... {from} earlier steps omitted");
        for (int i = from; i < t.Steps; i++)
        {
            string note = "";
            if (decisionAt.TryGetValue(i, out int d))
                note = $"decision #{d} of {EnabledSet.Format(t.DecisionEnabled(d))}{(t.IsPreemption(d) ? $", preempts {t.DecisionPrevious(d)}" : "")}";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{i,5} {t.StepBackend(i),7}  {SyncOps.NameOf(t.StepKind(i)),-12} {nameOf(t.StepObj(i)),-28} {note}").TrimEnd());
        }
        return lines;
    }
}
