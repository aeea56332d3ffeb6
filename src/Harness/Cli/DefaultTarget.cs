// DefaultTarget: the fuzz target a command uses when none is named: the one whose corpus or
// regression folder the file is in (fuzz/corpus/<folder>/..., fuzz/regressions/<folder>/...), else
// the only registered one, so no command names a system; otherwise the user must say which.
using Harness.Core;
using Harness.Fuzz;

namespace Harness.Cli;

public static class DefaultTarget
{
    public static string Name(SystemRegistry systems, string? path = null)
    {
        IReadOnlyList<FuzzTargetDef> all = FuzzTargets.All(systems);
        if (path is not null)
        {
            string[] parts = Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i + 1 < parts.Length; i++)
            {
                if (parts[i] is not ("corpus" or "regressions")) continue;
                FuzzTargetDef? def = all.FirstOrDefault(d => d.CorpusFolder == parts[i + 1]);
                if (def is not null) return def.Name;
            }
        }
        return all.Count == 1 ? all[0].Name
            : throw new UsageException($"which target? give --target (known: {string.Join(", ", all.Select(d => d.Name))})");
    }
}
