// RegisterModel: the sequential specification of a read/write register per key: Write(v) stores v,
// Read returns the value stored last (the key's initial value before any write). The checker's
// reference example (tests, benchmark); systems with their own register semantics (a value that
// can be dropped, say) write their own model.
namespace Harness.Explore.Linearizability;

public sealed class RegisterModel(Func<int, long> initial) : ISequentialModel<long>
{
    public const int Read = 0, Write = 1;

    public RegisterModel() : this(_ => 0) { }

    public long Initial(int key) => initial(key);

    public bool Step(long state, HistoryOp op, out long next)
    {
        switch (op.Op)
        {
            case Read:
                next = state;
                return op.Result == state;
            case Write:
                next = op.Arg;
                return true;
            default:
                throw new ArgumentException($"unknown register operation {op.Op}");
        }
    }

    public string Describe(HistoryOp op) => op.Op == Read ? $"read->{op.Result}" : $"write({op.Arg})";

    public string DescribeState(long state) => $"value {state}";
}
