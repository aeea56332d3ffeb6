// FuzzRunResult: what a fuzzing run reached, in counts (the numbers that let it be repeated).
namespace Harness.Fuzz.Engine;

public sealed record FuzzRunResult(
    long Execs,
    bool StoppedByTime,
    double Seconds,
    int SeedInputs,
    IReadOnlyList<byte[]> Corpus,
    IReadOnlyList<Finding> Findings,
    int Edges,
    int Features,
    int Workers = 1,
    Harness.Core.ReachTally? Reach = null,
    PhaseTimes? Phases = null)
{
    /// <summary>Executions per second over the mutated executions, all workers together (display only).</summary>
    public double ExecsPerSecond => Seconds > 0 ? Execs / Seconds : 0;
}
