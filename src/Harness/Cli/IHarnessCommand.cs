// IHarnessCommand: one `harness <name>` subcommand. Commands are discovered by reflection over
// this assembly and listed in name order (ordinal), so adding a command is adding one file. A
// command declares its options, arguments and subcommands on a System.CommandLine Command (help,
// completion, suggestions and parse errors come from those declarations) and runs on the parse result.
using System.CommandLine;
using Harness.Core;

namespace Harness.Cli;

public interface IHarnessCommand
{
    /// <summary>The subcommand word, e.g. "gate" or "explore".</summary>
    string Name { get; }

    /// <summary>One line for `harness --help` and the top of the command's own help.</summary>
    string Summary { get; }

    /// <summary>Adds the command's options, arguments and subcommands to <paramref name="command"/>
    /// (already named and described). <paramref name="systems"/> is the registry the command runs
    /// with, for commands with one subcommand per system (golden, show). A command instance is built
    /// for one command line, so options may be instance fields that Run reads back.</summary>
    void Declare(Command command, SystemRegistry systems);

    /// <summary>Runs the command (or the subcommand args.Command). Returns an ExitCodes constant.</summary>
    int Run(CommandArgs args, TextWriter stdout, TextWriter stderr);
}
