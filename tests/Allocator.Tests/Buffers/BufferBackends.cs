// BufferBackends: a group of backends over one SyncSegment and one BufferDescriptors array, with the
// production runtime (real Interlocked, real blocking); each backend has its own SimMemory mapping
// both regions and the main shared-memory segment (which holds the strategy control block), and its
// own BufferPins.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Sync;

namespace Allocator.Tests.Buffers;

internal sealed class BufferBackends
{
    public SyncSegment Segment { get; }
    public BufferDescriptors Descs { get; }
    public BufferPins[] Pins { get; }
    public ElogSink Elog { get; } = new();
    public ShmemSegment Shmem { get; }
    public StrategyControl Strategy { get; }

    /// <summary>The main segment's slot, after SyncSegment's and the descriptors'.</summary>
    public const ulong ShmemBase = SimMemory.RegionBase + 2 * SimMemory.RegionAlign;

    public BufferBackends(int n, int nbuffers)
    {
        Segment = new SyncSegment(n, 0);
        Descs = new BufferDescriptors(nbuffers);
        Shmem = new ShmemSegment(Descs.InitMemory, 16 * 1024, at: ShmemBase);
        Strategy = StrategyControl.StrategyInitialize(Shmem, Descs);
        var kernel = new ProductionSemaphores();
        Pins = new BufferPins[n];
        for (int i = 0; i < n; i++)
        {
            var mem = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
            Segment.MapInto(mem);
            Descs.MapInto(mem);
            Shmem.AttachTo(mem);
            var b = new SyncBackend(new ProductionSyncRuntime(mem, kernel, (ulong)i + 1), Segment, i);
            Pins[i] = new BufferPins(b, Descs, Elog);
        }
    }

    public BufferDesc Desc(int buffer) => Descs.GetBufferDescriptorOfBuffer(buffer);

    public uint State(int buffer) => Descs.InitMemory.ReadU32(Desc(buffer).StateAddr);

    public List<string> Check(bool final = false) => BufferCheck.Check(Descs, Pins, final);

    public List<string> CheckAll(bool final = false, IEnumerable<BufferAccessStrategy?>? rings = null)
    {
        List<string> e = Check(final);
        e.AddRange(FreelistCheck.Check(Strategy, rings));
        return e;
    }

    /// <summary>Pins with the reservation first, as every caller in bufmgr.c does.</summary>
    public static bool Pin(BufferPins p, BufferDesc d, BufferAccessStrategy? strategy = null)
    {
        p.ReservePrivateRefCountEntry();
        return p.PinBuffer(d, strategy);
    }

    /// <summary>Gives a buffer a tag and flags under its header lock (what BufferAlloc and I/O completion would do).</summary>
    public static void SetTagAndFlags(BufferPins p, BufferDesc d, BufferTag tag, uint flags)
    {
        uint s = BufHdrLock.LockBufHdr(p.Backend, d);
        BufferDescriptors.WriteTag(p.Backend.Memory, d, tag);
        BufHdrLock.UnlockBufHdr(p.Backend, d, s | flags);
    }
}
