// CoverageMapSource: the instrumented port's AFL edge map (SharpFuzz's trace map, SharpFuzzTrace)
// as an engine coverage source. Only meaningful in a process whose Allocator.dll is instrumented
// (see InstrumentedLauncher); elsewhere the map stays empty and contributes nothing. One map per
// process: only one worker may read it (InstrumentedRun.WhyNoIlMapForWorkers).
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Engine;

public sealed class CoverageMapSource : ICoverageSource
{
    public string Name => "il";

    public int Size => SharpFuzzTrace.MapSize;

    public void Reset() => SharpFuzzTrace.Reset();

    public ReadOnlySpan<byte> Current => SharpFuzzTrace.Current;
}
