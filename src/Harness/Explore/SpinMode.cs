// SpinMode and StepBoundPolicy: how the controlled runtime treats spinning, and what running out of
// steps means.
namespace Harness.Explore;

public enum SpinMode : byte
{
    /// <summary>A failed spin blocks the backend until the watched word changes (default): spin loops
    /// cannot livelock unfair strategies, a never-released spinlock becomes a deadlock report naming
    /// the holder, and one decision replaces many spins.</summary>
    Blocking = 0,
    /// <summary>Every failed spin and spin-delay sleep is a yielding step, as on real hardware, so
    /// perform_spin_delay's counters run and a spinlock that is never released ends in
    /// "stuck spinlock detected" (PANIC). For testing the spin-delay logic itself.</summary>
    Yielding = 1,
}

public enum StepBoundPolicy : byte
{
    /// <summary>Reaching the step bound is a failure (a livelock or an unfair spin).</summary>
    Fail = 0,
    /// <summary>Reaching the step bound just ends the iteration (counted as "bounded").</summary>
    Continue = 1,
}
