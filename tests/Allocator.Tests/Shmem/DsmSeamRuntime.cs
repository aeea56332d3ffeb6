// DsmSeamRuntime: an ISyncRuntime that forwards to an inner runtime, records the addresses of the
// CAS operations and unlocked reads it sees, and runs a test's hooks before an unlocked 32-bit read
// and before a CAS. Lets a single-threaded test place another backend's steps at an exact point of
// a dsm.c routine (between dsm_detach's drop to refcnt 1 and the segment's destruction).
using Allocator.Sim;
using Allocator.Sync;

namespace Allocator.Tests.Shmem;

internal sealed class DsmSeamRuntime : ISyncRuntime
{
    private readonly ISyncRuntime _inner;

    public DsmSeamRuntime(ISyncRuntime inner) => _inner = inner;

    public List<ulong> CasAddresses { get; } = new();
    public List<ulong> SharedReads { get; } = new();

    /// <summary>Runs before each SharedRead32, with its address.</summary>
    public Action<ulong>? BeforeSharedRead32 { get; set; }
    /// <summary>Runs before each 32-bit CAS, with its address.</summary>
    public Action<ulong>? BeforeCas32 { get; set; }

    public SimMemory Memory => _inner.Memory;
    public uint AtomicRead32(ulong addr) => _inner.AtomicRead32(addr);
    public void AtomicWrite32(ulong addr, uint value) => _inner.AtomicWrite32(addr, value);
    public bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        BeforeCas32?.Invoke(addr);
        CasAddresses.Add(addr);
        return _inner.AtomicCompareExchange32(addr, ref expected, newval);
    }
    public uint AtomicExchange32(ulong addr, uint newval) => _inner.AtomicExchange32(addr, newval);
    public uint AtomicFetchAdd32(ulong addr, uint add) => _inner.AtomicFetchAdd32(addr, add);
    public uint AtomicFetchSub32(ulong addr, uint sub) => _inner.AtomicFetchSub32(addr, sub);
    public uint AtomicFetchOr32(ulong addr, uint or) => _inner.AtomicFetchOr32(addr, or);
    public uint AtomicFetchAnd32(ulong addr, uint and) => _inner.AtomicFetchAnd32(addr, and);
    public ulong AtomicRead64(ulong addr) => _inner.AtomicRead64(addr);
    public void AtomicWrite64(ulong addr, ulong value) => _inner.AtomicWrite64(addr, value);
    public bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval) => _inner.AtomicCompareExchange64(addr, ref expected, newval);
    public ulong AtomicExchange64(ulong addr, ulong newval) => _inner.AtomicExchange64(addr, newval);
    public ulong AtomicFetchAdd64(ulong addr, ulong add) => _inner.AtomicFetchAdd64(addr, add);
    public uint TestAndSet(ulong addr) => _inner.TestAndSet(addr);
    public void SpinRelease(ulong addr) => _inner.SpinRelease(addr);
    public void SpinPause(ulong addr, uint observed) => _inner.SpinPause(addr, observed);
    public void SpinSleep(ulong addr, int usec) => _inner.SpinSleep(addr, usec);
    public double SpinDelayRandom() => _inner.SpinDelayRandom();
    public void SemaphoreLock(ulong semAddr) => _inner.SemaphoreLock(semAddr);
    public void SemaphoreUnlock(ulong semAddr) => _inner.SemaphoreUnlock(semAddr);
    public uint SharedRead32(ulong addr)
    {
        BeforeSharedRead32?.Invoke(addr);
        SharedReads.Add(addr);
        return _inner.SharedRead32(addr);
    }
    public void SharedWrite32(ulong addr, uint value) => _inner.SharedWrite32(addr, value);
    public ulong SharedRead64(ulong addr) => _inner.SharedRead64(addr);
    public void SharedWrite64(ulong addr, ulong value) => _inner.SharedWrite64(addr, value);
    public void ReportWaitStart(ulong objectId, string what) => _inner.ReportWaitStart(objectId, what);
    public void ReportWaitEnd() => _inner.ReportWaitEnd();
    public void NameObject(ulong objectId, string name) => _inner.NameObject(objectId, name);
}
