// ForwardingSyncRuntime: an ISyncRuntime that passes every operation to an inner runtime unchanged,
// for observers that must see some operations without deciding anything: a scenario's oracle
// that counts clock-sweep tickets, a test's hook that puts another backend's steps at an exact
// point of a routine. Subclasses override only what they watch (calling the base first), so the
// operation, its result and every scheduling point stay the inner runtime's.
using Allocator.Sim;

namespace Allocator.Sync;

public abstract class ForwardingSyncRuntime : ISyncRuntime
{
    protected ForwardingSyncRuntime(ISyncRuntime inner) => Inner = inner;

    protected ISyncRuntime Inner { get; }

    public SimMemory Memory => Inner.Memory;
    public virtual uint AtomicRead32(ulong addr) => Inner.AtomicRead32(addr);
    public virtual void AtomicWrite32(ulong addr, uint value) => Inner.AtomicWrite32(addr, value);
    public virtual bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval) => Inner.AtomicCompareExchange32(addr, ref expected, newval);
    public virtual uint AtomicExchange32(ulong addr, uint newval) => Inner.AtomicExchange32(addr, newval);
    public virtual uint AtomicFetchAdd32(ulong addr, uint add) => Inner.AtomicFetchAdd32(addr, add);
    public virtual uint AtomicFetchSub32(ulong addr, uint sub) => Inner.AtomicFetchSub32(addr, sub);
    public virtual uint AtomicFetchOr32(ulong addr, uint or) => Inner.AtomicFetchOr32(addr, or);
    public virtual uint AtomicFetchAnd32(ulong addr, uint and) => Inner.AtomicFetchAnd32(addr, and);
    public virtual ulong AtomicRead64(ulong addr) => Inner.AtomicRead64(addr);
    public virtual void AtomicWrite64(ulong addr, ulong value) => Inner.AtomicWrite64(addr, value);
    public virtual bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval) => Inner.AtomicCompareExchange64(addr, ref expected, newval);
    public virtual ulong AtomicExchange64(ulong addr, ulong newval) => Inner.AtomicExchange64(addr, newval);
    public virtual ulong AtomicFetchAdd64(ulong addr, ulong add) => Inner.AtomicFetchAdd64(addr, add);
    public virtual uint TestAndSet(ulong addr) => Inner.TestAndSet(addr);
    public virtual void SpinRelease(ulong addr) => Inner.SpinRelease(addr);
    public virtual void SpinPause(ulong addr, uint observed) => Inner.SpinPause(addr, observed);
    public virtual void SpinSleep(ulong addr, int usec) => Inner.SpinSleep(addr, usec);
    public virtual double SpinDelayRandom() => Inner.SpinDelayRandom();
    public virtual void SemaphoreLock(ulong semAddr) => Inner.SemaphoreLock(semAddr);
    public virtual void SemaphoreUnlock(ulong semAddr) => Inner.SemaphoreUnlock(semAddr);
    public virtual uint SharedRead32(ulong addr) => Inner.SharedRead32(addr);
    public virtual void SharedWrite32(ulong addr, uint value) => Inner.SharedWrite32(addr, value);
    public virtual ulong SharedRead64(ulong addr) => Inner.SharedRead64(addr);
    public virtual void SharedWrite64(ulong addr, ulong value) => Inner.SharedWrite64(addr, value);
    public virtual void ReportWaitStart(ulong objectId, string what) => Inner.ReportWaitStart(objectId, what);
    public virtual void ReportWaitEnd() => Inner.ReportWaitEnd();
    public virtual void NameObject(ulong objectId, string name) => Inner.NameObject(objectId, name);
}
