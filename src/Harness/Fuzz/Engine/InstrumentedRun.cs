// InstrumentedRun: how the fuzz commands get IL coverage. The port must be the SharpFuzz-instrumented
// Allocator.dll for the IL edge map to fill, and a process cannot swap an assembly it loaded, so
// `harness fuzz` and `harness cmin` re-run themselves from the instrumented copy (the AFL
// engineer's InstrumentedLauncher) unless told not to. Only the real `harness` process relaunches:
// commands run from tests (Program.Run inside a test host) stay in-process and use the target's
// own feature map alone. SharpFuzz's probes keep no per-thread state (SharpFuzzTrace), so a
// campaign with several workers cannot read the IL map: it does not relaunch and runs on the
// target's features.
using System.Reflection;
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Engine;

public static class InstrumentedRun
{
    /// <summary>Null to continue in this process; otherwise the exit code of the instrumented child.</summary>
    public static int? RelaunchIfNeeded(bool noInstrument, TextWriter log)
    {
        if (noInstrument || InstrumentedLauncher.AllocatorIsInstrumented) return null;
        if (Assembly.GetEntryAssembly() != typeof(Program).Assembly) return null;
        string[] args = Environment.GetCommandLineArgs().Skip(1).ToArray();
        return InstrumentedLauncher.RelaunchInstrumentedIfNeeded(args, log);
    }

    /// <summary>
    /// Why parallel workers cannot read the IL map (null for one worker): SharpFuzz's probes write one
    /// map and one previous location for all threads, so two workers' executions would mix (and the
    /// engine's results would depend on timing).
    /// </summary>
    public static string? WhyNoIlMapForWorkers(int workers) =>
        workers > 1
            ? $"SharpFuzz's probes share one map and one previous location among threads; with {workers} workers the IL map cannot be told apart per execution, so this run uses the target's features only"
            : null;

    /// <summary>True when the IL edge map is fed by an instrumented port in this process.</summary>
    public static bool IlCoverageAvailable => InstrumentedLauncher.AllocatorIsInstrumented;
}
