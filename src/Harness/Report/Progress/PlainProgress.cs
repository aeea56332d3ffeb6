// PlainProgress: the renderer for logs, pipes and CI (--progress plain, or any output that is not a
// terminal): one ProgressFields line every IntervalSeconds (default 30), on the writer it is given
// (stderr, so stdout keeps only the command's own lines, which tests and scripts read). It never
// moves the cursor, so a log file reads top to bottom. The final state is not repeated: every
// command prints its own summary line.
namespace Harness.Report.Progress;

public sealed class PlainProgress : IProgressRenderer
{
    public const double DefaultIntervalSeconds = 30;

    private readonly TextWriter _out;
    private readonly TextWriter _lines;

    /// <param name="progress">Where progress lines go (stderr).</param>
    /// <param name="lines">Where the command's own lines go (stdout), unchanged.</param>
    public PlainProgress(TextWriter progress, TextWriter lines, double intervalSeconds = DefaultIntervalSeconds)
    {
        _out = progress;
        _lines = lines;
        IntervalSeconds = intervalSeconds;
    }

    public double IntervalSeconds { get; }

    public void Show(ProgressSnapshot snapshot, bool final)
    {
        if (final) return;
        _out.WriteLine(ProgressFields.Line(snapshot));
        _out.Flush();
    }

    public void Line(string text) => _lines.WriteLine(text);
}
