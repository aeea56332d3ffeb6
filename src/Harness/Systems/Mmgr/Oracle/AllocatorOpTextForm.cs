// AllocatorOpTextForm: the memory-context ops' text form as the property engine sees it: one op
// per line, written by AllocatorOp.ToString and read back by AllocatorOpText.
using Harness.Properties;

namespace Harness.Systems.Mmgr.Oracle;

public sealed class AllocatorOpTextForm : IOpText<AllocatorOp>
{
    public static AllocatorOpTextForm Instance { get; } = new();

    public string Format(AllocatorOp op) => op.ToString();

    public IReadOnlyList<AllocatorOp> ParseLines(string text) => AllocatorOpText.ParseLines(text);
}
