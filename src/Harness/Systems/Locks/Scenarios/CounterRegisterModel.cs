// CounterRegisterModel: the sequential specification of a map of 32-bit counters: Get returns the
// value, Put(v) stores v and returns 0, Incr returns the old value and adds one. The structure the
// explorer's linearizability scenario checks (and, later, the pattern of the buffer mapping table).
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public sealed class CounterRegisterModel : ISequentialModel<long>
{
    public const int Get = 0, Put = 1, Incr = 2;

    public long Initial(int key) => 0;

    public bool Step(long state, HistoryOp op, out long next)
    {
        switch (op.Op)
        {
            case Get:
                next = state;
                return op.Result == state;
            case Put:
                next = op.Arg;
                return true;
            case Incr:
                next = state + 1;
                return op.Result == state;
            default:
                throw new ArgumentException($"unknown operation {op.Op}");
        }
    }

    public string Describe(HistoryOp op) => op.Op switch
    {
        Get => $"get()->{op.Result}",
        Put => $"put({op.Arg})",
        _ => $"incr()->{op.Result}",
    };
}
