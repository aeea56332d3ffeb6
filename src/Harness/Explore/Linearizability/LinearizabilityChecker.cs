// LinearizabilityChecker: Wing and Gong's search with Lowe's memoisation ("Testing for
// linearizability", 2017; porcupine is a well-known implementation of the same idea), applied per
// key: linearizability is local (Herlihy and Wing), so a history is linearizable iff each key's
// sub-history is, which keeps every search tiny.
//
// For one key: repeatedly pick an operation that could take effect first (it was invoked before
// every remaining operation's response), apply it to the sequential model, and recurse; memoise
// (set of linearised operations, model state) pairs already known to fail. At most 64 operations
// per key (a 64-bit set); scenarios keep far below that.
namespace Harness.Explore.Linearizability;

public sealed record LinearizabilityResult(bool Ok, int Key, string Explanation);

public static class LinearizabilityChecker
{
    public const int MaxOpsPerKey = 64;

    public static LinearizabilityResult Check<TState>(IReadOnlyList<HistoryOp> history, ISequentialModel<TState> model)
        where TState : IEquatable<TState>
    {
        foreach (var group in history.GroupBy(h => h.Key).OrderBy(g => g.Key))
        {
            HistoryOp[] ops = group.OrderBy(o => o.Invoke).ThenBy(o => o.Backend).ToArray();
            if (ops.Length > MaxOpsPerKey)
                throw new ArgumentException($"key {group.Key} has {ops.Length} operations; the checker handles at most {MaxOpsPerKey} per key");
            foreach (HistoryOp o in ops)
                if (o.Response < o.Invoke) throw new ArgumentException($"operation {o} responds before it is invoked");
            var failed = new HashSet<(ulong, TState)>();
            if (!Search(ops, 0UL, model.Initial(group.Key), model, failed))
            {
                string listing = string.Join("; ", ops.Select(o => $"b{o.Backend} {model.Describe(o)} @[{o.Invoke},{o.Response}]"));
                return new LinearizabilityResult(false, group.Key, $"key {group.Key}: no linearization of its {ops.Length} operations exists: {listing}");
            }
        }
        return new LinearizabilityResult(true, -1, "linearizable");
    }

    private static bool Search<TState>(HistoryOp[] ops, ulong done, TState state, ISequentialModel<TState> model, HashSet<(ulong, TState)> failed)
        where TState : IEquatable<TState>
    {
        ulong all = ops.Length == 64 ? ulong.MaxValue : (1UL << ops.Length) - 1;
        if (done == all) return true;
        if (failed.Contains((done, state))) return false;
        long minResponse = long.MaxValue;
        for (int i = 0; i < ops.Length; i++)
            if ((done & (1UL << i)) == 0 && ops[i].Response < minResponse) minResponse = ops[i].Response;
        for (int i = 0; i < ops.Length; i++)
        {
            if ((done & (1UL << i)) != 0) continue;
            if (ops[i].Invoke > minResponse) break; // sorted by invocation: nobody later can go first
            if (model.Step(state, ops[i], out TState next) && Search(ops, done | (1UL << i), next, model, failed)) return true;
        }
        failed.Add((done, state));
        return false;
    }
}
