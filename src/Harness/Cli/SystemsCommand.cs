// `harness systems`: lists the registered systems under test and what each offers the engines
// (property suites, fuzz targets, scenario sets), so a user sees what `check`, `fuzz` and
// `explore` accept without reading code.
using System.CommandLine;
using Harness.Core;

namespace Harness.Cli;

public sealed class SystemsCommand : IHarnessCommand
{
    public string Name => "systems";
    public string Summary => "list the systems under test and what each offers (properties, fuzz targets, scenarios)";

    public void Declare(Command command, SystemRegistry systems) { }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        foreach (Core.ISystem s in args.Systems.Systems)
        {
            stdout.WriteLine($"{s.Name}{(s.Aliases.Count == 0 ? "" : $" (also: {string.Join(", ", s.Aliases)})")}: {s.Description}");
            foreach (Core.ISystemPart p in s.Parts) stdout.WriteLine($"  {p.Engine,-11} {p.Summary}");
        }
        return ExitCodes.Ok;
    }
}
