// CoverageMapSource: the instrumented port's AFL edge map (Harness.Coverage.CoverageMap) as an
// engine coverage source. Only meaningful in a process whose Allocator.dll is instrumented (see
// InstrumentedLauncher); elsewhere the map stays empty and contributes nothing. The same map serves
// both instrumentations: SharpFuzz's probes write it too (SharpFuzzTrace), so Reset also clears
// SharpFuzz's previous location.
using Harness.Coverage;
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Engine;

public sealed class CoverageMapSource : ICoverageSource
{
    public string Name => "il";

    public int Size => CoverageMap.MapSize;

    public void Reset()
    {
        CoverageMap.Reset();
        SharpFuzzTrace.ResetPrevious();
    }

    public ReadOnlySpan<byte> Current => CoverageMap.Current;
}
