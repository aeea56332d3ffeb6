// LiveProgress: the renderer for a terminal (--progress live, or stdout is a console outside CI).
// It keeps the LivePanel at the bottom of the screen and redraws it in place: the cursor goes back
// up over the last panel (ANSI "previous line" and "erase below") and the new one is written. A line
// of the command's own output (a finding, a corpus note) erases the panel, is printed, and the panel
// is drawn again below it, so nothing the command says is lost or overdrawn. The final panel stays
// on screen. Only ever attached to a terminal's stdout: machine-read output (JSONL, JUnit, SARIF)
// goes to files, or makes the sink pick the plain renderer.
using System.Text;

namespace Harness.Report.Progress;

public sealed class LiveProgress : IProgressRenderer
{
    private const string Esc = "\u001b[";

    private readonly TextWriter _terminal;
    private readonly Func<int> _width;
    private ProgressSnapshot? _last;
    private int _height;   // lines of the panel now on screen (0: none)

    /// <param name="width">The terminal's width, asked at each draw (it may be resized).</param>
    public LiveProgress(TextWriter terminal, Func<int> width, double intervalSeconds = 0.25)
    {
        _terminal = terminal;
        _width = width;
        IntervalSeconds = intervalSeconds;
    }

    public double IntervalSeconds { get; }

    public void Show(ProgressSnapshot snapshot, bool final)
    {
        _last = snapshot;
        var sb = new StringBuilder();
        Erase(sb);
        Draw(sb, snapshot);
        _terminal.Write(sb.ToString());
        _terminal.Flush();
    }

    public void Line(string text)
    {
        var sb = new StringBuilder();
        Erase(sb);
        sb.Append(text).Append('\n');
        if (_last is not null) Draw(sb, _last);
        _terminal.Write(sb.ToString());
        _terminal.Flush();
    }

    private void Erase(StringBuilder sb)
    {
        if (_height > 0) sb.Append(Esc).Append(_height).Append('F').Append(Esc).Append("0J");
        _height = 0;
    }

    private void Draw(StringBuilder sb, ProgressSnapshot s)
    {
        string panel = LivePanel.Render(s, _width()).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!panel.EndsWith('\n')) panel += "\n";
        sb.Append(panel);
        _height = panel.Count(c => c == '\n');
    }
}
