// ExploreRun: what one exploration does: strategy and its parameters, seed, iteration budget,
// backend/ops overrides or swarm configuration, engine options, and what to do with a failure.
namespace Harness.Explore;

public sealed record ExploreRun
{
    public const int DefaultIterations = 1000;

    public string Strategy { get; init; } = "pct";
    public ulong Seed { get; init; } = 1;
    public int Iterations { get; init; } = DefaultIterations;
    /// <summary>PCT bug depth d.</summary>
    public int Depth { get; init; } = Strategies.PctStrategy.DefaultDepth;
    /// <summary>DFS maximum preemption bound (iterative 0..P); -1 for none.</summary>
    public int Preemptions { get; init; } = Strategies.DfsStrategy.DefaultMaxPreemptions;
    /// <summary>Coyote engine: the strategy's bound (priority changes, delays, probability level); null = Coyote's default.</summary>
    public int? StrategyValue { get; init; }
    public int? Backends { get; init; }
    public int? Ops { get; init; }
    /// <summary>Draw a new configuration (backends, ops, mix) per iteration.</summary>
    public bool Swarm { get; init; }
    public ExploreOptions Engine { get; init; } = new();
    public bool StopOnFirstFailure { get; init; } = true;
    public bool Minimize { get; init; } = true;
    public bool SelfCheck { get; init; } = true;

    /// <summary>Run only iterations i with i mod ShardCount == ShardIndex - 1 (1-based index). Exact
    /// only for strategies whose iteration i depends on (seed, i) alone: ShardableStrategies.</summary>
    public int ShardIndex { get; init; } = 1;
    public int ShardCount { get; init; } = 1;

    /// <summary>Strategies whose iterations are independent of each other (each derives its PRNG
    /// from the seed and the iteration number), so n shards together run exactly the iterations
    /// one machine runs. PCT learns its step count from earlier iterations, DFS walks one search
    /// tree, and the portfolio mixes them: sharding those would run different schedules.</summary>
    public static readonly string[] ShardableStrategies = ["random", "probabilistic"];
}
