// LibFuzzerFindingException: how a failing outcome leaves the SharpFuzz callback. Fuzzer.LibFuzzer.Run
// turns any exception escaping the callback into its one crash status and prints the exception on
// stderr; the driver then traps so libFuzzer saves the input. The message carries the outcome's kind,
// step, site and reason, so the log of the run names the failing invariant even before a replay does.
using Harness.Core;

namespace Harness.Fuzz.LibFuzzer;

public sealed class LibFuzzerFindingException : Exception
{
    public LibFuzzerFindingException(string target, Outcome outcome)
        : base($"{target}: {Describe(outcome)}")
    {
    }

    /// <summary>"invariant-failed at op 3 (site): reason", the line every libFuzzer-mode message uses.</summary>
    public static string Describe(Outcome o) => $"{o.Kind.Name()} at op {o.Step} ({o.Site}): {o.Reason}";
}
