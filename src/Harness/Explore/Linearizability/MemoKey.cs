// MemoKey: one entry of the search's memo, (set of linearized operations, model state). A stored
// key owns a copy of the set's canonical window (OpSet.Window); a probe key points into the live
// bitset, so looking a configuration up allocates nothing and only a new entry copies its words.
// Equality is exact (window and state); the Zobrist hash only spreads the entries.
namespace Harness.Explore.Linearizability;

internal readonly struct MemoKey<TState>(ulong hash, int lo, ulong[] words, int start, int length, TState state)
    where TState : IEquatable<TState>
{
    public readonly ulong Hash = hash;
    public readonly int Lo = lo;
    public readonly ulong[] Words = words;
    public readonly int Start = start;
    public readonly int Length = length;
    public readonly TState State = state;

    public ReadOnlySpan<ulong> Window => Words.AsSpan(Start, Length);

    /// <summary>This probe as an entry that owns its words.</summary>
    public MemoKey<TState> Stored() => new(Hash, Lo, Window.ToArray(), 0, Length, State);
}

internal sealed class MemoKeyComparer<TState> : IEqualityComparer<MemoKey<TState>> where TState : IEquatable<TState>
{
    public static readonly MemoKeyComparer<TState> Instance = new();

    public bool Equals(MemoKey<TState> a, MemoKey<TState> b) =>
        a.Hash == b.Hash && a.Lo == b.Lo && a.Length == b.Length && a.Window.SequenceEqual(b.Window) && a.State.Equals(b.State);

    public int GetHashCode(MemoKey<TState> k)
    {
        ulong h = k.Hash ^ ((ulong)(uint)k.State.GetHashCode() * 0x9E3779B97F4A7C15UL);
        return (int)(h ^ (h >> 32));
    }
}
