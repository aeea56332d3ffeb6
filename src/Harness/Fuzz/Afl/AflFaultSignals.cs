// AflFaultSignals: how outcome kinds appear to afl-fuzz. afl only knows "the child was killed by
// signal N", and names saved crashes crashes/id:...,sig:NN,... — so each failure kind gets its own
// (fake) signal number and the kind can be read off the file name. The numbers follow the classic
// meaning where one fits:
//
//   sig  name     kind
//    4   SIGILL   quirk             behaviour PostgreSQL really has, reported as a finding of its own
//    5   SIGTRAP  not-linearizable  a history no sequential order explains
//    6   SIGABRT  invariant-failed  an Assert/numbered invariant/walker failed ("abort" in a checking build)
//    7   SIGBUS   (supervised only) the worker process died: an uncatchable crash (stack overflow,
//                 FailFast, native fault) or a kill; the real exit code goes to the supervisor's stderr
//    8   SIGFPE   crash             a host exception escaped the port, or the simulated backend died
//   10   SIGUSR1  model-mismatch    port and model disagree (a value, or an ERROR raised or not)
//   11   SIGSEGV  fault             access outside simulated memory / free of a non-block
//   12   SIGUSR2  leak              heap not back at its baseline after deleting everything
//   13   SIGPIPE  deadlock          nothing can run
//   14   SIGALRM  timeout           the execution exceeded its step budget (a deterministic "hang")
//   15   SIGTERM  lost-wakeup       nothing can run and a waiter sleeps on a free lock
//   16   SIGSTKFLT livelock         a waiter never gets its turn under a fair schedule
// Ok is status 0 (a normal exit). A wall-clock hang is afl's own timeout (saved under hangs/).
using Harness.Core;

namespace Harness.Fuzz.Afl;

public static class AflFaultSignals
{
    public const int WorkerDied = 7;

    public static int SignalFor(OutcomeKind c) => c switch
    {
        OutcomeKind.Ok => 0,
        OutcomeKind.Quirk => 4,
        OutcomeKind.NotLinearizable => 5,
        OutcomeKind.InvariantFailed => 6,
        OutcomeKind.Crash => 8,
        OutcomeKind.ModelMismatch => 10,
        OutcomeKind.Fault => 11,
        OutcomeKind.Leak => 12,
        OutcomeKind.Deadlock => 13,
        OutcomeKind.Timeout => 14,
        OutcomeKind.LostWakeup => 15,
        OutcomeKind.Livelock => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "an outcome kind without a signal"),
    };

    /// <summary>The class a saved crash's signal stands for (null for 0 or unknown numbers, e.g. WorkerDied).</summary>
    public static OutcomeKind? ClassFor(int signal)
    {
        foreach (OutcomeKind c in Enum.GetValues<OutcomeKind>())
            if (c != OutcomeKind.Ok && SignalFor(c) == signal) return c;
        return null;
    }

    public static uint StatusFor(OutcomeKind c) =>
        c == OutcomeKind.Ok ? AflProtocol.OkStatus : AflProtocol.SignalledStatus(SignalFor(c));
}
