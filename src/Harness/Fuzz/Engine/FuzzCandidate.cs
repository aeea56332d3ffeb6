// FuzzCandidate: one input of a batch, from its generation on the main thread, through its
// execution on worker (index mod W), to its application on the main thread in batch order.
// The worker fills Outcome and, only when the input was new against the virgin maps of the batch
// start, Traces (its non-zero cells); a candidate not new then cannot be new later in the batch,
// because virgin bits only grow, so it needs nothing more.
using Harness.Core;

namespace Harness.Fuzz.Engine;

internal sealed class FuzzCandidate
{
    public FuzzCandidate(byte[] input, long execIndex)
    {
        Input = input;
        ExecIndex = execIndex;
    }

    public byte[] Input { get; }

    /// <summary>Mutated execution number, -1 for a seed input or an imported one.</summary>
    public long ExecIndex { get; }

    /// <summary>Where an imported input came from, in AFL's queue-name notes ("sync:WORKER,src:NNNNNN"); null otherwise.</summary>
    public string? Origin { get; init; }

    public Outcome Outcome { get; set; }

    /// <summary>Captured maps (one per source) when the candidate had news at the batch start; else null.</summary>
    public SparseTrace[]? Traces { get; set; }
}
