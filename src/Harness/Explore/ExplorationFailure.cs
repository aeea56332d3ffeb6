// ExplorationFailure: what went wrong in one explored schedule. Kind is the outcome class
// (deadlock, invariant, assertion, panic, fatal, error, fault, liveness, step-bound, divergence,
// crash); Site narrows it (the invariant's name, the assertion's condition, "cycle" or
// "lost-wakeup"), and Kind:Site is the signature that minimization must preserve.
using Allocator.Common;

namespace Harness.Explore;

public sealed record ExplorationFailure(string Kind, string Site, string Message, int Backend, long Step)
{
    public string Signature => $"{Kind}:{Site}";

    public override string ToString() => $"{Kind} ({Site}) at step {Step}{(Backend >= 0 ? $" in backend {Backend}" : "")}: {Message}";

    /// <summary>Classifies an exception that escaped a simulated backend.</summary>
    public static ExplorationFailure FromException(Exception e, int backend, long step) => e switch
    {
        ScenarioCheckException c => new("invariant", c.Site, c.Message, backend, step),
        AssertionFailureException a => new("assertion", a.Condition, a.Message, backend, step),
        PgFatalException f when f.Level == FatalLevel.Panic => new("panic", SiteOf(f.Message), f.ToString(), backend, step),
        PgFatalException f => new("fatal", SiteOf(f.Message), f.ToString(), backend, step),
        PgErrorException err => new("error", err.Message, err.ToString(), backend, step),
        SimFaultException s => new("fault", s.Access.ToString(), s.Message, backend, step),
        _ => new("crash", e.GetType().Name, $"{e.GetType().Name}: {e.Message}", backend, step),
    };

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
