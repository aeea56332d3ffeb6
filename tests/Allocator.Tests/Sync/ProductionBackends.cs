// ProductionBackends: a group of backends over one SyncSegment with the production runtime (real
// Interlocked, real blocking), each with its own SimMemory mapping the segment.
using Allocator.Sim;
using Allocator.Sync;

namespace Allocator.Tests.Sync;

internal sealed class ProductionBackends
{
    public SyncSegment Segment { get; }
    public SyncBackend[] Backends { get; }

    public ProductionBackends(int n, int lwlocks, int spinlocks = 0, int vars = 0, int scratch = 64)
    {
        Segment = new SyncSegment(n, lwlocks, spinlocks, vars, scratch);
        var kernel = new ProductionSemaphores();
        Backends = new SyncBackend[n];
        for (int i = 0; i < n; i++)
        {
            var mem = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
            Segment.MapInto(mem);
            Backends[i] = new SyncBackend(new ProductionSyncRuntime(mem, kernel, (ulong)i + 1), Segment, i);
        }
    }
}
