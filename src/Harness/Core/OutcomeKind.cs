// OutcomeKind: the one closed vocabulary of what a run of any engine can end in. The property
// engine, the explorer, the fuzzer, artifacts, the gate and reports all speak it; the detail of a
// failure (which invariant, which lock, which operation) goes in Outcome.Site and Outcome.Reason,
// never in a new kind. Each kind has one stable lower-case name, the form written to artifacts.
namespace Harness.Core;

public enum OutcomeKind : byte
{
    /// <summary>Nothing went wrong.</summary>
    Ok = 0,
    /// <summary>An access outside every mapped region, or a free of something that is not a block.</summary>
    Fault,
    /// <summary>An Assert() or a numbered invariant failed (a walker, a scenario's own check).</summary>
    InvariantFailed,
    /// <summary>The port and its reference model disagree (a value, an ERROR raised or not raised).</summary>
    ModelMismatch,
    /// <summary>Something was not given back: heap blocks, pins, locks held at the end.</summary>
    Leak,
    /// <summary>Nothing can run and someone waits: a cycle or a lock nobody will release.</summary>
    Deadlock,
    /// <summary>Nothing can run and a waiter sleeps on a lock that is free: its wake-up was lost.</summary>
    LostWakeup,
    /// <summary>Someone can run but a waiter never gets its turn under a fair schedule (starvation, a stuck spinlock).</summary>
    Livelock,
    /// <summary>A concurrent history that no sequential order of the model explains.</summary>
    NotLinearizable,
    /// <summary>A step or execution budget ran out (the run did not finish).</summary>
    Timeout,
    /// <summary>The run died: a host exception, a FATAL or PANIC, an unexpected ERROR, a replay that diverged.</summary>
    Crash,
    /// <summary>Behaviour PostgreSQL really has that looks wrong: replicated on purpose and reported, not fixed.</summary>
    Quirk,
}

public static class OutcomeKinds
{
    private static readonly string[] s_names =
    [
        "ok", "fault", "invariant-failed", "model-mismatch", "leak", "deadlock", "lost-wakeup",
        "livelock", "not-linearizable", "timeout", "crash", "quirk",
    ];

    public static IReadOnlyList<string> Names => s_names;

    /// <summary>The stable name written to artifacts and reports ("invariant-failed").</summary>
    public static string Name(this OutcomeKind kind) => s_names[(int)kind];

    public static bool TryParse(string name, out OutcomeKind kind)
    {
        int i = Array.IndexOf(s_names, name);
        kind = i < 0 ? OutcomeKind.Ok : (OutcomeKind)i;
        return i >= 0;
    }

    /// <summary>
    /// The kind that a version-1 artifact's outcome class meant. Version 1 had two vocabularies:
    /// the fuzzer's and property engine's enum names ("SimFault", "InvariantFailure", ...) and the
    /// explorer's lower-case kinds ("deadlock", "invariant", "liveness", ...), whose site sometimes
    /// decided the meaning (a "deadlock" at site "lost-wakeup" was a lost wake-up).
    /// </summary>
    public static bool TryFromVersion1(string cls, string site, out OutcomeKind kind)
    {
        OutcomeKind? k = cls switch
        {
            "Ok" or "ok" => OutcomeKind.Ok,
            "ModelMismatch" or "UnexpectedError" => OutcomeKind.ModelMismatch,
            "InvariantFailure" or "assertion" => OutcomeKind.InvariantFailed,
            "invariant" => site == LinearizabilitySite ? OutcomeKind.NotLinearizable : OutcomeKind.InvariantFailed,
            "SimFault" or "fault" => OutcomeKind.Fault,
            "Leak" => OutcomeKind.Leak,
            "HostException" or "crash" or "fatal" or "error" or "divergence" => OutcomeKind.Crash,
            "Hang" or "step-bound" => OutcomeKind.Timeout,
            "deadlock" => site == "lost-wakeup" ? OutcomeKind.LostWakeup : OutcomeKind.Deadlock,
            "liveness" => OutcomeKind.Livelock,
            "panic" => site.Contains("stuck spinlock", StringComparison.Ordinal) ? OutcomeKind.Livelock : OutcomeKind.Crash,
            _ => null,
        };
        kind = k ?? OutcomeKind.Ok;
        return k is not null;
    }

    /// <summary>The site scenarios use for a failed linearizability check.</summary>
    public const string LinearizabilitySite = "linearizability";
}
