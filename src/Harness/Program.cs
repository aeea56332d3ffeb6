// Entry point of the `harness` tool: hands the command line to CliApp (System.CommandLine), which
// finds the subcommand, prints help, suggestions and errors, and returns one of ExitCodes.
using Harness.Cli;

namespace Harness;

public static class Program
{
    private static readonly Type[] CommandTypes = ConcreteTypes<IHarnessCommand>().ToArray();

    /// <summary>A fresh instance of every command, in name order (one per command line: commands
    /// keep their declared options in fields).</summary>
    public static IReadOnlyList<IHarnessCommand> CreateCommands() =>
        CommandTypes.Select(t => (IHarnessCommand)Activator.CreateInstance(t)!).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    /// <summary>Every gate suite in this assembly: those that run first, then the rest, each in name order.</summary>
    public static IReadOnlyList<Gate.IGateSuite> GateSuites { get; } =
        Discover<Gate.IGateSuite>().OrderBy(s => s.RunsFirst ? 0 : 1).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();

    /// <summary>One instance of every concrete type implementing T (public parameterless constructor).</summary>
    public static IEnumerable<T> Discover<T>() => ConcreteTypes<T>().Select(t => (T)Activator.CreateInstance(t)!);

    private static IEnumerable<Type> ConcreteTypes<T>() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(T).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null);

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <param name="systems">The systems commands may run (default: SystemRegistry.Default; tests add their own).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Core.SystemRegistry? systems = null) =>
        new CliApp(systems ?? Core.SystemRegistry.Default, stdout, stderr).Run(args);
}
