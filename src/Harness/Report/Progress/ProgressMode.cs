// ProgressMode: which status display a long run gets (`--progress live|plain|none`, default auto).
// Auto picks the live panel only when a person is watching: stdout is the process's own console,
// not redirected, not under CI (CI=true or 1), and no machine-read output (JSONL, JUnit, SARIF) is
// going to stdout. Everything else gets plain periodic lines on stderr; tests, which hand
// Program.Run their own writers, always get plain.
using System.CommandLine;
using Harness.Cli;

namespace Harness.Report.Progress;

public enum ProgressMode
{
    Live,
    Plain,
    None,
}

public static class ProgressModes
{
    /// <summary>The --progress option of a long-running command (its value goes to Parse; left out: auto).</summary>
    public static Option<string?> Option() => CliOptions.OptionalChoice("--progress",
        "status display: live (a panel, terminals), plain (a line every 30 s on stderr), none; default: live on a terminal, plain otherwise and under CI",
        "live", "plain", "none", "auto");

    /// <summary>The explicit mode of --progress, or null for auto; a bad value is a UsageException.</summary>
    public static ProgressMode? Parse(string? option) => option switch
    {
        null or "auto" => null,
        "live" => ProgressMode.Live,
        "plain" => ProgressMode.Plain,
        "none" => ProgressMode.None,
        _ => throw new UsageException($"--progress takes live, plain or none, not '{option}'"),
    };

    /// <summary>The mode for an explicit choice or, with none given, from where stdout goes.</summary>
    public static ProgressMode Choose(ProgressMode? explicitMode, bool stdoutIsConsole, bool consoleRedirected, string? ciVariable, bool machineOutputOnStdout)
    {
        if (explicitMode is ProgressMode m) return machineOutputOnStdout && m == ProgressMode.Live ? ProgressMode.Plain : m;
        bool ci = ciVariable is not null && (ciVariable.Equals("true", StringComparison.OrdinalIgnoreCase) || ciVariable == "1");
        return stdoutIsConsole && !consoleRedirected && !ci && !machineOutputOnStdout ? ProgressMode.Live : ProgressMode.Plain;
    }
}
