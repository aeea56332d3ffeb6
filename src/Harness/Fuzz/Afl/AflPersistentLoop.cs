// AflPersistentLoop: single-process persistent mode. This process speaks the forkserver protocol
// and runs the target itself, reporting its own pid. Fastest (no IPC beyond afl's pipes), but an
// afl timeout kills the whole campaign ("Unable to communicate with fork server"), so use it with
// a generous -t and targets whose runs are bounded by step budgets; otherwise use the supervisor.
using Harness.Cli;
using Harness.Core;

namespace Harness.Fuzz.Afl;

public static class AflPersistentLoop
{
    /// <summary>Runs until afl closes the control pipe. Returns the process exit code.</summary>
    public static int Run(IFuzzTarget target, string inputPath, AflForkserver server, TextWriter log)
    {
        AflRunner.WarmUp(target);
        AflSharedMap.Attach();
        var input = new AflInput(inputPath);
        if (!server.SendHello(Instrumentation.SharpFuzzTrace.MapSize))
        {
            log.WriteLine("afl-worker: cannot write the hello on the status pipe (not started by afl-fuzz?)");
            return ExitCodes.Usage;
        }
        int pid = Environment.ProcessId;
        while (server.WaitForRun(out _))
        {
            if (!server.ReportPid(pid)) break;
            Outcome outcome = AflRunner.RunOnce(target, input.Read());
            if (!server.ReportStatus(AflFaultSignals.StatusFor(outcome.Kind))) break;
        }
        return ExitCodes.Ok;
    }
}
