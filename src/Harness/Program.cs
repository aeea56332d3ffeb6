// Entry point of the `harness` tool: finds the subcommand and runs it.
// Exit codes: 0 success, 1 a failure was found (or a check failed), 2 usage or input error.
using System.Reflection;
using Harness.Cli;

namespace Harness;

public static class Program
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static IReadOnlyList<IHarnessCommand> Commands { get; } =
        Discover<IHarnessCommand>().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    /// <summary>Every gate suite in this assembly: those that run first, then the rest, each in name order.</summary>
    public static IReadOnlyList<Gate.IGateSuite> GateSuites { get; } =
        Discover<Gate.IGateSuite>().OrderBy(s => s.RunsFirst ? 0 : 1).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>One instance of every concrete type implementing T (public parameterless constructor).</summary>
    public static IEnumerable<T> Discover<T>() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(T).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (T)Activator.CreateInstance(t)!);

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <param name="systems">The systems commands may run (default: SystemRegistry.Default; tests add their own).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Core.SystemRegistry? systems = null)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            if (args.Length > 1) return HelpFor(args[1], stdout, stderr);
            PrintHelp(stdout);
            return args.Length == 0 ? ExitUsage : ExitOk;
        }
        IHarnessCommand? command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            stderr.WriteLine($"harness: unknown command '{args[0]}'. Run 'harness help' for the list.");
            return ExitUsage;
        }
        try
        {
            return command.Run(new CommandArgs(args.Skip(1), systems: systems), stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"harness {command.Name}: {e.Message}");
            stderr.WriteLine(command.Usage);
            return ExitUsage;
        }
        catch (Core.HarnessInputException e)
        {
            stderr.WriteLine($"harness {command.Name}: {e.Message}");
            return ExitUsage;
        }
    }

    private static int HelpFor(string name, TextWriter stdout, TextWriter stderr)
    {
        IHarnessCommand? command = Commands.FirstOrDefault(c => c.Name == name);
        if (command is null)
        {
            stderr.WriteLine($"harness: unknown command '{name}'");
            return ExitUsage;
        }
        stdout.WriteLine(command.Usage);
        return ExitOk;
    }

    private static void PrintHelp(TextWriter stdout)
    {
        string version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        stdout.WriteLine($"harness {version}: deterministic fuzzing and model checking of a PostgreSQL memory-subsystem port");
        stdout.WriteLine();
        stdout.WriteLine("commands:");
        foreach (IHarnessCommand c in Commands) stdout.WriteLine($"  {c.Name,-12} {c.Summary}");
        stdout.WriteLine();
        stdout.WriteLine("'harness help COMMAND' prints a command's options.");
    }
}
