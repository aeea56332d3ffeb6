// ICoverageSource: one coverage map the engine reads after every execution.
//
// The engine keeps a separate novelty (virgin) map per source, so it can combine the IL edge map of
// the instrumented port (CoverageMapSource) with a target's own semantic feature map (FeatureMap),
// and tests can feed synthetic maps without touching the process-wide SharpFuzz map.
namespace Harness.Fuzz.Engine;

public interface ICoverageSource
{
    /// <summary>Short name for status lines and reports ("il", "features").</summary>
    string Name { get; }

    /// <summary>Map size in bytes; a multiple of 8. Fixed for the source's lifetime.</summary>
    int Size { get; }

    /// <summary>Clears the map before an execution.</summary>
    void Reset();

    /// <summary>The map after an execution: one saturating hit counter per edge or feature.</summary>
    ReadOnlySpan<byte> Current { get; }
}
