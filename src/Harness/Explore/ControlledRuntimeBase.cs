// ControlledRuntimeBase: what the sync seam does for one backend under any controlled scheduler
// (our explorer's ControlledSyncRuntime, the Coyote engine's CoyoteSyncRuntime): every call is a
// scheduling point, placed before the operation, followed by the operation itself on plain memory
// (one backend runs at a time and every switch is a full fence, so no Interlocked; WordOps gives
// each operation the same meaning under both engines). A scheduler supplies only what differs: how
// a point, a blocking wait, a yield and the bookkeeping hooks are done. Words go through
// SimMemory.AtomicRef32/64 so a misaligned or unmapped "atomic" faults as it would in production.
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;

namespace Harness.Explore;

public abstract class ControlledRuntimeBase : ISyncRuntime
{
    private Prng _prng = new(0);

    protected ControlledRuntimeBase(int index) => Index = index;

    /// <summary>The backend's number.</summary>
    public int Index { get; }

    public SimMemory Memory { get; private set; } = NewMemory();

    private static SimMemory NewMemory() => new(heapMax: 1 << 20, initialHeapCapacity: 64);

    internal void ResetMemory() => Memory = NewMemory();

    /// <summary>Each backend's spin-delay stream restarts with every iteration, from its backend
    /// number, the same under every scheduler.</summary>
    internal void ResetPrng() => _prng = new Prng(Prng.Derive(0x5350494E, (ulong)Index));

    // ---- what a scheduler supplies

    /// <summary>A scheduling point before an operation that never blocks.</summary>
    protected abstract void Point(SyncOpKind kind, ulong addr);

    /// <summary>A failed spin waiting for the word at addr to leave <paramref name="observed"/>.</summary>
    public abstract void SpinPause(ulong addr, uint observed);

    /// <summary>perform_spin_delay's sleep: a yielding point.</summary>
    public abstract void SpinSleep(ulong addr, int usec);

    /// <summary>The point of PGSemaphoreLock: returns once the count at semAddr is positive.</summary>
    protected abstract void SemaphoreWait(ulong semAddr);

    /// <summary>Bookkeeping for deadlock reports: the spinlock at addr was taken / released.</summary>
    protected abstract void SpinAcquired(ulong addr);
    protected abstract void SpinReleased(ulong addr);

    public abstract void ReportWaitStart(ulong objectId, string what);
    public abstract void ReportWaitEnd();
    public abstract void NameObject(ulong objectId, string name);

    // ---- the seam

    public uint AtomicRead32(ulong addr) { Point(SyncOpKind.AtomicRead32, addr); return Memory.AtomicRef32(addr); }
    public void AtomicWrite32(ulong addr, uint value) { Point(SyncOpKind.AtomicWrite32, addr); Memory.AtomicRef32(addr) = value; }

    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        Point(SyncOpKind.AtomicCas32, addr);
        return WordOps.Cas32(Memory, addr, ref expected, newval);
    }

    public uint AtomicExchange32(ulong addr, uint newval) { Point(SyncOpKind.AtomicExchange32, addr); return WordOps.Exchange32(Memory, addr, newval); }
    public uint AtomicFetchAdd32(ulong addr, uint add) { Point(SyncOpKind.AtomicFetchAdd32, addr); return WordOps.FetchAdd32(Memory, addr, add); }
    public uint AtomicFetchSub32(ulong addr, uint sub) { Point(SyncOpKind.AtomicFetchSub32, addr); return WordOps.FetchSub32(Memory, addr, sub); }
    public uint AtomicFetchOr32(ulong addr, uint or) { Point(SyncOpKind.AtomicFetchOr32, addr); return WordOps.FetchOr32(Memory, addr, or); }
    public uint AtomicFetchAnd32(ulong addr, uint and) { Point(SyncOpKind.AtomicFetchAnd32, addr); return WordOps.FetchAnd32(Memory, addr, and); }

    public ulong AtomicRead64(ulong addr) { Point(SyncOpKind.AtomicRead64, addr); return Memory.AtomicRef64(addr); }
    public void AtomicWrite64(ulong addr, ulong value) { Point(SyncOpKind.AtomicWrite64, addr); Memory.AtomicRef64(addr) = value; }

    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval)
    {
        Point(SyncOpKind.AtomicCas64, addr);
        return WordOps.Cas64(Memory, addr, ref expected, newval);
    }

    public ulong AtomicExchange64(ulong addr, ulong newval) { Point(SyncOpKind.AtomicExchange64, addr); return WordOps.Exchange64(Memory, addr, newval); }
    public ulong AtomicFetchAdd64(ulong addr, ulong add) { Point(SyncOpKind.AtomicFetchAdd64, addr); return WordOps.FetchAdd64(Memory, addr, add); }

    public uint TestAndSet(ulong addr)
    {
        Point(SyncOpKind.SpinTas, addr);
        uint o = WordOps.TestAndSet(Memory, addr);
        if (o == 0) SpinAcquired(addr);
        return o;
    }

    public void SpinRelease(ulong addr)
    {
        Point(SyncOpKind.SpinRelease, addr);
        Memory.AtomicRef32(addr) = 0;
        SpinReleased(addr);
    }

    /// <summary>Deterministic per backend and iteration; 53 random bits, as pg_prng_double takes them.</summary>
    public double SpinDelayRandom() => (_prng.NextU64() >> 11) * (1.0 / (1UL << 53));

    public void SemaphoreLock(ulong semAddr)
    {
        SemaphoreWait(semAddr);
        WordOps.SemDecrement(Memory, semAddr);
    }

    public void SemaphoreUnlock(ulong semAddr)
    {
        Point(SyncOpKind.SemUnlock, semAddr);
        Memory.AtomicRef32(semAddr)++;
    }

    public uint SharedRead32(ulong addr) { Point(SyncOpKind.SharedRead, addr); return Memory.AtomicRef32(addr); }
    public void SharedWrite32(ulong addr, uint value) { Point(SyncOpKind.SharedWrite, addr); Memory.AtomicRef32(addr) = value; }
    public ulong SharedRead64(ulong addr) { Point(SyncOpKind.SharedRead, addr); return Memory.AtomicRef64(addr); }
    public void SharedWrite64(ulong addr, ulong value) { Point(SyncOpKind.SharedWrite, addr); Memory.AtomicRef64(addr) = value; }
}
