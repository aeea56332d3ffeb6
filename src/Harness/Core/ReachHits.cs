// ReachHits: the goals one run (one fuzz execution, one explored schedule, one property case) has
// reached so far. The code that observes an event calls Hit; the engine takes the run's hits with
// ReachTally.Record after each run, which clears them. At most 64 goals per owner, one bit each,
// so hitting costs an OR and recording a run costs a loop over the set bits only.
//
// Invariants (Check):
//   RH1  1..64 goals, of one system, with distinct names.
//   RH2  no bit above the goal count is set.
namespace Harness.Core;

public sealed class ReachHits
{
    public const int MaxGoals = 64;

    private readonly ReachGoal[] _goals;
    private ulong _bits;

    public ReachHits(IReadOnlyList<ReachGoal> goals)
    {
        _goals = [.. goals];
        if (_goals.Length is 0 or > MaxGoals) throw new ArgumentException($"RH1: {_goals.Length} goals; 1..{MaxGoals} allowed", nameof(goals));
        if (_goals.Any(g => g.System != _goals[0].System)) throw new ArgumentException("RH1: goals of several systems in one set", nameof(goals));
        if (_goals.Select(g => g.Name).Distinct(StringComparer.Ordinal).Count() != _goals.Length) throw new ArgumentException("RH1: two goals share a name", nameof(goals));
    }

    public IReadOnlyList<ReachGoal> Goals => _goals;

    /// <summary>The goals hit in this run, bit i for Goals[i].</summary>
    public ulong Bits => _bits;

    /// <summary>Marks <paramref name="goal"/> reached in this run. A goal this set does not declare
    /// is a programming error: it would be counted nowhere.</summary>
    public void Hit(ReachGoal goal)
    {
        for (int i = 0; i < _goals.Length; i++)
            if (ReferenceEquals(_goals[i], goal))
            {
                _bits |= 1UL << i;
                return;
            }
        throw new ArgumentException($"goal {goal.Key} is not declared here", nameof(goal));
    }

    /// <summary>Forgets the run's hits (before a run whose hits are not to be counted).</summary>
    public void Clear() => _bits = 0;

    public void Check()
    {
        if (_goals.Length < MaxGoals && _bits >> _goals.Length != 0) throw new InvalidOperationException($"RH2: bit above goal {_goals.Length} set");
    }
}
