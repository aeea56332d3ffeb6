// HistoryOp: one completed high-level operation of a concurrent history: who, on which key, what
// (an operation code and argument), what it returned, and the logical times of its invocation and
// response. The explorer's total step order makes these intervals exact: op A precedes op B in
// real time iff A.Response < B.Invoke (equal times count as overlapping).
namespace Harness.Explore.Linearizability;

public readonly record struct HistoryOp(int Backend, int Key, int Op, long Arg, long Result, long Invoke, long Response)
{
    public override string ToString() => $"b{Backend} op{Op}({Arg})->{Result} @[{Invoke},{Response}]";
}

/// <summary>A sequential specification, per key: the initial state, and whether applying an operation
/// to a state yields the recorded result (and the next state). The checker memoises states, so
/// TState's Equals and GetHashCode must be by value (a record struct or a primitive).</summary>
public interface ISequentialModel<TState> where TState : IEquatable<TState>
{
    TState Initial(int key);

    /// <summary>Applies <paramref name="op"/>; false if the sequential object would not have returned op.Result.</summary>
    bool Step(TState state, HistoryOp op, out TState next);

    /// <summary>A readable name for an operation code.</summary>
    string Describe(HistoryOp op);

    /// <summary>A readable form of a state (for explanations).</summary>
    string DescribeState(TState state) => state.ToString() ?? "";
}
