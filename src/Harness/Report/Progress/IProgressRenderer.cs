// IProgressRenderer: how a ProgressSink shows a snapshot: the live panel (LiveProgress), periodic
// plain lines (PlainProgress), or nothing (the sink then has no renderer). The sink decides when
// (throttled by the wall clock, display only); a renderer only draws.
namespace Harness.Report.Progress;

public interface IProgressRenderer
{
    /// <summary>Draws the snapshot; <paramref name="final"/> on the last call (the run is over).</summary>
    void Show(ProgressSnapshot snapshot, bool final);

    /// <summary>A line of the command's own output, written where it does not break the display.</summary>
    void Line(string text);

    /// <summary>Least wall-clock seconds between two non-final Show calls.</summary>
    double IntervalSeconds { get; }
}
