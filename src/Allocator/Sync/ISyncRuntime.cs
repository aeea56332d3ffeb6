// ISyncRuntime: the sync seam. Every interaction of the port with memory shared between backends
// goes through one of these calls, each of which is a scheduling point carrying the operation kind
// (SyncOpKind), a stable object id and the access (SyncOps.AccessOf).
//
// The object id is the simulated address of the word: shared segments are mapped at the same base
// in every backend, and simulated addresses are deterministic, so the id is the same in every
// backend and in every run. (A segment mapped at different bases per backend must pass a
// base-independent id; no caller needs that yet.)
//
// One instance belongs to one simulated backend (as a PostgreSQL process has its own mapping of
// shared memory): Memory is that backend's view. Two implementations:
//   * ProductionSyncRuntime: real threads, Interlocked on SimMemory.AtomicRef32/64, real blocking;
//   * the explorer's controlled runtime (Harness.Explore): one backend runs at a time and the
//     strategy chooses who runs at each call.
//
// The point comes before the operation: when the call returns, the operation has happened.
// Reads and writes of shared fields protected by a lock the caller holds do not need the seam
// (they cannot race); unlocked reads and writes of shared fields do (SharedRead/SharedWrite).
using Allocator.Sim;

namespace Allocator.Sync;

public interface ISyncRuntime
{
    /// <summary>This backend's view of the simulated address space.</summary>
    SimMemory Memory { get; }

    // ---- pg_atomic_* on 32-bit words (port/atomics.h); CAS and fetch-ops are full barriers.
    uint AtomicRead32(ulong addr);
    void AtomicWrite32(ulong addr, uint value);
    /// <summary>pg_atomic_compare_exchange_u32: on failure <paramref name="expected"/> receives the current value.</summary>
    bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval);
    uint AtomicExchange32(ulong addr, uint newval);
    /// <summary>Returns the old value.</summary>
    uint AtomicFetchAdd32(ulong addr, uint add);
    /// <summary>Returns the old value.</summary>
    uint AtomicFetchSub32(ulong addr, uint sub);
    /// <summary>Returns the old value.</summary>
    uint AtomicFetchOr32(ulong addr, uint or);
    /// <summary>Returns the old value.</summary>
    uint AtomicFetchAnd32(ulong addr, uint and);

    // ---- pg_atomic_* on 64-bit words.
    ulong AtomicRead64(ulong addr);
    void AtomicWrite64(ulong addr, ulong value);
    bool AtomicCompareExchange64(ulong addr, ref ulong expected, ulong newval);
    ulong AtomicExchange64(ulong addr, ulong newval);
    ulong AtomicFetchAdd64(ulong addr, ulong add);

    // ---- spinlocks (s_lock.h): the word is 0 when free.
    /// <summary>TAS(lock): sets the word to 1 and returns its old value (0 = acquired).</summary>
    uint TestAndSet(ulong addr);
    /// <summary>S_UNLOCK(lock): a releasing store of 0.</summary>
    void SpinRelease(ulong addr);
    /// <summary>One failed spin of perform_spin_delay, waiting for the word at <paramref name="addr"/>,
    /// last seen holding <paramref name="observed"/>, to change. Production: a CPU pause hint.
    /// Controlled, blocking mode: the backend is blocked until the word differs from
    /// <paramref name="observed"/>. Controlled, yielding mode: a yielding scheduling point.</summary>
    void SpinPause(ulong addr, uint observed);
    /// <summary>perform_spin_delay's pg_usleep(usec) between rounds of spins.</summary>
    void SpinSleep(ulong addr, int usec);
    /// <summary>pg_prng_double(&amp;pg_global_prng_state) for the spin-delay growth: uniform in [0, 1).</summary>
    double SpinDelayRandom();

    // ---- PGSemaphore (counting; the count is the 32-bit word at semAddr).
    /// <summary>PGSemaphoreLock: waits until the count is positive, then decrements it.</summary>
    void SemaphoreLock(ulong semAddr);
    /// <summary>PGSemaphoreUnlock: increments the count, waking a waiter.</summary>
    void SemaphoreUnlock(ulong semAddr);

    // ---- unlocked accesses to plain shared fields.
    uint SharedRead32(ulong addr);
    void SharedWrite32(ulong addr, uint value);
    ulong SharedRead64(ulong addr);
    void SharedWrite64(ulong addr, ulong value);

    // ---- diagnostics (pgstat_report_wait_start/end); never scheduling points.
    /// <summary>The backend is about to sleep waiting for <paramref name="objectId"/> (what: "LWLock X exclusive").</summary>
    void ReportWaitStart(ulong objectId, string what);
    void ReportWaitEnd();
    /// <summary>Gives an object id a readable name for traces and deadlock reports.</summary>
    void NameObject(ulong objectId, string name);
}
