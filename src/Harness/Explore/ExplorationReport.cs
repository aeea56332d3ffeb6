// ExplorationReport: the counts an exploration reached and its first failure, fully described:
// the failure, where it was found (iteration, configuration, strategy parameters), the replay
// token, the readable trace, and the minimized schedule with its preemption counts.
namespace Harness.Explore;

public sealed record FailureReport(
    ExplorationFailure Failure,
    int Iteration,
    Scenarios.ScenarioConfig Config,
    string StrategyDescription,
    string Token,
    IReadOnlyList<string> Trace,
    int Preemptions,
    string? MinimizedToken,
    int MinimizedPreemptions,
    IReadOnlyList<string>? MinimizedTrace,
    bool DeterminismChecked,
    bool Deterministic)
{
    /// <summary>The lanes view (Lanes/LaneFormatter) of the minimized schedule, or of the original
    /// when minimization was off or removed nothing; its last line is the replay's outcome.</summary>
    public IReadOnlyList<string>? Lanes { get; init; }

    /// <summary>The same replay as <see cref="Lanes"/>, as events (for the HTML report's swimlanes).</summary>
    public Lanes.LaneLog? LaneLog { get; init; }
}

public sealed class ExplorationReport
{
    public required string Scenario { get; init; }
    public required string Strategy { get; init; }
    public required ulong Seed { get; init; }
    public int Iterations { get; set; }
    public int Completed { get; set; }
    public int Bounded { get; set; }
    public int Failures { get; set; }
    public long TotalSteps { get; set; }
    public long TotalDecisions { get; set; }
    public int MinSteps { get; set; } = int.MaxValue;
    public int MaxStepsSeen { get; set; }
    public int DistinctSchedules { get; set; }
    public bool Exhausted { get; set; }
    public double Seconds { get; set; }
    public FailureReport? FirstFailure { get; set; }

    /// <summary>The scenario's reach goals counted per explored schedule (null: it declares none).</summary>
    public Harness.Core.ReachTally? Reach { get; set; }

    public double StepsPerSecond => Seconds > 0 ? TotalSteps / Seconds : 0;
    public double IterationsPerSecond => Seconds > 0 ? Iterations / Seconds : 0;
}
