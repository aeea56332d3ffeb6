// ReplayStrategy: follows a recorded decision list. Strict mode (replay, self-check) returns -1 when
// the list runs out, which the controlled runtime reports as a divergence. Lenient mode (used by
// the minimizer) falls back to "keep running the previous backend, else the lowest enabled" when a
// recorded decision is missing, marked Stay (-1), or not enabled.
namespace Harness.Explore.Strategies;

public sealed class ReplayStrategy : ISchedulingStrategy
{
    /// <summary>A decision value meaning "keep running the previous backend if it can".</summary>
    public const int Stay = -1;

    private readonly IReadOnlyList<int> _decisions;
    private readonly bool _lenient;

    public ReplayStrategy(IReadOnlyList<int> decisions, bool lenient = false)
    {
        _decisions = decisions;
        _lenient = lenient;
    }

    public string Name => _lenient ? "replay-lenient" : "replay";
    public bool IsFair => false;

    public bool BeginIteration(int iteration, int backends) => true;

    public int Choose(ulong enabled, int previous, bool previousYielding, int decision)
    {
        int d = decision < _decisions.Count ? _decisions[decision] : Stay;
        if (!_lenient) return decision < _decisions.Count ? d : -1;
        if (EnabledSet.Contains(enabled, d)) return d;
        if (EnabledSet.Contains(enabled, previous)) return previous;
        return EnabledSet.Nth(enabled, 0);
    }

    public void EndIteration(int decisions) { }

    public string Describe() => $"{Name} of {_decisions.Count} decisions";
}
