// ProductionSyncRuntime: the sync seam for real threads. Atomics are Interlocked operations on the
// words of fixed shared regions (SimMemory.AtomicRef32/64: those arrays never move), unlocked
// shared reads and writes are Volatile, spinning is a CPU pause hint plus a real sleep, and
// semaphores block for real (ProductionSemaphores). Scheduling points cost nothing here.
//
// This is the one place in the port where real time is right: perform_spin_delay's pg_usleep.
// The spin-delay jitter (pg_global_prng_state's job in s_lock.c) comes from the project's Prng,
// seeded by the caller.
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Sync;

public sealed class ProductionSyncRuntime : ISyncRuntime
{
    private readonly ProductionSemaphores _kernel;
    private readonly Prng _prng;

    public SimMemory Memory { get; }

    /// <param name="memory">This backend's view of shared memory.</param>
    /// <param name="kernel">The semaphore wait queues shared by every backend of the group.</param>
    /// <param name="spinSeed">Seed of the spin-delay jitter (pg_global_prng_state); any value.</param>
    public ProductionSyncRuntime(SimMemory memory, ProductionSemaphores kernel, ulong spinSeed)
    {
        Memory = memory;
        _kernel = kernel;
        _prng = new Prng(spinSeed);
    }

    public uint AtomicRead32(ulong addr) => Volatile.Read(ref Memory.AtomicRef32(addr));
    public void AtomicWrite32(ulong addr, uint value) => Volatile.Write(ref Memory.AtomicRef32(addr), value);

    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        uint seen = Interlocked.CompareExchange(ref Memory.AtomicRef32(addr), newval, expected);
        if (seen == expected) return true;
        expected = seen;
        return false;
    }

    public uint AtomicExchange32(ulong addr, uint newval) => Interlocked.Exchange(ref Memory.AtomicRef32(addr), newval);
    public uint AtomicFetchAdd32(ulong addr, uint add) => Interlocked.Add(ref Memory.AtomicRef32(addr), add) - add;
    public uint AtomicFetchSub32(ulong addr, uint sub) => Interlocked.Add(ref Memory.AtomicRef32(addr), unchecked(0u - sub)) + sub;
    public uint AtomicFetchOr32(ulong addr, uint or) => Interlocked.Or(ref Memory.AtomicRef32(addr), or);
    public uint AtomicFetchAnd32(ulong addr, uint and) => Interlocked.And(ref Memory.AtomicRef32(addr), and);

    public ulong AtomicRead64(ulong addr) => Interlocked.Read(ref Memory.AtomicRef64(addr));
    public void AtomicWrite64(ulong addr, ulong value) => Interlocked.Exchange(ref Memory.AtomicRef64(addr), value);

    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval)
    {
        ulong seen = Interlocked.CompareExchange(ref Memory.AtomicRef64(addr), newval, expected);
        if (seen == expected) return true;
        expected = seen;
        return false;
    }

    public ulong AtomicExchange64(ulong addr, ulong newval) => Interlocked.Exchange(ref Memory.AtomicRef64(addr), newval);
    public ulong AtomicFetchAdd64(ulong addr, ulong add) => Interlocked.Add(ref Memory.AtomicRef64(addr), add) - add;

    public uint TestAndSet(ulong addr) => Interlocked.Exchange(ref Memory.AtomicRef32(addr), 1u);
    public void SpinRelease(ulong addr) => Volatile.Write(ref Memory.AtomicRef32(addr), 0u);

    public void SpinPause(ulong addr, uint observed) => Thread.SpinWait(1);

    public void SpinSleep(ulong addr, int usec)
    {
#pragma warning disable RS0030 // pg_usleep: the production runtime is where real sleeping belongs
        Thread.Sleep(TimeSpan.FromTicks(usec * 10L));
#pragma warning restore RS0030
    }

    /// <summary>pg_prng_double: uniform in [0, 1), from the top 53 bits of the next Prng value.
    /// Jitter only; it never decides what a test runs. (Prng itself has no floating point.)</summary>
    public double SpinDelayRandom() => (_prng.NextU64() >> 11) * (1.0 / (1UL << 53));

    public void SemaphoreLock(ulong semAddr) => _kernel.Lock(Memory, semAddr);
    public void SemaphoreUnlock(ulong semAddr) => _kernel.Unlock(Memory, semAddr);

    public uint SharedRead32(ulong addr) => Volatile.Read(ref Memory.AtomicRef32(addr));
    public void SharedWrite32(ulong addr, uint value) => Volatile.Write(ref Memory.AtomicRef32(addr), value);
    public ulong SharedRead64(ulong addr) => Interlocked.Read(ref Memory.AtomicRef64(addr));
    public void SharedWrite64(ulong addr, ulong value) => Interlocked.Exchange(ref Memory.AtomicRef64(addr), value);

    public void ReportWaitStart(ulong objectId, string what) { }
    public void ReportWaitEnd() { }
    public void NameObject(ulong objectId, string name) { }
}
