// IPropertyRun: one property bound to one build (checking on or off) and one canary, ready to run
// under FsCheck or to replay a stored op list. The engine, the gate, the CLI and the replayer use
// this non-generic face; FsCheckProperty<TOp> is the one implementation, typed by the system's
// operation type.
using Harness.Core;

namespace Harness.Properties;

/// <summary>Where FsCheck starts: its (seed, gamma) pair, the number of cases, the longest op
/// list, for an exact replay of a failing step the size FsCheck printed, and the number of cases
/// over which FsCheck's size grows to EndSize (default: all of them).</summary>
/// <remarks>FsCheck grows the size linearly over MaxTest cases, and the op-list generators grow
/// the list length with the size (OpListGen), so the same seed run for 3,000 cases draws shorter
/// lists at case 500 than when run for 1,000. A run that must see the lists a shorter run sees
/// (time-to-bug against a gate budget, with a cap ten times longer) sets RampCases to the shorter
/// count: the size then follows that run's schedule and stays at its end afterwards.</remarks>
public sealed record PropertyRunSpec(ulong Seed, ulong Gamma, int Cases, int MaxOps, int? ReplaySize = null, int? RampCases = null)
{
    /// <summary>The fixed gamma used with a seed given on the command line.</summary>
    public const ulong DefaultGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>FsCheck's StartSize (Config.Quick's) and the EndSize every property runs up to.</summary>
    public const int StartSize = 1, EndSize = 50;

    /// <summary>The EndSize to configure so that the size reaches EndSize after RampCases cases
    /// (FsCheck: size n = StartSize + n (EndSize - StartSize) / MaxTest); exact when Cases is a
    /// multiple of RampCases.</summary>
    public int ConfiguredEndSize => RampCases is int r && r > 0 && r < Cases
        ? (int)Math.Min(int.MaxValue, StartSize + (long)(EndSize - StartSize) * Cases / r)
        : EndSize;
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
