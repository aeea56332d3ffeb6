// LinearizabilityChecker: is a concurrent history linearizable against a sequential model? Per
// key: linearizability is local (Herlihy and Wing), so a history is linearizable iff each key's
// sub-history is, which keeps every search to one key's operations. Keys are checked in ascending
// order (the answer and its explanation do not depend on hash order or input order), each with
// KeySearch (Wing-Gong with Lowe's memo, just-in-time linearization, iterative, any number of
// operations). The first key that is not linearizable, or on which the budget runs out, decides
// the answer.
//
// The budget is a count of search states entered over the whole history (default
// DefaultMaxStates); running out gives Unknown with the key and how far its search got. There is
// no clock anywhere: the same history and budget give the same answer on any machine.
//
// A NotLinearizable explanation is porcupine's "partial linearization": the longest linearizable
// prefix the search found (its last few operations), the state it leaves, and the operations that
// could come next (invoked before the first pending response) with why each fails there. Lists are
// cut to MaxListed entries so a 10,000-operation failure still reads in a few lines.
using System.Text;

namespace Harness.Explore.Linearizability;

public static class LinearizabilityChecker
{
    /// <summary>States a check may enter by default: 20 times what a 10,000-operation register
    /// history with a stale read at its end needs (47,458; a linearizable one needs about 1.6 per
    /// operation), and small enough that a pathological history gives up within seconds and some
    /// 100 MB of memo.</summary>
    public const long DefaultMaxStates = 1_000_000;

    /// <summary>The most operations an explanation lists in one list.</summary>
    public const int MaxListed = 8;

    public static LinearizabilityResult Check<TState>(IReadOnlyList<HistoryOp> history, ISequentialModel<TState> model, long maxStates = DefaultMaxStates)
        where TState : IEquatable<TState>
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxStates);
        foreach (HistoryOp o in history)
            if (o.Response < o.Invoke) throw new ArgumentException($"operation {o} responds before it is invoked", nameof(history));

        long states = 0;
        foreach (var group in history.GroupBy(h => h.Key).OrderBy(g => g.Key))
        {
            HistoryOp[] ops = group.OrderBy(o => o.Invoke).ThenBy(o => o.Response).ToArray();
            var search = new KeySearch<TState>(ops, model);
            LinearizabilityVerdict v = search.Run(maxStates - states);
            states += search.States;
            switch (v)
            {
                case LinearizabilityVerdict.NotLinearizable:
                    return new LinearizabilityResult(v, group.Key, ExplainFailure(ops, model, search), states, ops.Length, search.BestLength);
                case LinearizabilityVerdict.Unknown:
                    return new LinearizabilityResult(v, group.Key,
                        $"key {group.Key}: unknown (budget): {states} search states entered (budget {maxStates}) without a decision; " +
                        $"the longest linearization found places {search.BestLength} of its {ops.Length} operations",
                        states, ops.Length, search.BestLength);
            }
        }
        return new LinearizabilityResult(LinearizabilityVerdict.Linearizable, -1, "linearizable", states);
    }

    private static string ExplainFailure<TState>(HistoryOp[] ops, ISequentialModel<TState> model, KeySearch<TState> search)
        where TState : IEquatable<TState>
    {
        int key = ops[0].Key;
        ReadOnlySpan<int> best = search.Best;
        var placed = new bool[ops.Length];
        TState state = model.Initial(key);
        foreach (int i in best)
        {
            placed[i] = true;
            // the prefix was accepted step by step during the search, so this replay cannot fail
            if (!model.Step(state, ops[i], out state)) throw new InvalidOperationException("the model is not deterministic");
        }

        var sb = new StringBuilder();
        sb.Append($"key {key}: not linearizable: the longest linearization found places {best.Length} of its {ops.Length} operations");
        if (best.Length > 0)
        {
            int from = Math.Max(0, best.Length - MaxListed);
            sb.Append(from > 0 ? $" (the last {best.Length - from}: " : " (");
            for (int j = from; j < best.Length; j++)
                sb.Append(j > from ? ", " : "").Append(Show(model, ops[best[j]]));
            sb.Append(')');
        }
        sb.Append($", leaving {model.DescribeState(state)}");

        // the first pending response bounds what can come next; among those, why each fails
        int blocking = -1;
        for (int i = 0; i < ops.Length; i++)
            if (!placed[i] && (blocking < 0 || ops[i].Response < ops[blocking].Response)) blocking = i;
        sb.Append($"; {Show(model, ops[blocking])} must have taken effect by its response at {ops[blocking].Response}, and no operation that may come next fits: ");
        int listed = 0, candidates = 0;
        for (int i = 0; i < ops.Length; i++)
        {
            if (placed[i] || ops[i].Invoke > ops[blocking].Response) continue;
            candidates++;
            if (listed == MaxListed) continue;
            bool accepted = model.Step(state, ops[i], out _);
            sb.Append(listed++ > 0 ? "; " : "").Append(Show(model, ops[i]))
              .Append(accepted ? " (the model accepts it, but no linearization continues from there)" : " (the model rejects it there)");
        }
        if (candidates > listed) sb.Append($"; and {candidates - listed} more");
        return sb.ToString();
    }

    private static string Show<TState>(ISequentialModel<TState> model, HistoryOp o) where TState : IEquatable<TState> =>
        $"b{o.Backend} {model.Describe(o)} @[{o.Invoke},{o.Response}]";
}
