// StrategyFactory: strategies by command-line name.
namespace Harness.Explore.Strategies;

public static class StrategyFactory
{
    public static readonly string[] Names = ["random", "probabilistic", "pct", "fair-pct", "dfs", "portfolio"];

    /// <param name="depth">PCT bug depth d.</param>
    /// <param name="preemptions">DFS maximum preemption bound (-1: unbounded).</param>
    public static ISchedulingStrategy Create(string name, ulong seed, int depth = PctStrategy.DefaultDepth, int preemptions = DfsStrategy.DefaultMaxPreemptions) => name switch
    {
        "random" => new RandomStrategy(seed),
        "probabilistic" => new ProbabilisticStrategy(seed),
        "pct" => new PctStrategy(seed, depth),
        "fair-pct" => new FairPctStrategy(seed, depth),
        "dfs" => new DfsStrategy(preemptions),
        "portfolio" => new PortfolioStrategy(seed, depth),
        _ => throw new ArgumentException($"unknown strategy '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
