// ExplorationFailure: what went wrong in one explored schedule, in the harness's one outcome
// vocabulary (Core/OutcomeKind). Site narrows it (the invariant's name, the assertion's condition,
// "cycle", "hot-wait"), and Kind:Site is the signature that minimization must preserve. Message
// is the full, multi-line description (wait-for graph, lock holders).
using Allocator.Common;
using Harness.Core;

namespace Harness.Explore;

public sealed record ExplorationFailure(OutcomeKind Kind, string Site, string Message, int Backend, long Step)
{
    public string Signature => $"{Kind.Name()}:{Site}";

    public Outcome ToOutcome() => new(Kind, Step, Site, FirstLine(Message));

    public override string ToString() => $"{Kind.Name()} ({Site}) at step {Step}{(Backend >= 0 ? $" in backend {Backend}" : "")}: {Message}";

    /// <summary>Classifies an exception that escaped a simulated backend. A PANIC from s_lock's
    /// stuck-spinlock detector is a liveness failure (the holder never released); any other
    /// PANIC, FATAL or unexpected ERROR ends the backend: a crash.</summary>
    public static ExplorationFailure FromException(Exception e, int backend, long step) => e switch
    {
        ScenarioCheckException c => new(c.Site == OutcomeKinds.LinearizabilitySite ? OutcomeKind.NotLinearizable : OutcomeKind.InvariantFailed, c.Site, c.Message, backend, step),
        // an oracle's search budget ran out: the check did not finish (not a failure of the system)
        Linearizability.LinearizabilityUnknownException u => new(OutcomeKind.Timeout, Linearizability.LinearizabilityResult.UnknownSite, u.Message, backend, step),
        AssertionFailureException a => new(OutcomeKind.InvariantFailed, a.Condition, a.Message, backend, step),
        PgFatalException f when f.Level == FatalLevel.Panic && f.Message.Contains(StuckSpinlock, StringComparison.Ordinal) =>
            new(OutcomeKind.Livelock, SiteOf(f.Message), f.ToString(), backend, step),
        PgFatalException f => new(OutcomeKind.Crash, $"{f.Level.ToString().ToUpperInvariant()}: {SiteOf(f.Message)}", f.ToString(), backend, step),
        PgErrorException err => new(OutcomeKind.Crash, $"ERROR: {err.Message}", err.ToString(), backend, step),
        SimFaultException s => new(OutcomeKind.Fault, s.Access.ToString(), s.Message, backend, step),
        _ => new(OutcomeKind.Crash, e.GetType().Name, $"{e.GetType().Name}: {e.Message}", backend, step),
    };

    /// <summary>The text of s_lock_stuck's PANIC (s_lock.c).</summary>
    public const string StuckSpinlock = "stuck spinlock";

    public static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return nl < 0 ? s : s[..nl];
    }

    private static string SiteOf(string message)
    {
        int at = message.IndexOf(" at ", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }
}

/// <summary>A scenario's own invariant failed (mutual exclusion, a final count, a checker walker).</summary>
public sealed class ScenarioCheckException : Exception
{
    public string Site { get; }

    public ScenarioCheckException(string site, string message) : base(message) => Site = site;
}
