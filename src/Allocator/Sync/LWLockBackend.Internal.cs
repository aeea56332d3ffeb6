// LWLockBackend internals (lwlock.c, PostgreSQL 17): LWLockAttemptLock, LWLockWaitListLock,
// LWLockWaitListUnlock, LWLockQueueSelf, LWLockDequeueSelf and LWLockWakeup, which decides exactly
// who is woken. Internal so that the explorer's broken variants (canaries) can be assembled from
// the same pieces without any hook in this port.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Sync;

public sealed partial class LWLockBackend
{
    internal SyncBackend Backend => _b;

    internal ulong ProcField(int procno, ulong offset) => _b.Segment.ProcAddr(procno) + offset;

    /// <summary>MyProc->lwWaiting, read without the wait-list lock (a shared read through the seam).</summary>
    internal LWLockWaitState ReadMyLwWaiting() =>
        (LWLockWaitState)Rt.SharedRead32(ProcField(_b.MyProcNumber, PgProcLayout.OFF_lwWaiting));

    /// <summary>LWLockAttemptLock: one CAS loop on the state word. Returns true if the lock was not
    /// free (the caller must wait). A failed check still CASes the unchanged value, which doubles
    /// as the memory barrier the caller relies on.</summary>
    internal bool LWLockAttemptLock(LWLock lock_, LWLockMode mode)
    {
        Pg.Assert(mode == LWLockMode.LW_EXCLUSIVE || mode == LWLockMode.LW_SHARED);
        uint old_state = Rt.AtomicRead32(lock_.StateAddr);
        while (true)
        {
            uint desired_state = old_state;
            bool lock_free;
            if (mode == LWLockMode.LW_EXCLUSIVE)
            {
                lock_free = (old_state & LW_LOCK_MASK) == 0;
                if (lock_free) desired_state += LW_VAL_EXCLUSIVE;
            }
            else
            {
                lock_free = (old_state & LW_VAL_EXCLUSIVE) == 0;
                if (lock_free) desired_state += LW_VAL_SHARED;
            }
            if (Rt.AtomicCompareExchange32(lock_.StateAddr, ref old_state, desired_state))
                return !lock_free;
            // The CAS failed and old_state now holds the current value: retry.
        }
    }

    /// <summary>LWLockWaitListLock: take the LW_FLAG_LOCKED bit, spinning (with spin delays) while
    /// someone else has it. Protects the wait list and the waiters' lwWaiting transitions.</summary>
    internal void LWLockWaitListLock(LWLock lock_)
    {
        while (true)
        {
            // always try once to acquire lock directly
            uint old_state = Rt.AtomicFetchOr32(lock_.StateAddr, LW_FLAG_LOCKED);
            if ((old_state & LW_FLAG_LOCKED) == 0) break; // got lock

            // and then spin without atomic operations until lock is released
            SpinDelayStatus delayStatus = SpinDelayStatus.Init(lock_.StateAddr, "lwlock.c", 0, "LWLockWaitListLock");
            while ((old_state & LW_FLAG_LOCKED) != 0)
            {
                delayStatus.WatchValue = old_state;
                SLock.perform_spin_delay(_b, ref delayStatus);
                old_state = Rt.AtomicRead32(lock_.StateAddr);
            }
            SLock.finish_spin_delay(_b, ref delayStatus);
            // Retry; the lock might have been taken again by the time we try.
        }
    }

    /// <summary>LWLockWaitListUnlock.</summary>
    internal void LWLockWaitListUnlock(LWLock lock_)
    {
        uint old_state = Rt.AtomicFetchAnd32(lock_.StateAddr, ~LW_FLAG_LOCKED);
        Pg.Assert((old_state & LW_FLAG_LOCKED) != 0);
    }

    /// <summary>LWLockQueueSelf: add ourselves to the wait list (WAIT_UNTIL_FREE at the head, so that
    /// the cheap "just wait" waiters are woken first; everyone else at the tail).</summary>
    internal void LWLockQueueSelf(LWLock lock_, LWLockMode mode)
    {
        var mem = _b.Memory;
        ulong me = _b.MyProc;
        // If we don't have a PGPROC structure, there's no way to wait.
        if (me == 0)
            throw new PgFatalException(FatalLevel.Panic, "cannot wait without a PGPROC structure");
        if (mem.ReadU32(me + PgProcLayout.OFF_lwWaiting) != (uint)LWLockWaitState.LW_WS_NOT_WAITING)
            throw new PgFatalException(FatalLevel.Panic, "queueing for lock while waiting on another one");

        LWLockWaitListLock(lock_);

        // setting the flag is protected by the spinlock
        Rt.AtomicFetchOr32(lock_.StateAddr, LW_FLAG_HAS_WAITERS);

        mem.WriteU32(me + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_WAITING);
        mem.WriteU32(me + PgProcLayout.OFF_lwWaitMode, (uint)mode);

        ProcListHead waiters = ProcListHead.Load(mem, lock_.WaitersAddr);
        if (mode == LWLockMode.LW_WAIT_UNTIL_FREE)
            ProcList.PushHead(mem, _b.Segment, ref waiters, _b.MyProcNumber);
        else
            ProcList.PushTail(mem, _b.Segment, ref waiters, _b.MyProcNumber);
        waiters.Store(mem, lock_.WaitersAddr);

        // Can release the mutex now.
        LWLockWaitListUnlock(lock_);
    }

    /// <summary>LWLockDequeueSelf: remove ourselves after the second attempt succeeded. If a releaser
    /// already dequeued us, a wakeup is on its way: absorb it, and repair RELEASE_OK, which that
    /// releaser cleared on our behalf.</summary>
    internal void LWLockDequeueSelf(LWLock lock_)
    {
        var mem = _b.Memory;
        ulong me = _b.MyProc;
        LWLockWaitListLock(lock_);

        // Remove ourselves from the waitlist, unless we've already been removed by a releaser.
        bool on_waitlist = mem.ReadU32(me + PgProcLayout.OFF_lwWaiting) == (uint)LWLockWaitState.LW_WS_WAITING;
        ProcListHead waiters = ProcListHead.Load(mem, lock_.WaitersAddr);
        if (on_waitlist)
        {
            ProcList.Delete(mem, _b.Segment, ref waiters, _b.MyProcNumber);
            waiters.Store(mem, lock_.WaitersAddr);
        }

        if (waiters.IsEmpty && (Rt.AtomicRead32(lock_.StateAddr) & LW_FLAG_HAS_WAITERS) != 0)
            Rt.AtomicFetchAnd32(lock_.StateAddr, ~LW_FLAG_HAS_WAITERS);

        // XXX: combine with fetch_and above?
        LWLockWaitListUnlock(lock_);

        // clear waiting state again, nice for debugging
        if (on_waitlist)
        {
            mem.WriteU32(me + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
        }
        else
        {
            int extraWaits = 0;
            ulong sem = _b.Segment.SemAddr(_b.MyProcNumber);

            // Somebody else dequeued us and has or will wake us up. Deal with the superfluous
            // absorption of a wakeup: reset RELEASE_OK, which the waker cleared on our behalf.
            Rt.AtomicFetchOr32(lock_.StateAddr, LW_FLAG_RELEASE_OK);

            // Now wait for the scheduled wakeup, otherwise our ->lwWaiting would get reset at
            // some inconvenient point later. Most of the time this will immediately return.
            for (;;)
            {
                PGSemaphore.PGSemaphoreLock(_b, sem);
                if (ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                extraWaits++;
            }

            // Fix the process wait semaphore's count for any absorbed wakeups.
            while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(_b, sem);
        }
    }

    /// <summary>LWLockWakeup: wake all WAIT_UNTIL_FREE waiters at the head plus either the first
    /// exclusive waiter, or (if the first real waiter is shared) every shared and wait-until-free
    /// waiter, skipping exclusive ones. Clears RELEASE_OK if a real acquirer was woken, so a stream
    /// of releases does not wake the same queue head again before it has run.</summary>
    internal void LWLockWakeup(LWLock lock_)
    {
        var mem = _b.Memory;
        var seg = _b.Segment;
        bool new_release_ok = true;
        bool wokeup_somebody = false;
        ProcListHead wakeup = ProcListHead.Empty;

        // lock wait list while collecting backends to wake up
        LWLockWaitListLock(lock_);

        ProcListHead waiters = ProcListHead.Load(mem, lock_.WaitersAddr);
        int next;
        for (int cur = waiters.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur); // proclist_foreach_modify: cur may be unlinked
            ulong waiter = seg.ProcAddr(cur);
            var waitMode = (LWLockMode)mem.ReadU32(waiter + PgProcLayout.OFF_lwWaitMode);
            if (wokeup_somebody && waitMode == LWLockMode.LW_EXCLUSIVE) continue;

            ProcList.Delete(mem, seg, ref waiters, cur);
            ProcList.PushTail(mem, seg, ref wakeup, cur);

            if (waitMode != LWLockMode.LW_WAIT_UNTIL_FREE)
            {
                // Prevent additional wakeups until retryer gets to run. Backends that are just
                // waiting for the lock to become free don't retry automatically.
                new_release_ok = false;
                // Don't wakeup (further) exclusive locks.
                wokeup_somebody = true;
            }

            // Signal that the process isn't on the wait list anymore. This allows LWLockDequeueSelf()
            // to remove itself from the waitlist with a proclist_delete(), rather than having to
            // check if it has been removed from the list.
            Pg.Assert(mem.ReadU32(waiter + PgProcLayout.OFF_lwWaiting) == (uint)LWLockWaitState.LW_WS_WAITING);
            mem.WriteU32(waiter + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_PENDING_WAKEUP);

            // Once we've woken up an exclusive lock, there's no point in waking up anybody else.
            if (waitMode == LWLockMode.LW_EXCLUSIVE) break;
        }
        waiters.Store(mem, lock_.WaitersAddr);

        Pg.Assert(wakeup.IsEmpty || (mem.ReadU32(lock_.StateAddr) & LW_FLAG_HAS_WAITERS) != 0);

        // unset required flags, and release lock, in one fell swoop
        uint old_state = Rt.AtomicRead32(lock_.StateAddr);
        while (true)
        {
            uint desired_state = old_state;
            // compute desired flags
            if (new_release_ok) desired_state |= LW_FLAG_RELEASE_OK;
            else desired_state &= ~LW_FLAG_RELEASE_OK;
            if (wakeup.IsEmpty) desired_state &= ~LW_FLAG_HAS_WAITERS;
            desired_state &= ~LW_FLAG_LOCKED; // release lock
            if (Rt.AtomicCompareExchange32(lock_.StateAddr, ref old_state, desired_state)) break;
        }

        // Awaken any waiters I removed from the queue.
        for (int cur = wakeup.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur);
            ProcList.Delete(mem, seg, ref wakeup, cur);
            // pg_write_barrier(): the link updates above must be visible before the flag that lets
            // the waiter run off and queue on another lock (every seam operation is a full barrier).
            Rt.SharedWrite32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
            PGSemaphore.PGSemaphoreUnlock(_b, seg.SemAddr(cur));
        }
    }
}
