// DfsStrategy: bounded exhaustive search over the decision stream (stateless model checking with
// an "odometer" of decision frames, as in CHESS, loom, shuttle and TigerBeetle's exhaustigen).
//
// Each frame is one decision: the options it allows, in order, and which one this iteration takes.
// An iteration replays the frames of the previous one up to the last frame with an untried option,
// takes that option, and then always the first option of every new frame. The first option is to
// keep running the previous backend, so the search visits schedules with few switches first.
//
// Preemption bounding (Musuvathi and Qadeer, "Iterative context bounding", PLDI 2007): a preemption
// is switching away from a backend that could have continued; switches forced by blocking or exiting
// are free. With bound c, a frame that has used c preemptions only offers "keep running". Iterative
// mode explores c = 0, then 1, ... up to MaxPreemptions (schedules within a lower bound are visited
// again at higher bounds; the explorer's distinct-schedule count is by trace hash). Unbounded mode
// (maxPreemptions = -1) enumerates every interleaving, which is what the exact-count tests use.
namespace Harness.Explore.Strategies;

public sealed class DfsStrategy : ISchedulingStrategy
{
    public const int DefaultMaxPreemptions = 3;

    private sealed class Frame
    {
        public required int[] Options;
        public required ulong Enabled;
        public int Index;
    }

    private readonly List<Frame> _stack = new();
    private readonly int _maxBound;
    private int _bound;
    private int _pos;
    private int _preemptions;
    private bool _exhausted;

    /// <summary>Completed passes (one per preemption bound); the iteration count of each is in BoundIterations.</summary>
    public List<int> BoundIterations { get; } = new();

    /// <param name="maxPreemptions">Largest preemption bound; -1 for no bound.</param>
    /// <param name="iterative">Explore bounds 0..maxPreemptions in turn (else only maxPreemptions).</param>
    public DfsStrategy(int maxPreemptions = DefaultMaxPreemptions, bool iterative = true)
    {
        _maxBound = maxPreemptions < 0 ? int.MaxValue : maxPreemptions;
        _bound = iterative && maxPreemptions >= 0 ? 0 : _maxBound;
        BoundIterations.Add(0);
    }

    public string Name => "dfs";
    public bool IsFair => false;
    public bool Exhausted => _exhausted;
    public int CurrentBound => _bound;

    public bool BeginIteration(int iteration, int backends)
    {
        if (_exhausted) return false;
        _pos = 0;
        _preemptions = 0;
        return true;
    }

    public int Choose(ulong enabled, int previous, bool previousYielding, int decision)
    {
        bool previousEnabled = EnabledSet.Contains(enabled, previous);
        Frame f;
        if (_pos < _stack.Count)
        {
            f = _stack[_pos];
            if (f.Enabled != enabled)
                throw new InvalidOperationException(
                    $"DFS replay diverged at decision {decision}: enabled {EnabledSet.Format(enabled)}, recorded {EnabledSet.Format(f.Enabled)} (the program under test is not deterministic)");
        }
        else
        {
            var options = new List<int>();
            if (previousEnabled)
            {
                options.Add(previous);
                if (_preemptions < _bound)
                    for (ulong m = enabled; m != 0; m &= m - 1)
                    {
                        int b = System.Numerics.BitOperations.TrailingZeroCount(m);
                        if (b != previous) options.Add(b);
                    }
            }
            else
            {
                for (ulong m = enabled; m != 0; m &= m - 1) options.Add(System.Numerics.BitOperations.TrailingZeroCount(m));
            }
            f = new Frame { Options = options.ToArray(), Enabled = enabled };
            _stack.Add(f);
        }
        int choice = f.Options[f.Index];
        if (previousEnabled && choice != previous) _preemptions++;
        _pos++;
        return choice;
    }

    public void EndIteration(int decisions)
    {
        BoundIterations[^1]++;
        if (_pos < _stack.Count) _stack.RemoveRange(_pos, _stack.Count - _pos); // an aborted iteration
        while (_stack.Count > 0 && _stack[^1].Index == _stack[^1].Options.Length - 1) _stack.RemoveAt(_stack.Count - 1);
        if (_stack.Count > 0)
        {
            _stack[^1].Index++;
            return;
        }
        if (_bound < _maxBound)
        {
            _bound++;
            BoundIterations.Add(0);
        }
        else
        {
            _exhausted = true;
        }
    }

    public string Describe() => $"dfs bound={(_bound == int.MaxValue ? "none" : _bound.ToString(System.Globalization.CultureInfo.InvariantCulture))} depth={_stack.Count}";
}
