// DefaultTarget: the fuzz target a command uses when none is named: the only registered one, so
// no command names a system; with several registered, the user must say which.
using Harness.Core;
using Harness.Fuzz;

namespace Harness.Cli;

public static class DefaultTarget
{
    public static string Name(SystemRegistry systems)
    {
        IReadOnlyList<FuzzTargetDef> all = FuzzTargets.All(systems);
        return all.Count == 1 ? all[0].Name
            : throw new UsageException($"which target? give --target (known: {string.Join(", ", all.Select(d => d.Name))})");
    }
}
