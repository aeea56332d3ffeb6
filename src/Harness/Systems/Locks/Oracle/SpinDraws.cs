// SpinDraws: the draws perform_spin_delay takes from pg_prng_double(&pg_global_prng_state), one per
// sleep, for each DrawProfile. The oracle makes two identical sources per wait, one for the port's
// runtime and one for the model, so neither can see what the other consumed.
using Allocator.Common;

namespace Harness.Systems.Locks.Oracle;

public static class SpinDraws
{
    /// <summary>The largest double below 1, the top of pg_prng_double's range.</summary>
    public static readonly double JustBelowOne = Math.BitDecrement(1.0);

    public static Func<double> For(DrawProfile profile, uint seed)
    {
        switch (profile)
        {
            case DrawProfile.Uniform:
                var prng = new Prng(Prng.Derive(0x53504E44UL, seed));
                // 53 random bits, as pg_prng_double takes them
                return () => (prng.NextU64() >> 11) * (1.0 / (1UL << 53));
            case DrawProfile.Zero:
                return () => 0.0;
            case DrawProfile.Max:
                return () => JustBelowOne;
            case DrawProfile.Half:
                return () => 0.5;
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, "no such draw profile");
        }
    }
}
