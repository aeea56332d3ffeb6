// Finding: one de-duplicated failure of a fuzzing run, keyed by Outcome.Signature
// (outcome class and site). The first input that produced it is kept; later ones only count.
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed class Finding
{
    public Finding(Outcome outcome, byte[] input, long execIndex)
    {
        Outcome = outcome;
        Input = input;
        ExecIndex = execIndex;
        Hits = 1;
    }

    public string Signature => Outcome.Signature;

    /// <summary>The first outcome with this signature.</summary>
    public Outcome Outcome { get; }

    /// <summary>The first input that produced it.</summary>
    public byte[] Input { get; }

    /// <summary>Execution number at which it was first seen (-1 for a seed input).</summary>
    public long ExecIndex { get; }

    /// <summary>How many executions produced this signature.</summary>
    public long Hits { get; internal set; }

    /// <summary>Path of the repro artifact, when written.</summary>
    public string? ArtifactPath { get; internal set; }

    /// <summary>Path of the raw input file, when written.</summary>
    public string? RawPath { get; internal set; }
}
