// VirginMap: which (edge, hit-count bucket) pairs the campaign has seen, per coverage source.
//
// An execution is interesting when its bucketed trace sets a bit the campaign has never seen: a
// new edge, or a known edge in a new hit-count class (AFL's has_new_bits). The scan skips zero
// 8-byte words, because a trace of a few hundred edges leaves the 64 KiB map almost all zeros.
using System.Runtime.InteropServices;

namespace Harness.Fuzzing.Engine;

/// <summary>What an execution added: edges never seen, and bucket bits new on known edges.</summary>
public readonly record struct Novelty(int NewEdges, int NewBuckets)
{
    public bool IsNew => NewEdges > 0 || NewBuckets > 0;
}

public sealed class VirginMap
{
    private readonly byte[] _seen;

    public VirginMap(int size)
    {
        if (size <= 0 || size % 8 != 0) throw new ArgumentOutOfRangeException(nameof(size), "map size must be a positive multiple of 8");
        _seen = new byte[size];
    }

    /// <summary>Edges seen so far (map cells that were ever non-zero).</summary>
    public int Edges { get; private set; }

    /// <summary>(edge, bucket) pairs seen so far.</summary>
    public int Features { get; private set; }

    /// <summary>Bucket bits seen per cell (read-only view, for corpus minimization and tests).</summary>
    public ReadOnlySpan<byte> Seen => _seen;

    /// <summary>Compares a raw trace with what was seen; with <paramref name="commit"/> also records it.</summary>
    public Novelty Evaluate(ReadOnlySpan<byte> trace, bool commit)
    {
        if (trace.Length != _seen.Length) throw new ArgumentException($"trace has {trace.Length} bytes, map has {_seen.Length}");
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(trace);
        ReadOnlySpan<byte> table = HitCountBuckets.Table;
        int newEdges = 0, newBuckets = 0;
        for (int w = 0; w < words.Length; w++)
        {
            if (words[w] == 0) continue;
            int baseIndex = w * 8;
            for (int i = baseIndex; i < baseIndex + 8; i++)
            {
                byte raw = trace[i];
                if (raw == 0) continue;
                byte bucket = table[raw];
                byte seen = _seen[i];
                if ((bucket & ~seen) == 0) continue;
                if (seen == 0) newEdges++;
                else newBuckets++;
                if (commit)
                {
                    if (seen == 0) Edges++;
                    Features++;
                    _seen[i] = (byte)(seen | bucket);
                }
            }
        }
        return new Novelty(newEdges, newBuckets);
    }

    /// <summary>Appends the (cell, bucket) features of a raw trace as integers cell*8+bit (ascending).</summary>
    public static void FeaturesOf(ReadOnlySpan<byte> trace, int offset, List<int> into)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(trace);
        ReadOnlySpan<byte> table = HitCountBuckets.Table;
        for (int w = 0; w < words.Length; w++)
        {
            if (words[w] == 0) continue;
            for (int i = w * 8; i < w * 8 + 8; i++)
            {
                byte raw = trace[i];
                if (raw == 0) continue;
                into.Add(checked((offset + i) * 8 + System.Numerics.BitOperations.TrailingZeroCount(table[raw])));
            }
        }
    }
}
