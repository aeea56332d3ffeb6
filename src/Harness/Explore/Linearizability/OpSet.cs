// OpSet: the set of operations a search has linearized so far, as a bitset of ulong words, with
// what the memo needs to key on it cheaply:
//   * a Zobrist hash (XOR of a fixed pseudo-random word per operation), updated in O(1) per
//     Add/Remove, so hashing a 10,000-operation set does not read its 157 words;
//   * a canonical window: every word below Lo is full and every word above Hi is empty, so the set
//     is determined by (Lo, words Lo..Hi). The just-in-time search linearizes operations roughly in
//     invocation order, so that window is a word or two wide and a memo entry copies only it.
// Lo and Hi are moved lazily (Normalize) so Add/Remove stay O(1).
namespace Harness.Explore.Linearizability;

internal sealed class OpSet
{
    private readonly ulong[] _words;
    private readonly ulong[] _zobrist;
    private int _lo;
    private int _hi = -1;

    public OpSet(int count)
    {
        _words = new ulong[(count + 63) >> 6];
        _zobrist = new ulong[count];
        // a fixed seed: the hash only spreads memo entries, it decides nothing
        ulong seed = 0x6C696E6561726976UL;
        for (int i = 0; i < count; i++) _zobrist[i] = Allocator.Common.Prng.SplitMix64(ref seed);
    }

    public ulong Hash { get; private set; }

    public ulong[] Words => _words;

    public bool Contains(int op) => (_words[op >> 6] & (1UL << op)) != 0;

    public void Add(int op)
    {
        int w = op >> 6;
        _words[w] |= 1UL << op;
        Hash ^= _zobrist[op];
        if (w > _hi) _hi = w;
    }

    public void Remove(int op)
    {
        int w = op >> 6;
        _words[w] &= ~(1UL << op);
        Hash ^= _zobrist[op];
        if (w < _lo) _lo = w;
    }

    /// <summary>The canonical window (first word not full, length up to the last non-empty word).</summary>
    public (int Lo, int Length) Window()
    {
        while (_lo < _words.Length && _words[_lo] == ulong.MaxValue) _lo++;
        while (_hi >= 0 && _words[_hi] == 0) _hi--;
        return (_lo, _hi >= _lo ? _hi - _lo + 1 : 0);
    }
}
