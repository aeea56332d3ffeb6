// FeatureMap: a private, AFL-style edge map that a target fills with semantic features (for the
// allocator: which operation kind produced which result class after which other one). It works
// like AFL's map (edge = cur ^ prev, saturating counters) but belongs to one target
// instance, so it is deterministic in any process, instrumented or not, and parallel tests never
// share it.
using System.Runtime.CompilerServices;

namespace Harness.Fuzz.Engine;

public sealed class FeatureMap : ICoverageSource
{
    private readonly byte[] _map;
    private readonly int _mask;
    private int _prev;

    /// <param name="log2Size">log2 of the map size, 6..16.</param>
    public FeatureMap(int log2Size = 14, string name = "features")
    {
        if (log2Size is < 6 or > 16) throw new ArgumentOutOfRangeException(nameof(log2Size));
        _map = new byte[1 << log2Size];
        _mask = _map.Length - 1;
        Name = name;
    }

    public string Name { get; }

    public int Size => _map.Length;

    public ReadOnlySpan<byte> Current => _map;

    public void Reset()
    {
        Array.Clear(_map);
        _prev = 0;
    }

    /// <summary>Records the edge from the previous feature to <paramref name="feature"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Hit(int feature)
    {
        int cur = Scramble(feature);
        ref byte cell = ref _map[(cur ^ _prev) & _mask];
        if (cell != 255) cell++;
        _prev = (cur >> 1) & _mask;
    }

    /// <summary>Records a feature on its own (no edge to the previous one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void HitAlone(int feature)
    {
        ref byte cell = ref _map[Scramble(feature) & _mask];
        if (cell != 255) cell++;
    }

    // Spreads small consecutive feature numbers over the map (a fixed integer hash, no state).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Scramble(int x)
    {
        uint h = (uint)x * 0x9E3779B1u;
        h ^= h >> 15;
        h *= 0x85EBCA77u;
        h ^= h >> 13;
        return (int)(h & 0x7FFFFFFF);
    }
}
