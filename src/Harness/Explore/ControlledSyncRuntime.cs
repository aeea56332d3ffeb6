// ControlledSyncRuntime: the sync seam of one backend under the explorer. Each call is a scheduling
// point (ControlledEngine.Point) followed by the operation itself, done with plain memory accesses:
// only one backend runs at a time and every switch goes through a full fence, so no Interlocked is
// needed. Words are accessed through SimMemory.AtomicRef32/64 so that a misaligned or unmapped
// "atomic" faults exactly as it would under the production runtime.
using Allocator.Sim;
using Allocator.Sync;

namespace Harness.Explore;

public sealed class ControlledSyncRuntime : ISyncRuntime
{
    private readonly ControlledEngine _e;
    private readonly int _me;
    private Allocator.Common.Prng _prng = new(0);

    public SimMemory Memory { get; private set; } = NewMemory();

    internal ControlledSyncRuntime(ControlledEngine engine, int index)
    {
        _e = engine;
        _me = index;
    }

    private static SimMemory NewMemory() => new(heapMax: 1 << 20, initialHeapCapacity: 64);

    internal void ResetMemory() => Memory = NewMemory();

    /// <summary>Restarts the spin-delay jitter so every iteration sees the same sequence.</summary>
    /// <summary>Each backend's spin-delay stream restarts with every iteration, from its backend number.</summary>
    internal void ResetPrng() => _prng = new Allocator.Common.Prng(Allocator.Common.Prng.Derive(0x5350494E, (ulong)_me));

    public int Index => _me;

    public uint AtomicRead32(ulong addr) { _e.Point(_me, SyncOpKind.AtomicRead32, addr); return Memory.AtomicRef32(addr); }

    public void AtomicWrite32(ulong addr, uint value) { _e.Point(_me, SyncOpKind.AtomicWrite32, addr); Memory.AtomicRef32(addr) = value; }

    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        _e.Point(_me, SyncOpKind.AtomicCas32, addr);
        return WordOps.Cas32(Memory, addr, ref expected, newval);
    }

    public uint AtomicExchange32(ulong addr, uint newval) { _e.Point(_me, SyncOpKind.AtomicExchange32, addr); return WordOps.Exchange32(Memory, addr, newval); }
    public uint AtomicFetchAdd32(ulong addr, uint add) { _e.Point(_me, SyncOpKind.AtomicFetchAdd32, addr); return WordOps.FetchAdd32(Memory, addr, add); }
    public uint AtomicFetchSub32(ulong addr, uint sub) { _e.Point(_me, SyncOpKind.AtomicFetchSub32, addr); return WordOps.FetchSub32(Memory, addr, sub); }
    public uint AtomicFetchOr32(ulong addr, uint or) { _e.Point(_me, SyncOpKind.AtomicFetchOr32, addr); return WordOps.FetchOr32(Memory, addr, or); }
    public uint AtomicFetchAnd32(ulong addr, uint and) { _e.Point(_me, SyncOpKind.AtomicFetchAnd32, addr); return WordOps.FetchAnd32(Memory, addr, and); }

    public ulong AtomicRead64(ulong addr) { _e.Point(_me, SyncOpKind.AtomicRead64, addr); return Memory.AtomicRef64(addr); }
    public void AtomicWrite64(ulong addr, ulong value) { _e.Point(_me, SyncOpKind.AtomicWrite64, addr); Memory.AtomicRef64(addr) = value; }

    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval)
    {
        _e.Point(_me, SyncOpKind.AtomicCas64, addr);
        return WordOps.Cas64(Memory, addr, ref expected, newval);
    }

    public ulong AtomicExchange64(ulong addr, ulong newval) { _e.Point(_me, SyncOpKind.AtomicExchange64, addr); return WordOps.Exchange64(Memory, addr, newval); }
    public ulong AtomicFetchAdd64(ulong addr, ulong add) { _e.Point(_me, SyncOpKind.AtomicFetchAdd64, addr); return WordOps.FetchAdd64(Memory, addr, add); }

    public uint TestAndSet(ulong addr)
    {
        _e.Point(_me, SyncOpKind.SpinTas, addr);
        uint o = WordOps.TestAndSet(Memory, addr);
        if (o == 0) _e.SpinAcquired(_me, addr);
        return o;
    }

    public void SpinRelease(ulong addr)
    {
        _e.Point(_me, SyncOpKind.SpinRelease, addr);
        Memory.AtomicRef32(addr) = 0;
        _e.SpinReleased(addr);
    }

    public void SpinPause(ulong addr, uint observed)
    {
        if (_e.Options.SpinMode == SpinMode.Blocking)
            _e.Point(_me, SyncOpKind.SpinPause, addr, BlockKind.WordChanged, observed);
        else
            _e.Point(_me, SyncOpKind.SpinPause, addr, yielding: true);
    }

    public void SpinSleep(ulong addr, int usec) => _e.Point(_me, SyncOpKind.SpinSleep, addr, yielding: true);

    public double SpinDelayRandom()
    {
        // Deterministic per backend and iteration; 53 random bits, as pg_prng_double takes them.
        return (_prng.NextU64() >> 11) * (1.0 / (1UL << 53));
    }

    public void SemaphoreLock(ulong semAddr)
    {
        _e.Point(_me, SyncOpKind.SemLock, semAddr, BlockKind.SemPositive);
        WordOps.SemDecrement(Memory, semAddr);
    }

    public void SemaphoreUnlock(ulong semAddr)
    {
        _e.Point(_me, SyncOpKind.SemUnlock, semAddr);
        Memory.AtomicRef32(semAddr)++;
    }

    public uint SharedRead32(ulong addr) { _e.Point(_me, SyncOpKind.SharedRead, addr); return Memory.AtomicRef32(addr); }
    public void SharedWrite32(ulong addr, uint value) { _e.Point(_me, SyncOpKind.SharedWrite, addr); Memory.AtomicRef32(addr) = value; }
    public ulong SharedRead64(ulong addr) { _e.Point(_me, SyncOpKind.SharedRead, addr); return Memory.AtomicRef64(addr); }
    public void SharedWrite64(ulong addr, ulong value) { _e.Point(_me, SyncOpKind.SharedWrite, addr); Memory.AtomicRef64(addr) = value; }

    public void ReportWaitStart(ulong objectId, string what) => _e.WaitStart(_me, objectId, what);
    public void ReportWaitEnd() => _e.WaitEnd(_me);
    public void NameObject(ulong objectId, string name) => _e.SetName(objectId, name);
}
