// SequentialSyncRuntime: the sync seam when one host thread drives every simulated backend, one
// whole operation at a time (the property and fuzz engines of the buffer manager, and its
// benchmarks). Atomics are plain reads and writes of simulated memory: nothing else runs between
// two of them.
//
// Waiting is where this runtime differs from the others. A backend that must wait (a semaphore at
// zero, a spinlock someone holds) can only be released by another backend, and no other backend
// runs until this one's operation returns: the wait would last forever. So instead of blocking it
// throws SimBlockedException, naming what it waited for; the harness reports that as a deadlock
// at the operation (an ERROR-free port under correct preconditions never waits here).
using Allocator.Sim;

namespace Allocator.Sync;

/// <summary>A backend would wait for something only another backend could give it, while no other
/// backend can run (sequential execution): the wait would never end.</summary>
public sealed class SimBlockedException : Exception
{
    public SimBlockedException(string what) : base(what) { }
}

public sealed class SequentialSyncRuntime : ISyncRuntime
{
    private string? _waitingFor;

    public SequentialSyncRuntime(SimMemory memory) => Memory = memory;

    public SimMemory Memory { get; }

    public uint AtomicRead32(ulong addr) => Memory.ReadU32(addr);
    public void AtomicWrite32(ulong addr, uint value) => Memory.WriteU32(addr, value);

    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        uint seen = Memory.ReadU32(addr);
        if (seen != expected)
        {
            expected = seen;
            return false;
        }
        Memory.WriteU32(addr, newval);
        return true;
    }

    public uint AtomicExchange32(ulong addr, uint newval)
    {
        uint old = Memory.ReadU32(addr);
        Memory.WriteU32(addr, newval);
        return old;
    }

    public uint AtomicFetchAdd32(ulong addr, uint add) => AtomicExchange32(addr, unchecked(Memory.ReadU32(addr) + add));
    public uint AtomicFetchSub32(ulong addr, uint sub) => AtomicExchange32(addr, unchecked(Memory.ReadU32(addr) - sub));
    public uint AtomicFetchOr32(ulong addr, uint or) => AtomicExchange32(addr, Memory.ReadU32(addr) | or);
    public uint AtomicFetchAnd32(ulong addr, uint and) => AtomicExchange32(addr, Memory.ReadU32(addr) & and);

    public ulong AtomicRead64(ulong addr) => Memory.ReadU64(addr);
    public void AtomicWrite64(ulong addr, ulong value) => Memory.WriteU64(addr, value);

    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval)
    {
        ulong seen = Memory.ReadU64(addr);
        if (seen != expected)
        {
            expected = seen;
            return false;
        }
        Memory.WriteU64(addr, newval);
        return true;
    }

    public ulong AtomicExchange64(ulong addr, ulong newval)
    {
        ulong old = Memory.ReadU64(addr);
        Memory.WriteU64(addr, newval);
        return old;
    }

    public ulong AtomicFetchAdd64(ulong addr, ulong add) => AtomicExchange64(addr, unchecked(Memory.ReadU64(addr) + add));

    public uint TestAndSet(ulong addr) => AtomicExchange32(addr, 1);
    public void SpinRelease(ulong addr) => Memory.WriteU32(addr, 0);

    // A failed TAS means someone else holds the spinlock, and that someone cannot run.
    public void SpinPause(ulong addr, uint observed) =>
        throw new SimBlockedException($"spins on the word at 0x{addr:x} (holding {observed}), which only a backend that cannot run would change");

    public void SpinSleep(ulong addr, int usec) => SpinPause(addr, Memory.ReadU32(addr));

    /// <summary>Never called: SpinPause throws first. Deterministic anyway.</summary>
    public double SpinDelayRandom() => 0.5;

    public void SemaphoreLock(ulong semAddr)
    {
        uint count = Memory.ReadU32(semAddr);
        if (count == 0)
            throw new SimBlockedException($"sleeps on the semaphore at 0x{semAddr:x}{(_waitingFor is null ? "" : $" waiting for {_waitingFor}")}, and no other backend can run to wake it");
        Memory.WriteU32(semAddr, count - 1);
    }

    public void SemaphoreUnlock(ulong semAddr) => Memory.WriteU32(semAddr, Memory.ReadU32(semAddr) + 1);

    public uint SharedRead32(ulong addr) => Memory.ReadU32(addr);
    public void SharedWrite32(ulong addr, uint value) => Memory.WriteU32(addr, value);
    public ulong SharedRead64(ulong addr) => Memory.ReadU64(addr);
    public void SharedWrite64(ulong addr, ulong value) => Memory.WriteU64(addr, value);

    public void ReportWaitStart(ulong objectId, string what) => _waitingFor = what;
    public void ReportWaitEnd() => _waitingFor = null;
    public void NameObject(ulong objectId, string name) { }
}
