// PctStrategy: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
// Each backend gets a random distinct priority; d-1 change points are drawn from [0, k) where k is
// the largest number of decisions seen in earlier iterations (the first iteration runs without
// change points to learn it, as Coyote and shuttle do); the highest-priority enabled backend always
// runs; at a change point the previous backend drops below everyone. A yielding backend (a failed
// spin) is demoted too (shuttle), so a spinner cannot starve the holder it waits for.
// One iteration finds a depth-d bug with probability at least 1/(n k^(d-1)). Not fair.
using Allocator.Common;

namespace Harness.Explore.Strategies;

public class PctStrategy : ISchedulingStrategy
{
    public const int DefaultDepth = 3;

    private readonly ulong _seed;
    private readonly int _depth;
    private readonly int[] _priority = new int[64];
    private readonly List<int> _changePoints = new();
    private int _lowest;
    private int _n;
    protected Prng Prng { get; private set; }

    /// <summary>k: the most decisions any earlier iteration made.</summary>
    public int LearnedSteps { get; private set; }

    public PctStrategy(ulong seed, int depth = DefaultDepth)
    {
        if (depth < 1 || depth > 64) throw new ArgumentOutOfRangeException(nameof(depth));
        _seed = seed;
        _depth = depth;
        Prng = new Prng(seed);
    }

    public virtual string Name => "pct";
    public virtual bool IsFair => false;
    public int Depth => _depth;

    public virtual bool BeginIteration(int iteration, int backends)
    {
        Prng = new Prng(Prng.Derive(_seed, (ulong)iteration));
        _n = backends;
        // Distinct priorities n..1 (higher runs first) in a random order.
        var order = Enumerable.Range(0, backends).ToList();
        Prng.Shuffle(order);
        for (int i = 0; i < backends; i++) _priority[order[i]] = backends - i;
        _lowest = 0;
        _changePoints.Clear();
        if (LearnedSteps > 0)
        {
            int want = Math.Min(_depth - 1, LearnedSteps);
            while (_changePoints.Count < want)
            {
                int c = Prng.Index(LearnedSteps);
                if (!_changePoints.Contains(c)) _changePoints.Add(c);
            }
        }
        return true;
    }

    public virtual int Choose(ulong enabled, int previous, bool previousYielding, int decision)
    {
        if (previous >= 0 && (previousYielding || _changePoints.Contains(decision)))
            _priority[previous] = _lowest--;
        int best = -1, bestPriority = int.MinValue;
        for (ulong m = enabled; m != 0; m &= m - 1)
        {
            int b = System.Numerics.BitOperations.TrailingZeroCount(m);
            if (_priority[b] > bestPriority) { best = b; bestPriority = _priority[b]; }
        }
        return best;
    }

    public virtual void EndIteration(int decisions)
    {
        if (decisions > LearnedSteps) LearnedSteps = decisions;
    }

    public virtual string Describe() => $"{Name} n={_n} k={LearnedSteps} d={_depth} change-points=[{string.Join(",", _changePoints.Order())}]";
}
