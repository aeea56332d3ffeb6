// LWLockBackend, the wait-for-variable API (lwlock.c, PostgreSQL 17): LWLockWaitForVar,
// LWLockUpdateVar, LWLockReleaseClearVar and LWLockConflictsWithVar. Used by WAL insertion locks:
// a waiter waits until the lock is free or its holder has advanced a 64-bit progress variable.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Sync;

public sealed partial class LWLockBackend
{
    /// <summary>LWLockConflictsWithVar: must we wait? Shared holders are ignored (only an exclusive
    /// holder can update the variable). Sets <paramref name="result"/> to true when the lock is free.</summary>
    internal bool LWLockConflictsWithVar(LWLock lock_, ulong valptr, ulong oldval, ref ulong newval, out bool result)
    {
        // Test first to see if the slot is free right now. XXX: no memory barrier (callers have one).
        bool mustwait = (Rt.AtomicRead32(lock_.StateAddr) & LW_VAL_EXCLUSIVE) != 0;
        if (!mustwait)
        {
            result = true;
            return false;
        }
        result = false;

        // Reading this value atomically is safe even on platforms where 64-bit reads are not.
        ulong value = Rt.AtomicRead64(valptr);
        if (value != oldval)
        {
            mustwait = false;
            newval = value;
        }
        else
        {
            mustwait = true;
        }
        return mustwait;
    }

    /// <summary>LWLockWaitForVar: wait until the lock is free (returns true) or its holder changed
    /// <paramref name="valptr"/> away from <paramref name="oldval"/> (returns false with the new value).</summary>
    public bool LWLockWaitForVar(LWLock lock_, ulong valptr, ulong oldval, out ulong newval)
    {
        ulong sem = _b.Segment.SemAddr(_b.MyProcNumber);
        int extraWaits = 0;
        bool result = false;
        newval = oldval;

        // Lock out cancel/die interrupts while we sleep on the lock.
        _b.HOLD_INTERRUPTS();
        for (;;)
        {
            bool mustwait = LWLockConflictsWithVar(lock_, valptr, oldval, ref newval, out result);
            if (!mustwait) break; // the lock was free or value didn't match

            // Add myself to wait queue. Note that this is racy, somebody else could wakeup before
            // we're finished queuing.
            LWLockQueueSelf(lock_, LWLockMode.LW_WAIT_UNTIL_FREE);

            // Set RELEASE_OK flag, to make sure we get woken up as soon as the lock is released
            // (a woken acquirer may have cleared it).
            Rt.AtomicFetchOr32(lock_.StateAddr, LW_FLAG_RELEASE_OK);

            // We're now guaranteed to be woken up if necessary. Recheck the lock and variable state.
            mustwait = LWLockConflictsWithVar(lock_, valptr, oldval, ref newval, out result);
            if (!mustwait)
            {
                LWLockDequeueSelf(lock_);
                break;
            }

            Rt.ReportWaitStart(lock_.StateAddr, $"LWLock {T_NAME(lock_)} wait-for-var");
            for (;;)
            {
                PGSemaphore.PGSemaphoreLock(_b, sem);
                if (ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                extraWaits++;
            }
            Rt.ReportWaitEnd();
            // Now loop back and check the status of the lock again.
        }

        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(_b, sem);
        _b.RESUME_INTERRUPTS();
        return result;
    }

    /// <summary>LWLockUpdateVar: the exclusive holder publishes a new value and wakes the
    /// WAIT_UNTIL_FREE waiters at the front of the queue (HAS_WAITERS is not recomputed).</summary>
    public void LWLockUpdateVar(LWLock lock_, ulong valptr, ulong val)
    {
        var mem = _b.Memory;
        var seg = _b.Segment;
        ProcListHead wakeup = ProcListHead.Empty;

        // Note that pg_atomic_exchange_u64 is a full barrier.
        Rt.AtomicExchange64(valptr, val);

        LWLockWaitListLock(lock_);
        Pg.Assert((mem.ReadU32(lock_.StateAddr) & LW_VAL_EXCLUSIVE) != 0);

        // See if there are any LW_WAIT_UNTIL_FREE waiters that need to be woken up.
        ProcListHead waiters = ProcListHead.Load(mem, lock_.WaitersAddr);
        int next;
        for (int cur = waiters.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur);
            ulong waiter = seg.ProcAddr(cur);
            if (mem.ReadU32(waiter + PgProcLayout.OFF_lwWaitMode) != (uint)LWLockMode.LW_WAIT_UNTIL_FREE) break;
            ProcList.Delete(mem, seg, ref waiters, cur);
            ProcList.PushTail(mem, seg, ref wakeup, cur);
            mem.WriteU32(waiter + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_PENDING_WAKEUP);
        }
        waiters.Store(mem, lock_.WaitersAddr);

        // We are done updating shared state of the lock itself.
        LWLockWaitListUnlock(lock_);

        // Awaken any waiters I removed from the queue.
        for (int cur = wakeup.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur);
            ProcList.Delete(mem, seg, ref wakeup, cur);
            // check comment in LWLockWakeup() about this barrier
            Rt.SharedWrite32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
            PGSemaphore.PGSemaphoreUnlock(_b, seg.SemAddr(cur));
        }
    }

    /// <summary>LWLockReleaseClearVar: set the variable (full barrier) and release the lock.</summary>
    public void LWLockReleaseClearVar(LWLock lock_, ulong valptr, ulong val)
    {
        Rt.AtomicExchange64(valptr, val);
        LWLockRelease(lock_);
    }
}
