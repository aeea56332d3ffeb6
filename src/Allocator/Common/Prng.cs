// Prng: the project's one pseudo-random number generator (SplitMix64 seeding xoshiro256**).
//
// Every engine, generator and strategy takes a Prng (or a ulong seed) as an explicit parameter; no
// code that decides what runs may use System.Random, Random.Shared, Guid.NewGuid or a clock. The
// sequence for a seed is fixed forever: changing this file changes every stored seed's meaning, so
// the golden-value test in tests/Harness.Tests pins it.
//
// Deliberately no floating point in the API: ranges are integers, probabilities are "n in d".
//
// Marked [ExcludeFromCodeCoverage]: the Allocator assembly is IL-instrumented for fuzzing, and the
// engines (and the port's own spin-delay jitter) draw from this generator, so probes here would
// report the engines' random choices as coverage of the port and steer the fuzzer by them. SharpFuzz
// does not read the attribute; the build excludes this type by name (-Allocator.Common.Prng).
using System.Diagnostics.CodeAnalysis;

namespace Allocator.Common;

/// <summary>xoshiro256** seeded through SplitMix64 (Blackman and Vigna, 2018).</summary>
[ExcludeFromCodeCoverage]
public sealed class Prng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The seed this generator started from (printed by engines so a run can be repeated).</summary>
    public ulong Seed { get; }

    public Prng(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>One step of SplitMix64; also used to derive child seeds from a parent seed.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Derives the seed of the n-th child run (iteration, case, worker) of a parent seed.</summary>
    public static ulong Derive(ulong parentSeed, ulong index)
    {
        ulong x = parentSeed ^ (index * 0xD1B54A32D192ED03UL);
        return SplitMix64(ref x);
    }

    public ulong NextU64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    public uint NextU32() => (uint)(NextU64() >> 32);

    /// <summary>Uniform in [0, bound). bound must be positive. Lemire's multiply-shift with rejection.</summary>
    public ulong Below(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        while (true)
        {
            ulong x = NextU64();
            UInt128 m = (UInt128)x * bound;
            ulong low = (ulong)m;
            if (low >= bound || low >= (0UL - bound) % bound)
                return (ulong)(m >> 64);
        }
    }

    /// <summary>Uniform int in [0, bound).</summary>
    public int Index(int bound) => (int)Below((ulong)bound);

    /// <summary>Uniform in [min, max] inclusive.</summary>
    public long Range(long min, long max)
    {
        if (max < min) throw new ArgumentOutOfRangeException(nameof(max));
        ulong span = (ulong)(max - min);
        return span == ulong.MaxValue ? (long)NextU64() : min + (long)Below(span + 1);
    }

    /// <summary>True with probability numerator/denominator.</summary>
    public bool Chance(ulong numerator, ulong denominator) => Below(denominator) < numerator;

    public bool NextBool() => (NextU64() & 1) != 0;

    public T Pick<T>(IReadOnlyList<T> items) => items[Index(items.Count)];

    /// <summary>Index chosen with the given non-negative integer weights (at least one positive).</summary>
    public int Weighted(ReadOnlySpan<int> weights)
    {
        long total = 0;
        foreach (int w in weights) total += w;
        if (total <= 0) throw new ArgumentException("weights must have a positive sum", nameof(weights));
        long r = (long)Below((ulong)total);
        for (int i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r < 0) return i;
        }
        return weights.Length - 1;
    }

    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Index(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
