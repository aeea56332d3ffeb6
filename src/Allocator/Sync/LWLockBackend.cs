// LWLockBackend: lightweight locks, the public entry points (src/backend/storage/lmgr/lwlock.c,
// PostgreSQL 17): LWLockAcquire, LWLockConditionalAcquire, LWLockAcquireOrWait, LWLockRelease,
// LWLockReleaseAll, LWLockHeldByMe(InMode); the wait-for-variable API is in LWLockBackend.Var.cs and
// the internals (attempt, wait-list lock, queue, dequeue, wakeup) in LWLockBackend.Internal.cs.
//
// One instance per backend: it owns lwlock.c's process-local held_lwlocks[MAX_SIMUL_LWLOCKS].
// Lock state (the state word, the wait list, PGPROC wait fields, semaphores) lives in simulated
// shared memory and every unlocked access to it goes through the sync seam.
//
// Protocol in one paragraph: try to take the lock with one CAS on the state word; if that fails,
// queue on the wait list (under the LW_FLAG_LOCKED wait-list lock) and try again (a release between
// the first attempt and queueing would otherwise be missed); if that fails, sleep on the PGPROC
// semaphore until a releaser sets lwWaiting = NOT_WAITING. Being woken does not grant the lock:
// the waiter competes again. Only the release that makes the lock completely free wakes anyone,
// and only while LW_FLAG_RELEASE_OK is set; a woken acquirer sets it again when it runs.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Sync;

public sealed partial class LWLockBackend
{
    /// <summary>LWLockHandle: one entry of held_lwlocks.</summary>
    public readonly record struct LWLockHandle(LWLock Lock, LWLockMode Mode);

    private readonly SyncBackend _b;
    private readonly LWLockHandle[] held_lwlocks = new LWLockHandle[MAX_SIMUL_LWLOCKS];
    private int num_held_lwlocks;

    public LWLockBackend(SyncBackend backend) => _b = backend;

    public int NumHeld => num_held_lwlocks;

    public LWLockHandle Held(int i) => (uint)i < (uint)num_held_lwlocks ? held_lwlocks[i] : throw new ArgumentOutOfRangeException(nameof(i));

    private ISyncRuntime Rt => _b.Runtime;

    private string T_NAME(LWLock lock_) => _b.Segment.LWLockName(lock_);

    private void Remember(LWLock lock_, LWLockMode mode) => held_lwlocks[num_held_lwlocks++] = new LWLockHandle(lock_, mode);

    /// <summary>LWLockAcquire: returns true if the lock was free, false if we had to wait.</summary>
    public bool LWLockAcquire(LWLock lock_, LWLockMode mode)
    {
        ulong sem = _b.Segment.SemAddr(_b.MyProcNumber);
        bool result = true;
        int extraWaits = 0;
        Pg.Assert(mode == LWLockMode.LW_SHARED || mode == LWLockMode.LW_EXCLUSIVE);
        _b.LockOrder.BeforeLWLockAcquire(lock_, mode, blocking: true);

        // Ensure we will have room to remember the lock.
        if (num_held_lwlocks >= MAX_SIMUL_LWLOCKS)
            throw new PgErrorException("too many LWLocks taken");

        // Lock out cancel/die interrupts until we exit the code section protected by the LWLock.
        _b.HOLD_INTERRUPTS();

        for (;;)
        {
            bool mustwait = LWLockAttemptLock(lock_, mode);
            if (!mustwait) break; // got the lock

            // Queue first, then try again: a release after the first attempt but before we were
            // on the list would find nobody to wake.
            LWLockQueueSelf(lock_, mode);
            mustwait = LWLockAttemptLock(lock_, mode);
            if (!mustwait)
            {
                LWLockDequeueSelf(lock_);
                break;
            }

            Rt.ReportWaitStart(lock_.StateAddr, $"LWLock {T_NAME(lock_)} {ModeName(mode)}");
            for (;;)
            {
                PGSemaphore.PGSemaphoreLock(_b, sem);
                if (ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                extraWaits++; // a wakeup meant for some other wait: re-post it later
            }
            // Retrying, allow LWLockRelease to release waiters again.
            Rt.AtomicFetchOr32(lock_.StateAddr, LW_FLAG_RELEASE_OK);
            Rt.ReportWaitEnd();
            result = false;
        }

        Remember(lock_, mode);

        // Fix the process wait semaphore's count for any absorbed wakeups.
        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(_b, sem);
        return result;
    }

    /// <summary>LWLockConditionalAcquire: one attempt, no queueing; true if acquired.</summary>
    public bool LWLockConditionalAcquire(LWLock lock_, LWLockMode mode)
    {
        Pg.Assert(mode == LWLockMode.LW_SHARED || mode == LWLockMode.LW_EXCLUSIVE);
        _b.LockOrder.BeforeLWLockAcquire(lock_, mode, blocking: false);
        if (num_held_lwlocks >= MAX_SIMUL_LWLOCKS)
            throw new PgErrorException("too many LWLocks taken");
        _b.HOLD_INTERRUPTS();
        bool mustwait = LWLockAttemptLock(lock_, mode);
        if (mustwait)
        {
            // Failed to get lock, so release interrupt holdoff.
            _b.RESUME_INTERRUPTS();
        }
        else
        {
            Remember(lock_, mode);
        }
        return !mustwait;
    }

    /// <summary>LWLockAcquireOrWait: acquire if free; otherwise wait until it is free and return
    /// false WITHOUT the lock (the caller assumes whoever held it did the work, e.g. a WAL flush).</summary>
    public bool LWLockAcquireOrWait(LWLock lock_, LWLockMode mode)
    {
        ulong sem = _b.Segment.SemAddr(_b.MyProcNumber);
        int extraWaits = 0;
        Pg.Assert(mode == LWLockMode.LW_SHARED || mode == LWLockMode.LW_EXCLUSIVE);
        _b.LockOrder.BeforeLWLockAcquire(lock_, mode, blocking: true);
        if (num_held_lwlocks >= MAX_SIMUL_LWLOCKS)
            throw new PgErrorException("too many LWLocks taken");
        _b.HOLD_INTERRUPTS();

        bool mustwait = LWLockAttemptLock(lock_, mode);
        if (mustwait)
        {
            LWLockQueueSelf(lock_, LWLockMode.LW_WAIT_UNTIL_FREE);
            mustwait = LWLockAttemptLock(lock_, mode);
            if (mustwait)
            {
                Rt.ReportWaitStart(lock_.StateAddr, $"LWLock {T_NAME(lock_)} wait-until-free");
                for (;;)
                {
                    PGSemaphore.PGSemaphoreLock(_b, sem);
                    if (ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                    extraWaits++;
                }
                Rt.ReportWaitEnd();
                // Does not re-set RELEASE_OK: WAIT_UNTIL_FREE waiters never cleared it.
            }
            else
            {
                // Got the lock after all.
                LWLockDequeueSelf(lock_);
            }
        }

        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(_b, sem);

        if (mustwait)
            _b.RESUME_INTERRUPTS(); // failed to get lock, so release interrupt holdoff
        else
            Remember(lock_, mode);
        return !mustwait;
    }

    /// <summary>LWLockRelease: drop the lock and, if that made it completely free while waiters are
    /// queued and RELEASE_OK is set, wake them (LWLockWakeup decides exactly whom).</summary>
    public void LWLockRelease(LWLock lock_)
    {
        LWLockMode mode = ForgetHeld(lock_);

        // Release my hold on the lock; after that it can immediately be acquired by others.
        uint sub = mode == LWLockMode.LW_EXCLUSIVE ? LW_VAL_EXCLUSIVE : LW_VAL_SHARED;
        uint oldstate = Rt.AtomicFetchSub32(lock_.StateAddr, sub) - sub; // pg_atomic_sub_fetch_u32
        // Nobody else can have that kind of lock.
        Pg.Assert((oldstate & LW_VAL_EXCLUSIVE) == 0);

        // Wake up waiters only if the lock is now free and someone may be waiting.
        bool check_waiters =
            (oldstate & (LW_FLAG_HAS_WAITERS | LW_FLAG_RELEASE_OK)) == (LW_FLAG_HAS_WAITERS | LW_FLAG_RELEASE_OK)
            && (oldstate & LW_LOCK_MASK) == 0;
        if (check_waiters) LWLockWakeup(lock_);

        // Now okay to allow cancel/die interrupts.
        _b.RESUME_INTERRUPTS();
    }

    /// <summary>LWLockRelease's first step: remove the lock from held_lwlocks (usually the last entry,
    /// so search backwards) and return the mode it was held in; ERROR if it is not held.</summary>
    internal LWLockMode ForgetHeld(LWLock lock_)
    {
        int i;
        for (i = num_held_lwlocks; --i >= 0;)
            if (held_lwlocks[i].Lock == lock_) break;
        if (i < 0)
            throw new PgErrorException($"lock {T_NAME(lock_)} is not held");
        LWLockMode mode = held_lwlocks[i].Mode;
        num_held_lwlocks--;
        for (; i < num_held_lwlocks; i++) held_lwlocks[i] = held_lwlocks[i + 1];
        return mode;
    }

    /// <summary>Records an acquired lock in held_lwlocks.</summary>
    internal void RememberHeld(LWLock lock_, LWLockMode mode) => Remember(lock_, mode);

    /// <summary>LWLockReleaseAll: error recovery; releases every held lock, most recent first.</summary>
    public void LWLockReleaseAll()
    {
        while (num_held_lwlocks > 0)
        {
            _b.HOLD_INTERRUPTS(); // match the upcoming RESUME_INTERRUPTS
            LWLockRelease(held_lwlocks[num_held_lwlocks - 1].Lock);
        }
    }

    /// <summary>LWLockHeldByMe.</summary>
    public bool LWLockHeldByMe(LWLock lock_)
    {
        for (int i = 0; i < num_held_lwlocks; i++)
            if (held_lwlocks[i].Lock == lock_) return true;
        return false;
    }

    /// <summary>LWLockHeldByMeInMode.</summary>
    public bool LWLockHeldByMeInMode(LWLock lock_, LWLockMode mode)
    {
        for (int i = 0; i < num_held_lwlocks; i++)
            if (held_lwlocks[i].Lock == lock_ && held_lwlocks[i].Mode == mode) return true;
        return false;
    }

    public static string ModeName(LWLockMode mode) => mode switch
    {
        LWLockMode.LW_EXCLUSIVE => "exclusive",
        LWLockMode.LW_SHARED => "shared",
        _ => "wait-until-free",
    };
}
