// IReachReporter: something that runs (a fuzz target, a scenario instance, a runner behind a
// property) and records which ReachGoals each run reached. The engines look for it with a type
// test, so a target without goals costs nothing and needs no change.
namespace Harness.Core;

public interface IReachReporter
{
    /// <summary>The current run's hits; the engine records and clears them after every run.</summary>
    ReachHits Reach { get; }
}
