// InstrumentedLauncher: makes the current harness command run against the instrumented port.
//
// A process cannot swap an assembly it has already loaded, so when the loaded Allocator assembly
// is not SharpFuzz-instrumented the launcher builds (or reuses) an InstrumentedFolder and re-runs
// `dotnet <folder>/harness.dll <same args>` as a child with stdio inherited, returning its exit
// code. The child sees an instrumented Allocator and continues in-process (returns null).
// HARNESS_INSTRUMENTED_CHILD=1 marks the child, so a broken folder fails loudly instead of
// relaunching forever.
using System.Diagnostics;

namespace Harness.Fuzz.Instrumentation;

public static class InstrumentedLauncher
{
    public const string ChildVariable = "HARNESS_INSTRUMENTED_CHILD";

    /// <summary>True when the Allocator assembly loaded in this process is SharpFuzz-instrumented (it references SharpFuzz's runtime).</summary>
    public static bool AllocatorIsInstrumented { get; } =
        typeof(global::Allocator.Sim.SimHeap).Assembly.GetReferencedAssemblies().Any(n => n.Name == SharpFuzzTrace.RuntimeAssembly);

    /// <summary>
    /// Returns null when this process already runs the instrumented port (continue in-process);
    /// otherwise runs the same command in an instrumented copy and returns the child's exit code.
    /// </summary>
    public static int? RelaunchInstrumentedIfNeeded(string[] args, TextWriter log)
    {
        if (AllocatorIsInstrumented) return null;
        if (Environment.GetEnvironmentVariable(ChildVariable) == "1")
            throw new InvalidOperationException(
                $"relaunched with {ChildVariable}=1 but {typeof(global::Allocator.Sim.SimHeap).Assembly.Location} is not instrumented");

        string folder = InstrumentedFolder.Ensure(log);
        var psi = new ProcessStartInfo(DotnetHost.Path) { UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(folder, "harness.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment[ChildVariable] = "1";
        log.WriteLine($"relaunching instrumented: {DotnetHost.Path} {Path.Combine(folder, "harness.dll")} {string.Join(' ', args)}");
        using Process child = Process.Start(psi) ?? throw new InvalidOperationException("could not start the instrumented harness");
        child.WaitForExit();
        return child.ExitCode;
    }
}
