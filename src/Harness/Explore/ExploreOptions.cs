// ExploreOptions: every knob of an exploration, each with a documented default. Options that
// change what runs are recorded in repro artifacts and schedule tokens; the watchdog and gate spin
// count only decide when to give up or how to wait, never what runs.
namespace Harness.Explore;

public sealed record ExploreOptions
{
    /// <summary>Default step bound per iteration under blocking spin (the scenarios need a few hundred).</summary>
    public const int DefaultMaxSteps = 20_000;
    /// <summary>Default step bound under yielding spin: NUM_DELAYS sleeps at MIN_SPINS_PER_DELAY spins
    /// each must fit, so the stuck-spinlock PANIC can be reached.</summary>
    public const int DefaultYieldingMaxSteps = 200_000;

    /// <summary>Steps per iteration before the step-bound policy applies.</summary>
    public int MaxSteps { get; init; } = DefaultMaxSteps;
    public StepBoundPolicy StepBoundPolicy { get; init; } = StepBoundPolicy.Fail;
    public SpinMode SpinMode { get; init; } = SpinMode.Blocking;

    /// <summary>Enables hot/cold liveness monitors; the explorer sets it only for scenarios that need
    /// fairness, under fair strategies (an unfair schedule may starve a waiter legitimately).</summary>
    public bool Liveness { get; init; }
    /// <summary>Steps a backend may stay "waiting" (hot) before it is a liveness failure.</summary>
    public int LivenessThreshold { get; init; } = 2_000;

    /// <summary>How long a gate spins before sleeping (ManualResetEventSlim spin count).</summary>
    public int GateSpinCount { get; init; } = 20;
    /// <summary>Wall-clock limit for one iteration; exceeding it is a harness bug, not a finding.</summary>
    public int WatchdogSeconds { get; init; } = 60;
}
