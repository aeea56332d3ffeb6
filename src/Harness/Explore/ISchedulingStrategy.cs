// ISchedulingStrategy: chooses who runs next at every step where more than one backend could.
// Three calls: start an iteration, choose, end the iteration (after shuttle's Scheduler trait).
// Strategies are deterministic functions of their seed, the iteration index and what they are shown;
// the controlled runtime never calls them for forced steps.
namespace Harness.Explore;

public interface ISchedulingStrategy
{
    /// <summary>Short name used on the command line and in reports ("random", "pct", "dfs", ...).</summary>
    string Name { get; }

    /// <summary>True if every enabled backend keeps being scheduled eventually (required by liveness monitors).</summary>
    bool IsFair { get; }

    /// <summary>Prepares iteration <paramref name="iteration"/> with <paramref name="backends"/> backends.
    /// Returns false when there is nothing left to explore (an exhausted DFS).</summary>
    bool BeginIteration(int iteration, int backends);

    /// <summary>Picks one backend from <paramref name="enabled"/> (a bit mask with at least two bits).
    /// <paramref name="previous"/> is the backend that ran the last step (-1 at the first decision or
    /// after it exited); <paramref name="previousYielding"/> says its pending operation is a yield
    /// (a failed spin). <paramref name="decision"/> counts decisions in this iteration from 0.
    /// Returns -1 only when replaying a schedule that no longer fits.</summary>
    int Choose(ulong enabled, int previous, bool previousYielding, int decision);

    /// <summary>The iteration ended after <paramref name="decisions"/> decisions.</summary>
    void EndIteration(int decisions);

    /// <summary>One line of parameters for the current iteration (PCT's n, k, d; DFS depth and bound).</summary>
    string Describe();
}

internal static class EnabledSet
{
    public static int Count(ulong mask) => System.Numerics.BitOperations.PopCount(mask);

    public static bool Contains(ulong mask, int b) => b >= 0 && (mask & (1UL << b)) != 0;

    /// <summary>The index-th member in ascending order.</summary>
    public static int Nth(ulong mask, int index)
    {
        for (int i = 0; i < index; i++) mask &= mask - 1;
        return System.Numerics.BitOperations.TrailingZeroCount(mask);
    }

    public static string Format(ulong mask)
    {
        var parts = new List<string>();
        for (int b = 0; mask != 0; b++, mask >>= 1) if ((mask & 1) != 0) parts.Add(b.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "{" + string.Join(",", parts) + "}";
    }
}
