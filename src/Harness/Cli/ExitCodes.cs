// ExitCodes: the one table of `harness` exit codes. Every command returns one of these constants,
// and CliApp maps what a command throws onto them: a parse error, a UsageException or an unknown
// name is Usage; any other HarnessInputException (a malformed artifact, a truncated corpus file, a
// bad JSONL log, a missing input file) is BadInput; an EnvironmentException (afl-fuzz not installed,
// no repository, a C build that fails) is EnvironmentError; anything else escaping a command is a
// bug of the harness itself, InternalError. `harness --help` prints Table; the README copies it.
namespace Harness.Cli;

public static class ExitCodes
{
    /// <summary>Clean: the command did its job and found nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>A finding: a failure was found, a check failed, a difference was seen, or a recorded
    /// failure did not reproduce. The output says which and how to reproduce it.</summary>
    public const int Finding = 1;

    /// <summary>The command line is wrong: unknown command or option, a missing or malformed value,
    /// options that do not go together, an unknown scenario, system, target or property name.</summary>
    public const int Usage = 2;

    /// <summary>An input file or folder cannot be used: missing, malformed, truncated, of a wrong
    /// format version, or inconsistent with its siblings (shards of different gates).</summary>
    public const int BadInput = 3;

    /// <summary>The machine lacks something the command needs: a tool (afl-fuzz, bash, a C compiler),
    /// the repository checkout, a PostgreSQL tree that builds.</summary>
    public const int EnvironmentError = 4;

    /// <summary>The harness itself failed (an exception no command expected): a bug to report,
    /// with the stack trace printed.</summary>
    public const int InternalError = 5;

    /// <summary>Every code with its name and meaning, in code order, as help and the README show them.</summary>
    public static IReadOnlyList<(int Code, string Name, string Meaning)> Table { get; } =
    [
        (Ok, "ok", "clean: nothing found, nothing wrong"),
        (Finding, "finding", "a failure found, a check failed, a difference, or a recorded failure that did not reproduce"),
        (Usage, "usage", "bad command line: unknown command or option, bad value, unknown scenario/system/target name"),
        (BadInput, "bad input", "an input file or folder is missing, malformed, truncated or inconsistent"),
        (EnvironmentError, "environment", "a tool or resource is missing (afl-fuzz, bash, the repository, a PostgreSQL tree)"),
        (InternalError, "internal", "a bug in the harness: an unexpected exception (stack trace printed)"),
    ];

    /// <summary>Writes the table, one code a line, as `harness --help` ends.</summary>
    public static void WriteTable(TextWriter w)
    {
        w.WriteLine("Exit codes:");
        foreach ((int code, string name, string meaning) in Table) w.WriteLine($"  {code}  {name,-12} {meaning}");
    }
}
