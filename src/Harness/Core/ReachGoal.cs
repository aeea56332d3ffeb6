// ReachGoal: an event a system's target or scenario should make happen sometimes (Antithesis calls
// these "sometimes" assertions): a victim buffer evicted, an I/O error retried, a FreePageManager
// btree page split. Reaching one is never required of a single run, so an unreached goal fails
// nothing; it is counted over a campaign, and `harness report` lists the goals no run reached, so
// a coverage gap shows without reading the code. Goals are declared in the system's folder
// (Systems/<System>/<System>Reach.cs) and observed from the harness side: results of operations,
// the port's own counters, the runner's knowledge; never by hooks in the port.
namespace Harness.Core;

/// <param name="System">The system that declares it (its ISystem.Name).</param>
/// <param name="Name">Stable, lower case, unique within the system ("victim-evicted"): reports key on it.</param>
/// <param name="Description">One line: what happened when it is hit.</param>
public sealed record ReachGoal(string System, string Name, string Description)
{
    /// <summary>"system/name", the key of the goal in event logs and reports.</summary>
    public string Key => $"{System}/{Name}";
}
