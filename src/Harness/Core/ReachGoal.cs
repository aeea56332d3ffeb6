// ReachGoal: an event a system's target or scenario should make happen sometimes (Antithesis calls
// these "sometimes" assertions): a slow path taken, an error recovered from, a resource given
// back. Reaching one is never required of a single run, so an unreached goal fails
// nothing; it is counted over a campaign, and `harness report` lists the goals no run reached, so
// a coverage gap shows without reading the code. Goals are declared in each system's own folder
// under Systems/ and observed from the harness side: results of operations,
// the port's own counters, the runner's knowledge; never by hooks in the port.
namespace Harness.Core;

/// <param name="System">The system that declares it (its ISystem.Name).</param>
/// <param name="Name">Stable, lower case, unique within the system (e.g. "segment-freed"): reports key on it.</param>
/// <param name="Description">One line: what happened when it is hit.</param>
public sealed record ReachGoal(string System, string Name, string Description)
{
    /// <summary>"system/name", the key of the goal in event logs and reports.</summary>
    public string Key => $"{System}/{Name}";
}
