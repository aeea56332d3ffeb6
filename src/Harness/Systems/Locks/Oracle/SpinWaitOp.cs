// SpinWaitOp: one operation of the spin-delay oracle (SpinDelayRunner): what happens to the one
// backend's next S_LOCK of a spinlock, or its restart. Every op is valid in every state, because a
// wait's length is given in units of the backend's spins_per_delay at that moment (taken from the
// model, which the port must equal after every op):
//   free                    the lock is free at S_LOCK's TAS: s_lock is never entered
//   wait Dx+E PROFILE [S]   another backend holds it for D * spins_per_delay + E failed spins
//                           (at least 0) of the waiter, then releases it
//   stuck PROFILE [S]       the holder never releases: the stuck-spinlock PANIC
//   restart                 the backend exits (update_spins_per_delay) and a new one starts
//                           (set_spins_per_delay)
// PROFILE says where perform_spin_delay's draws come from (SpinDraws); S seeds the uniform one.
namespace Harness.Systems.Locks.Oracle;

public enum SpinWaitKind : byte
{
    Free,
    Wait,
    Stuck,
    Restart,
}

/// <summary>The draws pg_prng_double would return: seeded uniform ones, or one fixed value
/// that makes the delay's growth extreme or exact.</summary>
public enum DrawProfile : byte
{
    /// <summary>Uniform in [0, 1), from the op's seed.</summary>
    Uniform,
    /// <summary>Always 0: the delay never grows (every sleep is MIN_DELAY_USEC).</summary>
    Zero,
    /// <summary>Always the largest double below 1: the delay doubles and wraps after the 10th sleep.</summary>
    Max,
    /// <summary>Always 0.5: growth by exactly half, where rounding (+0.5, truncation) decides.</summary>
    Half,
}

/// <param name="Kind">What happens.</param>
/// <param name="Sleeps">Wait: D, the multiple of spins_per_delay the lock stays taken for.</param>
/// <param name="Extra">Wait: E, added failed spins (may be negative).</param>
/// <param name="Draws">Wait and stuck: the draw profile.</param>
/// <param name="Seed">Wait and stuck with uniform draws: the draws' seed.</param>
public readonly record struct SpinWaitOp(SpinWaitKind Kind, int Sleeps = 0, int Extra = 0, DrawProfile Draws = DrawProfile.Uniform, uint Seed = 0)
{
    public static SpinWaitOp Free { get; } = new(SpinWaitKind.Free);

    public static SpinWaitOp Restart { get; } = new(SpinWaitKind.Restart);

    public static SpinWaitOp Wait(int sleeps, int extra, DrawProfile draws, uint seed = 0) =>
        new(SpinWaitKind.Wait, sleeps, extra, draws, draws == DrawProfile.Uniform ? seed : 0);

    public static SpinWaitOp Stuck(DrawProfile draws, uint seed = 0) =>
        new(SpinWaitKind.Stuck, Draws: draws, Seed: draws == DrawProfile.Uniform ? seed : 0);

    /// <summary>Wait: how many failed spins the lock stays taken for, given spins_per_delay.</summary>
    public long FailedSpins(int spinsPerDelay) => Math.Max(0L, (long)Sleeps * spinsPerDelay + Extra);
}
