// IPropertyRun: one property bound to one build (checking on or off) and one canary, ready to run
// under FsCheck or to replay a stored op list. The engine, the gate, the CLI and the replayer use
// this non-generic face; FsCheckProperty<TOp> is the one implementation, typed by the system's
// operation type.
using Harness.Core;

namespace Harness.Properties;

/// <summary>Where FsCheck starts: its (seed, gamma) pair, the number of cases, the longest op
/// list, and for an exact replay of a failing step the size FsCheck printed.</summary>
public sealed record PropertyRunSpec(ulong Seed, ulong Gamma, int Cases, int MaxOps, int? ReplaySize = null)
{
    /// <summary>The fixed gamma used with a seed given on the command line.</summary>
    public const ulong DefaultGamma = 0x9E3779B97F4A7C15UL;
}

public interface IPropertyRun
{
    string System { get; }
    string Property { get; }

    /// <summary>The build it runs in (a property may force checking on).</summary>
    bool Checking { get; }

    string Canary { get; }

    /// <summary>Runs FsCheck; never throws for a failing property.</summary>
    PropertyReport Check(PropertyRunSpec spec);

    /// <summary>Parses stored op lines (MalformedInputException on a bad line) and evaluates them
    /// once, writing a per-operation trace.</summary>
    Outcome Replay(string opLines, TextWriter trace);
}
