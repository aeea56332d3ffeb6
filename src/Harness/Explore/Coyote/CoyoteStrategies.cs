// CoyoteStrategies: the exploration strategies Coyote 1.7.11 offers through its public
// Configuration API, by the names `harness explore --engine coyote --strategy` takes, and our
// explorer's names mapped onto them where they mean the same thing (pct is Coyote's
// "prioritization", fair-pct its "fair-prioritization"). The strategy value is Coyote's bound:
// priority change points (prioritization), delays (delay-bounding) or the probability level
// (probabilistic: stay with probability 1 - 0.5^value). Coyote's DFS strategy exists but its
// Configuration method is internal in 1.7.11, so it is not offered.
using Microsoft.Coyote;

namespace Harness.Explore.Coyote;

public static class CoyoteStrategies
{
    /// <summary>Every strategy name, Coyote's own first, then our aliases.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["random", "probabilistic", "prioritization", "fair-prioritization", "delay-bounding", "fair-delay-bounding", "q-learning", "pct", "fair-pct"];

    /// <summary>Our names for the same strategies (pct, fair-pct) to Coyote's.</summary>
    public static string Canonical(string name) => name switch
    {
        "pct" => "prioritization",
        "fair-pct" => "fair-prioritization",
        _ => name,
    };

    /// <summary>True if the strategy is fair (random or ends every iteration with a random suffix),
    /// which is what liveness checking needs.</summary>
    public static bool IsFair(string name) => Canonical(name) is "random" or "probabilistic" or "fair-prioritization" or "fair-delay-bounding";

    /// <summary>Coyote's default bound for the strategy (what it uses when none is given).</summary>
    public static int DefaultValue(string name) => Canonical(name) switch
    {
        "probabilistic" => 3,
        "prioritization" or "fair-prioritization" or "delay-bounding" or "fair-delay-bounding" => 10,
        _ => 0,
    };

    public static Configuration Apply(Configuration c, string name, int value) => Canonical(name) switch
    {
        "random" => c.WithRandomStrategy(),
        "probabilistic" => c.WithProbabilisticStrategy((uint)value),
        "prioritization" => c.WithPrioritizationStrategy(false, (uint)value),
        "fair-prioritization" => c.WithPrioritizationStrategy(true, (uint)value),
        "delay-bounding" => c.WithDelayBoundingStrategy(false, (uint)value),
        "fair-delay-bounding" => c.WithDelayBoundingStrategy(true, (uint)value),
        "q-learning" => c.WithQLearningStrategy(),
        _ => throw new ArgumentException($"unknown Coyote strategy '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>The Coyote strategy closest to one of our explorer's (for side-by-side runs): the same
    /// name where Coyote has it; our dfs and portfolio have no public Coyote counterpart, and
    /// prioritization (PCT) stands in for them.</summary>
    public static string CounterpartOf(string ours) => ours switch
    {
        "random" or "probabilistic" => ours,
        "fair-pct" => "fair-prioritization",
        _ => "prioritization",
    };

    /// <summary>Coyote's seed is 32 bits; ours are 64. The fold is fixed, printed with every run and
    /// recorded in artifacts, so the same harness seed always gives the same Coyote seed.</summary>
    public static uint SeedOf(ulong seed) => (uint)(seed ^ (seed >> 32));
}
