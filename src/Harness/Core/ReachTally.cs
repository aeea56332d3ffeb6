// ReachTally: how many runs of one owner (a fuzz target, a scenario, a property) reached each of its
// goals over a campaign, and how many runs there were. Engines keep one per owner (one per worker
// in the parallel fuzzer, added together at the end), write it into the event log (EventLog writes
// a list of tallies as a "reach" array), and `harness report` joins the tallies of every run.
//
// Invariants (Check):
//   RT1  0 <= Hits[i] <= Runs for every goal.
namespace Harness.Core;

/// <summary>One goal's counts in one tally: the row the event log stores.</summary>
public sealed record ReachCount(ReachGoal Goal, string Owner, long Hits, long Runs);

public sealed class ReachTally
{
    private readonly long[] _hits;

    /// <param name="owner">What declared the goals and ran: "fuzz:mmgr", "explore:buffers/io-error", "check:dsa/area".</param>
    public ReachTally(string owner, IReadOnlyList<ReachGoal> goals)
    {
        Owner = owner;
        Goals = [.. goals];
        _hits = new long[Goals.Count];
    }

    public string Owner { get; }

    public IReadOnlyList<ReachGoal> Goals { get; }

    public long Runs { get; private set; }

    public long HitsOf(ReachGoal goal)
    {
        for (int i = 0; i < Goals.Count; i++)
            if (Goals[i] == goal) return _hits[i];
        throw new ArgumentException($"goal {goal.Key} is not in this tally", nameof(goal));
    }

    /// <summary>Counts one run: every goal <paramref name="hits"/> reached gets one more hit; then
    /// clears <paramref name="hits"/> for the next run.</summary>
    public void Record(ReachHits hits)
    {
        Runs++;
        ulong bits = hits.Bits;
        hits.Clear();
        while (bits != 0)
        {
            int i = System.Numerics.BitOperations.TrailingZeroCount(bits);
            _hits[i]++;
            bits &= bits - 1;
        }
    }

    /// <summary>Adds another tally of the same goals (another worker's).</summary>
    public void Add(ReachTally other)
    {
        if (!other.Goals.SequenceEqual(Goals)) throw new ArgumentException("tallies of different goals", nameof(other));
        Runs += other.Runs;
        for (int i = 0; i < _hits.Length; i++) _hits[i] += other._hits[i];
    }

    /// <summary>Forgets every count (runs that were not part of the campaign, such as a warm-up).</summary>
    public void Clear()
    {
        Runs = 0;
        Array.Clear(_hits);
    }

    public IEnumerable<ReachCount> Counts => Goals.Select((g, i) => new ReachCount(g, Owner, _hits[i], Runs));

    /// <summary>Goals no run reached.</summary>
    public IEnumerable<ReachGoal> Unreached => Goals.Where((_, i) => _hits[i] == 0);

    /// <summary>One line for people: "reach: 2 of 3 goals (never: buffers/io-retry)".</summary>
    public static string Summary(IEnumerable<ReachCount> counts)
    {
        var byGoal = counts.GroupBy(c => c.Goal.Key, StringComparer.Ordinal).Select(g => (Goal: g.Key, Hits: g.Sum(c => c.Hits))).ToList();
        var never = byGoal.Where(g => g.Hits == 0).Select(g => g.Goal).ToList();
        return $"reach: {byGoal.Count - never.Count} of {byGoal.Count} goals{(never.Count == 0 ? "" : $" (never: {string.Join(", ", never)})")}";
    }

    public void Check()
    {
        for (int i = 0; i < _hits.Length; i++)
            if (_hits[i] < 0 || _hits[i] > Runs) throw new InvalidOperationException($"RT1: {Goals[i].Key} hit {_hits[i]} times in {Runs} runs");
    }
}
