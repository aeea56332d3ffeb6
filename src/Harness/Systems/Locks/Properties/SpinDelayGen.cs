// SpinDelayGen: FsCheck generators and the shrinker of spin-delay op lists (SpinWaitOp). Wait
// lengths are boundary-heavy in units of spins_per_delay: one spin short of a sleep, exactly at it,
// one past it; short waits that never sleep (so finish_spin_delay raises spins_per_delay), a few
// sleeps, and long waits of 11-40 sleeps, where the growing delay passes MAX_DELAY_USEC and wraps
// (after the 10th sleep with the max profile, after about 17 with uniform draws). A never-released
// lock (the stuck-spinlock PANIC, NUM_DELAYS + 1 rounds of spins) comes in about one op in twenty,
// since it costs up to a million failed spins.
//
// Shrinking: drop chunks of ops, then simplify one op: fewer sleeps, no extra spins, fixed draws.
using FsCheck;
using FsCheck.Fluent;
using Harness.Properties;
using Harness.Systems.Locks.Oracle;

namespace Harness.Systems.Locks.Properties;

public static class SpinDelayGen
{
    public static Gen<DrawProfile> Draws { get; } = Gen.Frequency(
        (6, Gen.Constant(DrawProfile.Uniform)),
        (2, Gen.Constant(DrawProfile.Max)),
        (1, Gen.Constant(DrawProfile.Zero)),
        (1, Gen.Constant(DrawProfile.Half)));

    public static Gen<uint> Seed { get; } = Gen.Choose(0, int.MaxValue).Select(i => (uint)i);

    public static Gen<int> Sleeps { get; } = Gen.Frequency(
        (4, Gen.Choose(0, 3)),
        (5, Gen.Choose(11, 40)),
        (1, Gen.Choose(4, 10)),
        (1, Gen.Choose(41, 120)));

    public static Gen<int> Extra { get; } = Gen.Frequency(
        (5, Gen.Elements(-1, 0, 1)),
        (2, Gen.Choose(2, 60)));

    public static Gen<SpinWaitOp> WaitOp { get; } =
        from sleeps in Sleeps
        from extra in Extra
        from draws in Draws
        from seed in Seed
        select SpinWaitOp.Wait(sleeps, extra, draws, seed);

    public static Gen<SpinWaitOp> StuckOp { get; } =
        from draws in Draws
        from seed in Seed
        select SpinWaitOp.Stuck(draws, seed);

    public static Gen<SpinWaitOp> Op { get; } = Gen.Frequency(
        (11, WaitOp),
        (3, Gen.Constant(SpinWaitOp.Free)),
        (2, Gen.Constant(SpinWaitOp.Restart)),
        (1, StuckOp));

    public static Gen<SpinWaitOp[]> Ops(int maxOps) =>
        OpListGen.Of(Op, maxOps);

    public static Arbitrary<SpinWaitOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), Shrink);

    public static IEnumerable<SpinWaitOp[]> Shrink(SpinWaitOp[] ops) => OpListShrinker.Shrink(ops, Simpler);

    private static IEnumerable<SpinWaitOp> Simpler(SpinWaitOp o)
    {
        if (o.Kind is SpinWaitKind.Free or SpinWaitKind.Restart) yield break;
        if (o.Kind == SpinWaitKind.Wait)
        {
            if (o.Sleeps > 1) yield return o with { Sleeps = o.Sleeps / 2 };
            if (o.Sleeps > 0) yield return o with { Sleeps = o.Sleeps - 1 };
            if (o.Extra != 0) yield return o with { Extra = 0 };
        }
        if (o.Draws != DrawProfile.Max) yield return o with { Draws = DrawProfile.Max, Seed = 0 };
        if (o.Draws == DrawProfile.Uniform && o.Seed != 0) yield return o with { Seed = 0 };
    }
}
