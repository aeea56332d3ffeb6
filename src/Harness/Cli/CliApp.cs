// CliApp: the `harness` command line on System.CommandLine. Builds the command tree for one
// invocation (a fresh instance of every IHarnessCommand, with the given system registry), parses,
// and runs what matched, mapping every outcome onto ExitCodes:
//   - a parse error (unknown command or option, missing or malformed value) prints the errors and
//     System.CommandLine's "did you mean" suggestions, and exits Usage;
//   - -h/--help on any command or subcommand, and `harness help [COMMAND...]`, print generated help
//     (the root's ends with the exit-code table) and exit Ok;
//   - --version prints the informational version; [suggest:N] "LINE" prints completions
//     (`harness completion bash|zsh` prints the shell side);
//   - a command's exceptions: UsageException and UnknownNameException exit Usage, other
//     HarnessInputException BadInput, EnvironmentException EnvironmentError, anything else
//     InternalError with its stack trace.
// All output goes to the given writers (tests capture them); response files (@file) are off, so an
// argument starting with @ is an argument.
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Harness.Core;

namespace Harness.Cli;

public sealed class CliApp
{
    private readonly SystemRegistry _systems;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    public CliApp(SystemRegistry systems, TextWriter stdout, TextWriter stderr)
    {
        _systems = systems;
        _stdout = stdout;
        _stderr = stderr;
        Root = Build();
    }

    /// <summary>The whole command tree, as parsed.</summary>
    public RootCommand Root { get; }

    /// <summary>The informational version (version and commit), as --version prints it.</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public int Run(IReadOnlyList<string> args)
    {
        ParseResult result = Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0 && result.Action is ParseErrorAction error)
        {
            // Errors and suggestions both go to stderr; the help is one --help away, not repeated.
            error.ShowHelp = false;
            result.Invoke(new InvocationConfiguration { Output = _stderr, Error = _stderr, EnableDefaultExceptionHandler = false });
            _stderr.WriteLine($"Run 'harness {PathOf(result.CommandResult.Command)}--help' for usage.");
            return ExitCodes.Usage;
        }
        return result.Invoke(new InvocationConfiguration { Output = _stdout, Error = _stderr, EnableDefaultExceptionHandler = false });
    }

    private RootCommand Build()
    {
        var root = new RootCommand("harness: deterministic fuzzing and model checking of a PostgreSQL memory-subsystem port");
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new RootHelpAction((SynchronousCommandLineAction)help.Action!);
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        foreach (IHarnessCommand harnessCommand in Program.CreateCommands())
        {
            var command = new Command(harnessCommand.Name, harnessCommand.Summary);
            harnessCommand.Declare(command, _systems);
            Bind(command, harnessCommand);
            root.Add(command);
        }
        root.Add(HelpCommand(root));
        // `harness` alone: the overview, but as a usage error (nothing was asked for).
        root.SetAction(r =>
        {
            ((SynchronousCommandLineAction)help.Action!).Invoke(r);
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>Every node of the command's tree that can run (a leaf, or a node with its own
    /// arguments) runs the command; a node with only subcommands is an error unless one is named.</summary>
    private void Bind(Command command, IHarnessCommand harnessCommand)
    {
        if (command.Action is null && (command.Subcommands.Count == 0 || command.Arguments.Count > 0))
            command.SetAction(r => Execute(harnessCommand, r));
        foreach (Command sub in command.Subcommands) Bind(sub, harnessCommand);
    }

    private int Execute(IHarnessCommand command, ParseResult result)
    {
        string path = PathOf(result.CommandResult.Command).TrimEnd();
        try
        {
            return command.Run(new CommandArgs(result, _systems), _stdout, _stderr);
        }
        catch (UsageException e)
        {
            return Report(path, e.Message, ExitCodes.Usage, helpHint: true);
        }
        catch (UnknownNameException e)
        {
            return Report(path, e.Message, ExitCodes.Usage, helpHint: false);
        }
        catch (HarnessInputException e)
        {
            return Report(path, e.Message, ExitCodes.BadInput, helpHint: false);
        }
        catch (EnvironmentException e)
        {
            return Report(path, e.Message, ExitCodes.EnvironmentError, helpHint: false);
        }
        catch (Exception e)
        {
            return Report(path, $"internal error (a bug in the harness; please report it with this trace):\n{e}", ExitCodes.InternalError, helpHint: false);
        }
    }

    private int Report(string path, string message, int code, bool helpHint)
    {
        _stderr.WriteLine($"harness {path}: {message}");
        if (helpHint) _stderr.WriteLine($"Run 'harness {path} --help' for usage.");
        return code;
    }

    /// <summary>`harness help [COMMAND...]`: the same text as `harness COMMAND... --help`.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        Argument<string[]> words = CliOptions.ZeroOrMore("command", "the command (and subcommands) to explain, e.g. 'golden mmgr replay'");
        var help = new Command("help", "print the help of harness or of a command: 'harness help golden mmgr replay'") { words };
        help.SetAction(r =>
        {
            ParseResult inner = root.Parse([.. r.GetValue(words) ?? [], "--help"], new ParserConfiguration { ResponseFileTokenReplacer = null });
            int code = inner.Invoke(r.InvocationConfiguration);
            return inner.Errors.Count > 0 ? ExitCodes.Usage : code;
        });
        return help;
    }

    /// <summary>"golden mmgr replay " for that command (empty for the root), ready to prefix "--help".</summary>
    private static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Add(c.Name);
        names.Reverse();
        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }

    /// <summary>Help as System.CommandLine writes it; the root's ends with the exit codes.</summary>
    private sealed class RootHelpAction(SynchronousCommandLineAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand) ExitCodes.WriteTable(parseResult.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        }
    }

    /// <summary>--version: this assembly's informational version (the entry assembly is the test
    /// host under xunit, so System.CommandLine's own would print the wrong one there).</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitCodes.Ok;
        }
    }
}
