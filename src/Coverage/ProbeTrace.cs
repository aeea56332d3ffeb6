// ProbeTrace: an alternative probe target that records the exact sequence of location ids on the
// current thread instead of hashing edges into the shared map. Used to debug the instrumentation
// (which blocks ran, in order, mapped back through the manifest) and by the instrumentation tests,
// which must observe probes without disturbing the process-wide CoverageMap.
// Instrument with InstrumentOptions.ProbeMethod = ProbeTrace.Hit to use it.
namespace Harness.Coverage;

public static class ProbeTrace
{
    [ThreadStatic]
    private static List<int>? t_ids;

    /// <summary>Probe entry point: appends the id when this thread is capturing.</summary>
    public static void Hit(int locationId) => t_ids?.Add(locationId);

    /// <summary>Starts capturing on this thread; dispose the result to stop. Nested captures are not supported.</summary>
    public static Capture Start()
    {
        if (t_ids is not null) throw new InvalidOperationException("a probe trace is already being captured on this thread");
        var ids = new List<int>();
        t_ids = ids;
        return new Capture(ids);
    }

    public sealed class Capture : IDisposable
    {
        internal Capture(List<int> ids) => Ids = ids;

        /// <summary>Ids in the order the probes ran.</summary>
        public List<int> Ids { get; }

        public void Dispose() => t_ids = null;
    }
}
