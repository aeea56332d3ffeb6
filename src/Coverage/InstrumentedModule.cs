// InstrumentedModule and ModuleRegistry: which instrumented assemblies have been loaded into this
// process. Instrumented assemblies register from their module initialiser, so "is the port
// instrumented here?" has an answer before any probe fires.
namespace Harness.Coverage;

/// <summary>One loaded instrumented assembly.</summary>
public sealed record InstrumentedModule(string AssemblyName, string InstrumenterVersion, int ProbeCount);

internal static class ModuleRegistry
{
    private static readonly object s_lock = new();
    private static readonly List<InstrumentedModule> s_modules = new();

    public static int Count
    {
        get { lock (s_lock) return s_modules.Count; }
    }

    public static void Add(InstrumentedModule module)
    {
        lock (s_lock) s_modules.Add(module);
    }

    public static IReadOnlyList<InstrumentedModule> Snapshot()
    {
        lock (s_lock) return s_modules.ToArray();
    }
}
