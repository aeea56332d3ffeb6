// IFuzzTarget: bytes in, a classified outcome out. The in-process engine, the AFL++ worker, the
// regression replays and `harness show` all drive targets through this interface only, so a new
// target (buffer manager, DSA, schedules) plugs in by implementing it.
//
// Contract: Execute is total and deterministic. Any byte string is a valid input; the same bytes
// give the same outcome; the target catches everything the system under test throws and
// classifies it (HostException only for a host exception that the port should never raise).
namespace Harness.Fuzz;

/// <summary>Outcome classes, most benign first. The class and Site together de-duplicate findings.</summary>
public enum FuzzOutcomeClass : byte
{
    Ok = 0,
    /// <summary>Port and reference model disagree.</summary>
    ModelMismatch,
    /// <summary>An Assert() or numbered invariant failed, or a walker reported a WARNING it should not have.</summary>
    InvariantFailure,
    /// <summary>An access outside every mapped region, or free() of a non-block (SimFaultException).</summary>
    SimFault,
    /// <summary>The port raised an ERROR the oracle did not expect (or failed to raise one it did).</summary>
    UnexpectedError,
    /// <summary>After deleting everything the simulated heap is not back at its baseline.</summary>
    Leak,
    /// <summary>A host exception escaped the port (a bug in the port or harness).</summary>
    HostException,
    /// <summary>The execution exceeded its step budget (reported by engines, never by Execute).</summary>
    Hang,
}

/// <summary>The result of one execution.</summary>
/// <param name="Class">What kind of outcome.</param>
/// <param name="OpIndex">Index of the failing operation in the decoded input, or -1.</param>
/// <param name="Site">A short, stable description of where it failed (for de-duplication: no
/// addresses, no sizes; e.g. "pfree/AllocSetFree/sentinel").</param>
/// <param name="Reason">One line for humans.</param>
public readonly record struct FuzzOutcome(FuzzOutcomeClass Class, int OpIndex, string Site, string Reason)
{
    public static FuzzOutcome Ok { get; } = new(FuzzOutcomeClass.Ok, -1, "", "ok");

    public bool IsFailure => Class != FuzzOutcomeClass.Ok;

    /// <summary>The de-duplication key.</summary>
    public string Signature => $"{Class}:{Site}";
}

public interface IFuzzTarget
{
    /// <summary>Registered name, e.g. "allocator".</summary>
    string Name { get; }

    /// <summary>Decodes and runs one input; never throws.</summary>
    FuzzOutcome Execute(ReadOnlySpan<byte> input);

    /// <summary>Readable form of an input (one operation per line), for `harness show`.</summary>
    IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input);
}
