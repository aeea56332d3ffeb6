// ITargetFeatures: a target that records its own semantic coverage (operation kinds, result
// classes, size classes) into a FeatureMap during Execute. The engine treats that map as one more
// coverage source beside the IL edge map, which gives useful feedback even in a process where the
// port is not instrumented (unit tests, the gate) and stays deterministic there.
namespace Harness.Fuzz.Engine;

public interface ITargetFeatures
{
    /// <summary>The map Execute fills; Execute resets it itself at the start of every run.</summary>
    ICoverageSource Features { get; }
}
