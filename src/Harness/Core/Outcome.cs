// Outcome: how one execution of any engine ended: its kind (the closed vocabulary of
// OutcomeKind), the step at which it happened (operation index, schedule step or -1), a short
// stable Site and one line of Reason for people. Kind and Site together are the signature by
// which engines de-duplicate findings and replays decide "the same failure happened again".
namespace Harness.Core;

/// <param name="Kind">What kind of outcome.</param>
/// <param name="Step">The failing operation (index into the decoded input or op list) or schedule
/// step; -1 when none applies.</param>
/// <param name="Site">Where it failed, short and stable: no addresses or sizes, so that two
/// inputs failing the same way share it (e.g. "pfree/assert", "cycle").</param>
/// <param name="Reason">One line for humans.</param>
public readonly record struct Outcome(OutcomeKind Kind, long Step, string Site, string Reason)
{
    public static Outcome Ok { get; } = new(OutcomeKind.Ok, -1, "", "ok");

    public bool IsFailure => Kind != OutcomeKind.Ok;

    /// <summary>The de-duplication key: kind name and site ("invariant-failed:Realloc/assert").</summary>
    public string Signature => $"{Kind.Name()}:{Site}";

    public override string ToString() => IsFailure ? $"{Kind.Name()} [{Site}] at step {Step}: {Reason}" : "ok";
}
