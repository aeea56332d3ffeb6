// KeySearch: the linearizability search for one key's operations: Wing and Gong's search with
// Lowe's memoisation in its "just-in-time linearization" form (Lowe, "Testing for linearizability",
// 2017; porcupine's checkSingle is the well-known implementation of the same loop), iterative, so
// no recursion depth grows with the history.
//
// The history is a doubly linked list of call and return entries in time order (a call before a
// return at the same time: equal times overlap). Walking it from the front, a call entry is an
// operation that may take effect now (every operation still in the list whose return comes before
// it has been linearized); if the model accepts it and (linearized set + it, next state) is new to
// the memo, the operation is linearized: pushed on the stack with the state before it, and its two
// entries unlinked (dancing links, so undo is O(1) and exact in LIFO order). Reaching a return
// entry means its operation must have taken effect by then and could not: undo the last
// linearization and try the next call after it. Stack empty at a return: not linearizable. List
// empty: linearizable. Memo entries are every configuration ever entered; one seen again was either
// a dead end already or is still being explored below, and in both cases need not be entered again.
//
// Budget: each configuration entered counts one state; when the count reaches the budget the search
// stops with Unknown. The longest stack ever reached is kept (amortised O(1) per push: only the part
// that differs from the stored one is copied) for the explanation.
namespace Harness.Explore.Linearizability;

internal sealed class KeySearch<TState> where TState : IEquatable<TState>
{
    private const int Nil = -1;

    private readonly HistoryOp[] _ops;
    private readonly ISequentialModel<TState> _model;
    private readonly int _head;
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly OpSet _done;
    private readonly HashSet<MemoKey<TState>> _memo = new(MemoKeyComparer<TState>.Instance);
    private readonly int[] _stackOp;
    private readonly TState[] _stackState;
    private readonly int[] _best;
    private int _depth;
    private int _agree;

    /// <summary>Operations sorted by invocation (ties by response, then input order).</summary>
    public KeySearch(HistoryOp[] ops, ISequentialModel<TState> model)
    {
        _ops = ops;
        _model = model;
        int n = ops.Length;
        _head = 2 * n;
        _next = new int[2 * n + 1];
        _prev = new int[2 * n + 1];
        _done = new OpSet(n);
        _stackOp = new int[n];
        _stackState = new TState[n];
        _best = new int[n];

        // entries: 2i is operation i's call, 2i + 1 its return
        var entries = new int[2 * n];
        for (int i = 0; i < entries.Length; i++) entries[i] = i;
        Array.Sort(entries, (a, b) =>
        {
            int c = Time(a).CompareTo(Time(b));
            if (c != 0) return c;
            c = (a & 1).CompareTo(b & 1); // calls first
            return c != 0 ? c : a.CompareTo(b);
        });
        int last = _head;
        foreach (int e in entries)
        {
            _next[last] = e;
            _prev[e] = last;
            last = e;
        }
        _next[last] = Nil;
    }

    private long Time(int entry) => (entry & 1) == 0 ? _ops[entry >> 1].Invoke : _ops[entry >> 1].Response;

    public long States { get; private set; }

    /// <summary>The length of the longest linearization found.</summary>
    public int BestLength { get; private set; }

    /// <summary>The longest linearization found (operation indexes, in order).</summary>
    public ReadOnlySpan<int> Best => _best.AsSpan(0, BestLength);

    /// <summary>Runs until decided or until <paramref name="budget"/> states have been entered.</summary>
    public LinearizabilityVerdict Run(long budget)
    {
        TState state = _model.Initial(_ops[0].Key);
        int entry = _next[_head];
        while (_next[_head] != Nil)
        {
            if ((entry & 1) == 0)
            {
                int op = entry >> 1;
                if (_model.Step(state, _ops[op], out TState next))
                {
                    _done.Add(op);
                    (int lo, int length) = _done.Window();
                    var probe = new MemoKey<TState>(_done.Hash, lo, _done.Words, lo, length, next);
                    if (!_memo.Contains(probe))
                    {
                        if (States >= budget)
                        {
                            _done.Remove(op);
                            return LinearizabilityVerdict.Unknown;
                        }
                        _memo.Add(probe.Stored());
                        States++;
                        Push(op, state);
                        state = next;
                        Lift(op);
                        entry = _next[_head];
                        continue;
                    }
                    _done.Remove(op);
                }
                entry = _next[entry];
            }
            else
            {
                if (_depth == 0) return LinearizabilityVerdict.NotLinearizable;
                _depth--;
                int op = _stackOp[_depth];
                state = _stackState[_depth];
                if (_agree > _depth) _agree = _depth;
                _done.Remove(op);
                Unlift(op);
                entry = _next[2 * op];
            }
        }
        return LinearizabilityVerdict.Linearizable;
    }

    private void Push(int op, TState before)
    {
        int d = _depth;
        _stackOp[d] = op;
        _stackState[d] = before;
        _depth = d + 1;
        if (_agree == d && d < BestLength && _best[d] == op) _agree = d + 1;
        if (_depth > BestLength)
        {
            // the stored linearization equals the stack up to _agree: copy the rest once
            Array.Copy(_stackOp, _agree, _best, _agree, _depth - _agree);
            BestLength = _depth;
            _agree = _depth;
        }
    }

    private void Lift(int op)
    {
        Unlink(2 * op);
        Unlink(2 * op + 1);
    }

    private void Unlift(int op)
    {
        Relink(2 * op + 1);
        Relink(2 * op);
    }

    private void Unlink(int e)
    {
        _next[_prev[e]] = _next[e];
        if (_next[e] != Nil) _prev[_next[e]] = _prev[e];
    }

    private void Relink(int e)
    {
        _next[_prev[e]] = e;
        if (_next[e] != Nil) _prev[_next[e]] = e;
    }
}
