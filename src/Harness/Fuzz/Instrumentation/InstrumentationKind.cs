// InstrumentationKind: which IL instrumentation of the port a fuzz command runs on.
//   cecil      our Mono.Cecil instrumenter (IlInstrumenter), applied when the instrumented copy is
//              first built; per-thread probes for parallel workers; honours [ExcludeFromCodeCoverage].
//   sharpfuzz  SharpFuzz 2.3.0's instrumenter, applied at build time (Directory.Build.targets,
//              target SharpFuzzInstrumentAllocator); one process-wide map and previous location.
// Both write AFL edges into the same 64 KiB map (CoverageMap; SharpFuzzTrace binds SharpFuzz's).
namespace Harness.Fuzz.Instrumentation;

public enum InstrumentationKind
{
    Cecil,
    SharpFuzz,
}

public static class InstrumentationKinds
{
    public const string OptionName = "instrumentation";

    /// <summary>What `harness fuzz`, `afl` and `cmin` use when --instrumentation is not given.</summary>
    public const InstrumentationKind Default = InstrumentationKind.Cecil;

    public static string Name(this InstrumentationKind k) => k switch
    {
        InstrumentationKind.Cecil => "cecil",
        InstrumentationKind.SharpFuzz => "sharpfuzz",
        _ => throw new ArgumentOutOfRangeException(nameof(k), k, null),
    };

    public static InstrumentationKind Parse(string? name) => name switch
    {
        null => Default,
        "cecil" => InstrumentationKind.Cecil,
        "sharpfuzz" => InstrumentationKind.SharpFuzz,
        _ => throw new Harness.Cli.UsageException($"--{OptionName} takes cecil or sharpfuzz, not '{name}'"),
    };

    /// <summary>The instrumentation of the Allocator assembly loaded in this process (null: none).</summary>
    public static InstrumentationKind? Loaded
    {
        get
        {
            System.Reflection.Assembly port = typeof(global::Allocator.Sim.SimHeap).Assembly;
            if (port.GetCustomAttributes(typeof(Harness.Coverage.InstrumentedAssemblyAttribute), false).Length > 0) return InstrumentationKind.Cecil;
            if (port.GetReferencedAssemblies().Any(n => n.Name == SharpFuzzTrace.RuntimeAssembly)) return InstrumentationKind.SharpFuzz;
            return null;
        }
    }

    /// <summary>True when the kind gives each engine worker thread its own edge map (parallel workers can read IL coverage).</summary>
    public static bool HasPerThreadMaps(this InstrumentationKind k) => k == InstrumentationKind.Cecil;
}
