// IHarnessCommand: one `harness <name>` subcommand. Commands are discovered by reflection over
// this assembly and listed in name order (ordinal), so adding a command is adding one file.
namespace Harness.Cli;

public interface IHarnessCommand
{
    /// <summary>The subcommand word, e.g. "gate" or "explore".</summary>
    string Name { get; }

    /// <summary>One line for `harness help`.</summary>
    string Summary { get; }

    /// <summary>The usage text printed by `harness help NAME` and on a usage error.</summary>
    string Usage { get; }

    /// <summary>Runs the command. Returns the process exit code.</summary>
    int Run(CommandArgs args, TextWriter stdout, TextWriter stderr);
}
