// PageRegisterModel: the page half of the spec's sequential model (pg-bufmgr-locks.md §20, §19.6
// D3) as a register per page, for the linearizability checker: `pages: Tag -> value`.
//   * Write(v), made under an exclusive content lock (then MarkBufferDirty): pages[tag] = v;
//   * Read, made under a share or exclusive content lock (or while the page cannot change):
//     returns pages[tag];
//   * Drop (DropRelationBuffers): pages[tag] = ⊥. Its caller guarantees nobody uses the relation
//     afterwards, so a read or write that can only come after a drop matches nothing.
// The initial value of a page is what storage holds for its block when the scenario starts. Keys
// are the scenarios' page numbers (BufferScenarioInstance.PageKey); the value is the page's 64-bit
// scenario value (BufferRunner.OffValue). Durability (disk) is not part of this model: the
// scenarios' own checks and the pool walk look at storage.
using Harness.Explore.Linearizability;

namespace Harness.Systems.Buffers.Oracle;

/// <summary>A page's abstract value, or ⊥ (dropped).</summary>
public readonly record struct PageValue(ulong Value, bool Dropped)
{
    public override string ToString() => Dropped ? "⊥ (dropped)" : $"value {Value}";
}

public sealed class PageRegisterModel(Func<int, ulong> initial) : ISequentialModel<PageValue>
{
    public const int Read = 0, Write = 1, Drop = 2;

    public PageValue Initial(int key) => new(initial(key), false);

    public bool Step(PageValue state, HistoryOp op, out PageValue next)
    {
        switch (op.Op)
        {
            case Read:
                next = state;
                return !state.Dropped && (ulong)op.Result == state.Value;
            case Write:
                next = new PageValue((ulong)op.Arg, false);
                return !state.Dropped;
            case Drop:
                next = new PageValue(0, true);
                return true;
            default:
                throw new ArgumentException($"unknown page operation {op.Op}");
        }
    }

    public string Describe(HistoryOp op) => op.Op switch
    {
        Read => $"read(page {op.Key})->{(ulong)op.Result}",
        Write => $"write(page {op.Key}, {(ulong)op.Arg})",
        _ => $"drop(page {op.Key})",
    };

    public string DescribeState(PageValue state) => state.ToString();
}
