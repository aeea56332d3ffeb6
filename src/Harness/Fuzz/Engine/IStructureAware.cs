// IStructureAware: what a target offers the engine beyond bytes in, outcome out, when its inputs
// decode into a list of units (operations). The engine then mutates at the operation level
// (insert, delete, duplicate, swap, splice, argument tweaks), and the crash minimizer deletes whole
// operations before it falls back to bytes. A target without it is fuzzed at the byte level only.
using Allocator.Common;

namespace Harness.Fuzz.Engine;

public interface IStructureAware
{
    /// <summary>One operation-level mutation of <paramref name="input"/>; <paramref name="other"/> is a
    /// second corpus input for splicing. The result is at most <paramref name="maxLength"/> bytes.</summary>
    byte[] MutateStructure(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength);

    /// <summary>Number of operations the input decodes to.</summary>
    int UnitCount(ReadOnlySpan<byte> input);

    /// <summary>The input re-encoded without operations [start, start+count).</summary>
    byte[] WithoutUnits(ReadOnlySpan<byte> input, int start, int count);

    /// <summary>Candidate simplifications of one operation (smaller sizes, lower indices, fewer
    /// flags), re-encoded; the minimizer keeps the first one that still fails the same way.</summary>
    IEnumerable<byte[]> SimplifyUnit(ReadOnlySpan<byte> input, int index);

    /// <summary>Tokens for the byte-level dictionary mutations (boundary values in wire format).</summary>
    IReadOnlyList<byte[]> Dictionary { get; }
}
