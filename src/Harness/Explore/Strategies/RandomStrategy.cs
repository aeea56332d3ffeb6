// RandomStrategy: uniform over the enabled backends at every decision. Fair (every enabled backend
// keeps a fixed chance), so it can drive liveness monitors. Iteration i uses Prng.Derive(seed, i),
// so (seed, strategy, iteration) reruns one schedule while the code is unchanged.
using Allocator.Common;

namespace Harness.Explore.Strategies;

public sealed class RandomStrategy : ISchedulingStrategy
{
    private readonly ulong _seed;
    private Prng _prng;

    public RandomStrategy(ulong seed)
    {
        _seed = seed;
        _prng = new Prng(seed);
    }

    public string Name => "random";
    public bool IsFair => true;

    public bool BeginIteration(int iteration, int backends)
    {
        _prng = new Prng(Prng.Derive(_seed, (ulong)iteration));
        return true;
    }

    public int Choose(ulong enabled, int previous, bool previousYielding, int decision) =>
        EnabledSet.Nth(enabled, _prng.Index(EnabledSet.Count(enabled)));

    public void EndIteration(int decisions) { }

    public string Describe() => "random";
}
