// CommandArgs: what a command's Run reads: the System.CommandLine parse result of its own command
// line and the systems it may run. A thin typed accessor, so command bodies read declared options
// (`args.Value(_seed)`) rather than strings; all parsing, defaults, ranges and unknown-option
// errors happen in System.CommandLine against what each command declared (CliOptions), never here.
using System.CommandLine;
using Harness.Core;
using Harness.Fuzz.Engine;

namespace Harness.Cli;

public sealed class CommandArgs
{
    public CommandArgs(ParseResult result, SystemRegistry systems)
    {
        Result = result;
        Systems = systems;
    }

    /// <summary>The whole parse result (for the matched subcommand: Result.CommandResult.Command).</summary>
    public ParseResult Result { get; }

    /// <summary>The systems this command may run.</summary>
    public SystemRegistry Systems { get; }

    /// <summary>The innermost command that matched (a subcommand of golden, show, ...).</summary>
    public Command Command => Result.CommandResult.Command;

    /// <summary>The option's value, or null when it has no default and was not given.</summary>
    public T? Get<T>(Option<T> option) => Result.GetValue(option);

    /// <summary>The argument's value, or null when it is optional and was not given.</summary>
    public T? Get<T>(Argument<T> argument) => Result.GetValue(argument);

    /// <summary>The value of an option that has a default (every CliOptions factory with a fallback).</summary>
    public T Value<T>(Option<T> option) =>
        Result.GetValue(option) ?? throw new InvalidOperationException($"{option.Name} has no default value");

    /// <summary>True when the option was on the command line (not only its default).</summary>
    public bool Given(Option option) => Result.GetResult(option) is { Implicit: false };

    /// <summary>Reads the --ops-max and --canary options of a fuzz command (FuzzTargetOptions).</summary>
    public FuzzTargetConfig FuzzTargetConfig(FuzzTargetOptions options, FuzzTargetConfig? fallback = null)
    {
        FuzzTargetConfig c = fallback ?? Harness.Fuzz.Engine.FuzzTargetConfig.Default;
        return c with
        {
            OpsMax = Get(options.OpsMax) ?? c.OpsMax,
            Canary = Get(options.Canary) ?? c.Canary,
        };
    }
}
