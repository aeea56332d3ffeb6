// AflFaultSignals: how outcome classes appear to afl-fuzz. afl only knows "the child was killed by
// signal N", and names saved crashes crashes/id:...,sig:NN,... — so each fault class gets its own
// (fake) signal number and the class can be read off the file name. The numbers follow the classic
// meaning where one fits:
//
//   sig  name     class
//    4   SIGILL   UnexpectedError   the port raised (or failed to raise) an ERROR the oracle did not expect
//    6   SIGABRT  InvariantFailure  an Assert/numbered invariant/walker failed ("abort" in a checking build)
//    7   SIGBUS   (supervised only) the worker process died: an uncatchable crash (stack overflow,
//                 FailFast, native fault) or a kill; the real exit code goes to the supervisor's stderr
//    8   SIGFPE   HostException     a host exception escaped the port
//   10   SIGUSR1  ModelMismatch     port and model disagree
//   11   SIGSEGV  SimFault          access outside simulated memory / free of a non-block
//   12   SIGUSR2  Leak              heap not back at its baseline after deleting everything
//   14   SIGALRM  Hang              the execution exceeded its step budget (a deterministic "hang")
// Ok is status 0 (a normal exit). A wall-clock hang is afl's own timeout (saved under hangs/).
namespace Harness.Fuzz.Afl;

public static class AflFaultSignals
{
    public const int WorkerDied = 7;

    public static int SignalFor(FuzzOutcomeClass c) => c switch
    {
        FuzzOutcomeClass.Ok => 0,
        FuzzOutcomeClass.UnexpectedError => 4,
        FuzzOutcomeClass.InvariantFailure => 6,
        FuzzOutcomeClass.HostException => 8,
        FuzzOutcomeClass.ModelMismatch => 10,
        FuzzOutcomeClass.SimFault => 11,
        FuzzOutcomeClass.Leak => 12,
        FuzzOutcomeClass.Hang => 14,
        _ => 8,
    };

    /// <summary>The class a saved crash's signal stands for (null for 0 or unknown numbers, e.g. WorkerDied).</summary>
    public static FuzzOutcomeClass? ClassFor(int signal)
    {
        foreach (FuzzOutcomeClass c in Enum.GetValues<FuzzOutcomeClass>())
            if (c != FuzzOutcomeClass.Ok && SignalFor(c) == signal) return c;
        return null;
    }

    public static uint StatusFor(FuzzOutcomeClass c) =>
        c == FuzzOutcomeClass.Ok ? AflProtocol.OkStatus : AflProtocol.SignalledStatus(SignalFor(c));
}
