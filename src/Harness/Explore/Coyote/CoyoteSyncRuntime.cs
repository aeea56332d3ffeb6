// CoyoteSyncRuntime: the sync seam of one backend under the Coyote engine. Every call is a Coyote
// scheduling point (CoyoteBackendSet.Point / YieldPoint / BlockingPoint) followed by the operation
// itself on plain memory: Coyote runs one controlled operation at a time and switches through its
// own full fences, so no Interlocked is needed (the same argument as the explorer's
// ControlledSyncRuntime). Words go through SimMemory.AtomicRef32/64 so a misaligned or unmapped
// "atomic" faults as it would in production.
//
// Spinning: in blocking mode (the default) a failed spin is a controlled wait until the word
// changes; in yielding mode it is SchedulingPoint.Yield, as Coyote models SpinWait.SpinOnce, so
// perform_spin_delay's counters run and a never-released spinlock ends in the stuck-spinlock PANIC.
using Allocator.Sim;
using Allocator.Sync;

namespace Harness.Explore.Coyote;

public sealed class CoyoteSyncRuntime : ISyncRuntime
{
    private readonly CoyoteBackendSet _s;
    private readonly int _me;
    private Allocator.Common.Prng _prng = new(0);

    public SimMemory Memory { get; private set; } = NewMemory();

    internal CoyoteSyncRuntime(CoyoteBackendSet set, int index)
    {
        _s = set;
        _me = index;
    }

    private static SimMemory NewMemory() => new(heapMax: 1 << 20, initialHeapCapacity: 64);

    internal void ResetMemory() => Memory = NewMemory();

    /// <summary>Each backend's spin-delay stream restarts with every iteration, from its backend
    /// number (the same stream as under the explorer).</summary>
    internal void ResetPrng() => _prng = new Allocator.Common.Prng(Allocator.Common.Prng.Derive(0x5350494E, (ulong)_me));

    public uint AtomicRead32(ulong addr) { _s.Point(_me, SyncOpKind.AtomicRead32, addr); return Memory.AtomicRef32(addr); }

    public void AtomicWrite32(ulong addr, uint value) { _s.Point(_me, SyncOpKind.AtomicWrite32, addr); Memory.AtomicRef32(addr) = value; }

    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        _s.Point(_me, SyncOpKind.AtomicCas32, addr);
        return WordOps.Cas32(Memory, addr, ref expected, newval);
    }

    public uint AtomicExchange32(ulong addr, uint newval) { _s.Point(_me, SyncOpKind.AtomicExchange32, addr); return WordOps.Exchange32(Memory, addr, newval); }
    public uint AtomicFetchAdd32(ulong addr, uint add) { _s.Point(_me, SyncOpKind.AtomicFetchAdd32, addr); return WordOps.FetchAdd32(Memory, addr, add); }
    public uint AtomicFetchSub32(ulong addr, uint sub) { _s.Point(_me, SyncOpKind.AtomicFetchSub32, addr); return WordOps.FetchSub32(Memory, addr, sub); }
    public uint AtomicFetchOr32(ulong addr, uint or) { _s.Point(_me, SyncOpKind.AtomicFetchOr32, addr); return WordOps.FetchOr32(Memory, addr, or); }
    public uint AtomicFetchAnd32(ulong addr, uint and) { _s.Point(_me, SyncOpKind.AtomicFetchAnd32, addr); return WordOps.FetchAnd32(Memory, addr, and); }

    public ulong AtomicRead64(ulong addr) { _s.Point(_me, SyncOpKind.AtomicRead64, addr); return Memory.AtomicRef64(addr); }
    public void AtomicWrite64(ulong addr, ulong value) { _s.Point(_me, SyncOpKind.AtomicWrite64, addr); Memory.AtomicRef64(addr) = value; }

    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval)
    {
        _s.Point(_me, SyncOpKind.AtomicCas64, addr);
        return WordOps.Cas64(Memory, addr, ref expected, newval);
    }

    public ulong AtomicExchange64(ulong addr, ulong newval) { _s.Point(_me, SyncOpKind.AtomicExchange64, addr); return WordOps.Exchange64(Memory, addr, newval); }
    public ulong AtomicFetchAdd64(ulong addr, ulong add) { _s.Point(_me, SyncOpKind.AtomicFetchAdd64, addr); return WordOps.FetchAdd64(Memory, addr, add); }

    public uint TestAndSet(ulong addr)
    {
        _s.Point(_me, SyncOpKind.SpinTas, addr);
        uint o = WordOps.TestAndSet(Memory, addr);
        if (o == 0) _s.SpinAcquired(_me, addr);
        return o;
    }

    public void SpinRelease(ulong addr)
    {
        _s.Point(_me, SyncOpKind.SpinRelease, addr);
        Memory.AtomicRef32(addr) = 0;
        _s.SpinReleased(addr);
    }

    public void SpinPause(ulong addr, uint observed)
    {
        if (_s.Options.SpinMode == SpinMode.Blocking)
            _s.BlockingPoint(_me, SyncOpKind.SpinPause, addr, semaphore: false, observed);
        else
            _s.YieldPoint(_me, SyncOpKind.SpinPause, addr);
    }

    public void SpinSleep(ulong addr, int usec) => _s.YieldPoint(_me, SyncOpKind.SpinSleep, addr);

    public double SpinDelayRandom() => (_prng.NextU64() >> 11) * (1.0 / (1UL << 53));

    public void SemaphoreLock(ulong semAddr)
    {
        _s.BlockingPoint(_me, SyncOpKind.SemLock, semAddr, semaphore: true, 0);
        WordOps.SemDecrement(Memory, semAddr);
    }

    public void SemaphoreUnlock(ulong semAddr)
    {
        _s.Point(_me, SyncOpKind.SemUnlock, semAddr);
        Memory.AtomicRef32(semAddr)++;
    }

    public uint SharedRead32(ulong addr) { _s.Point(_me, SyncOpKind.SharedRead, addr); return Memory.AtomicRef32(addr); }
    public void SharedWrite32(ulong addr, uint value) { _s.Point(_me, SyncOpKind.SharedWrite, addr); Memory.AtomicRef32(addr) = value; }
    public ulong SharedRead64(ulong addr) { _s.Point(_me, SyncOpKind.SharedRead, addr); return Memory.AtomicRef64(addr); }
    public void SharedWrite64(ulong addr, ulong value) { _s.Point(_me, SyncOpKind.SharedWrite, addr); Memory.AtomicRef64(addr) = value; }

    public void ReportWaitStart(ulong objectId, string what) => _s.WaitStart(_me, objectId, what);
    public void ReportWaitEnd() => _s.WaitEnd(_me);
    public void NameObject(ulong objectId, string name) => _s.SetName(objectId, name);
}
