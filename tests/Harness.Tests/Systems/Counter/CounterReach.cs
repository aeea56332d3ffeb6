// CounterReach: the counter's reach goals, one that a short run reaches (the counter filled up to
// Cap) and one that no run can reach (a value above 1000 with Cap 5), so the tests can see a goal
// counted and a goal listed as never reached, through every engine and the report.
using Harness.Core;

namespace Harness.Tests.Systems.Counter;

internal static class CounterReach
{
    public static readonly ReachGoal Full = new(CounterSystem.SystemName, "full", "the counter reached Cap (5)");

    public static readonly ReachGoal Impossible = new(CounterSystem.SystemName, "above-1000", "the counter went above 1000 (it cannot: Cap is 5)");

    public static IReadOnlyList<ReachGoal> Goals { get; } = [Full, Impossible];

    /// <summary>Marks the goals one observed value reaches.</summary>
    public static void Observe(ReachHits hits, uint value)
    {
        if (value == BoundedCounter.Cap) hits.Hit(Full);
        if (value > 1000) hits.Hit(Impossible);
    }
}
