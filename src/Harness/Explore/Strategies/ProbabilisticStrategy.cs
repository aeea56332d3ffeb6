// ProbabilisticStrategy: keeps running the previous backend with probability 1 - 2^-b and otherwise
// picks uniformly (Coyote's "probabilistic", b = 3 by default). Long uninterrupted runs with
// occasional switches; a yielding backend is always switched away from. Fair.
using Allocator.Common;

namespace Harness.Explore.Strategies;

public sealed class ProbabilisticStrategy : ISchedulingStrategy
{
    public const int DefaultBits = 3;

    private readonly ulong _seed;
    private readonly int _bits;
    private Prng _prng;

    public ProbabilisticStrategy(ulong seed, int bits = DefaultBits)
    {
        if (bits < 1 || bits > 16) throw new ArgumentOutOfRangeException(nameof(bits));
        _seed = seed;
        _bits = bits;
        _prng = new Prng(seed);
    }

    public string Name => "probabilistic";
    public bool IsFair => true;

    public bool BeginIteration(int iteration, int backends)
    {
        _prng = new Prng(Prng.Derive(_seed, (ulong)iteration));
        return true;
    }

    public int Choose(ulong enabled, int previous, bool previousYielding, int decision)
    {
        if (!previousYielding && EnabledSet.Contains(enabled, previous) && !_prng.Chance(1, 1UL << _bits)) return previous;
        return EnabledSet.Nth(enabled, _prng.Index(EnabledSet.Count(enabled)));
    }

    public void EndIteration(int decisions) { }

    public string Describe() => $"probabilistic b={_bits}";
}
