// PGSemaphore: the per-process counting semaphore (src/include/storage/pg_sema.h; posix_sema.c /
// sysv_sema.c). PGSemaphoreLock (P) waits while the count is zero, then decrements;
// PGSemaphoreUnlock (V) increments. Waits are not interruptible.
//
// Counting matters: a V meant for one wait may arrive during another (a leftover from a race, or
// another subsystem sharing the semaphore), so every wait loop re-checks its own condition after
// P and re-posts the surplus afterwards ("absorbed" extra wakeups; see LWLockAcquire).
// The count lives in simulated shared memory (PGPROC.sem); the runtime is the "kernel".
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Sync;

public static class PGSemaphore
{
    public static void PGSemaphoreLock(SyncBackend b, ulong sem) => b.Runtime.SemaphoreLock(sem);

    public static void PGSemaphoreUnlock(SyncBackend b, ulong sem) => b.Runtime.SemaphoreUnlock(sem);

    /// <summary>PGSemaphoreReset: count = 0. Only while no other backend uses the semaphore.</summary>
    public static void PGSemaphoreReset(SyncBackend b, ulong sem) => b.Memory.WriteU32(sem, 0);

    /// <summary>PGSemaphoreTryLock: decrement if positive without waiting (an RMW through the seam).</summary>
    public static bool PGSemaphoreTryLock(SyncBackend b, ulong sem)
    {
        uint cur = b.Runtime.AtomicRead32(sem);
        while (cur > 0)
        {
            if (b.Runtime.AtomicCompareExchange32(sem, ref cur, cur - 1)) return true;
        }
        return false;
    }
}
