// LibFuzzerWorker: the managed half of libFuzzer mode. Started by tools/libfuzzer/driver.c (the
// protocol variables set), it hands a callback to SharpFuzz's Fuzzer.LibFuzzer.Run, which attaches
// the driver's segment, points SharpFuzz.Common.Trace.SharedMem at its first 64 KiB, and runs the
// callback once per input until the driver goes away or the callback throws.
//
// SharpFuzzTrace's module initialiser has already pointed the probes at the process's private
// buffer; that is what the warm-up writes (so one-time work is not coverage of the first input),
// and Run then re-points them at the shared map, which from then on is the only map written. When
// Run returns the segment is detached, so the probes go back to the private buffer before any more
// instrumented code can run (the exit path, a replay).
//
// A failing outcome is thrown as a LibFuzzerFindingException: SharpFuzz prints it on stderr and
// answers with its crash status, the driver traps, libFuzzer writes crash-<sha1>. The worker then
// prints the outcome once more in the harness's words and exits with ExitFailure.
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Instrumentation;
using SharpFuzz;

namespace Harness.Fuzz.LibFuzzer;

public static class LibFuzzerWorker
{
    public static int Run(IFuzzTarget target, TextWriter log)
    {
        if (!LibFuzzerProtocol.Present)
            throw new InvalidOperationException("not started by the libFuzzer driver (the __LIBFUZZER_* variables are not set)");
        AflRunner.WarmUp(target);
        Outcome? finding = null;
        try
        {
            Fuzzer.LibFuzzer.Run(input =>
            {
                Outcome o = AflRunner.RunOnce(target, input);
                if (!o.IsFailure) return;
                finding = o;
                throw new LibFuzzerFindingException(target.Name, o);
            });
        }
        finally
        {
            SharpFuzzTrace.UsePrivateBuffer();
        }
        if (finding is not Outcome f) return ExitCodes.Ok;   // the driver closed the pipes: libFuzzer is done
        log.WriteLine($"libfuzzer-worker: finding {f.Signature}: {LibFuzzerFindingException.Describe(f)}");
        return ExitCodes.Finding;
    }
}
