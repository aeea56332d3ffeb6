// LivePanel: the status panel of a long run on a terminal, built with Spectre.Console: a bordered
// panel titled with the engine and what it runs, holding a two-column grid of ProgressFields.
// Render turns it into the exact text (with ANSI colours) a console of the given width would show,
// so LiveProgress can redraw it in place and tests can read it from a StringWriter.
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Harness.Report.Progress;

public static class LivePanel
{
    /// <summary>Widest panel drawn, however wide the terminal (a status panel, not a dashboard).</summary>
    public const int MaxWidth = 100;

    public static IRenderable Build(ProgressSnapshot s)
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap().PadRight(2));
        grid.AddColumn(new GridColumn());
        foreach ((string label, string value) in ProgressFields.Of(s))
            grid.AddRow(new Markup($"[grey]{Markup.Escape(label)}[/]"), new Markup(Highlight(label, value, s)));
        string state = s.Finished ? "done" : "running";
        return new Panel(grid)
        {
            Header = new PanelHeader($" {Markup.Escape(s.Engine)} {Markup.Escape(s.Title)} ({state}) "),
            Border = BoxBorder.Rounded,
            Expand = true,   // as wide as the console (Render caps it), so a long title is never cut
        };
    }

    // Findings in red when there are any; everything else plain.
    private static string Highlight(string label, string value, ProgressSnapshot s) =>
        label == "findings" && s.Findings > 0 ? $"[bold red]{Markup.Escape(value)}[/]" : Markup.Escape(value);

    /// <summary>The panel as text for a console <paramref name="width"/> columns wide; with
    /// <paramref name="ansi"/> false, plain characters only (what a test compares).</summary>
    public static string Render(ProgressSnapshot s, int width, bool ansi = true)
    {
        var text = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ansi ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = Math.Clamp(width, 40, MaxWidth);
        console.Write(Build(s));
        return text.ToString();
    }
}
