// SLock: spinlocks (src/backend/storage/lmgr/s_lock.c, src/include/storage/s_lock.h, spin.h,
// PostgreSQL 17): S_LOCK, S_UNLOCK, S_INIT_LOCK, TAS, TAS_SPIN, s_lock, perform_spin_delay,
// finish_spin_delay, set_spins_per_delay, update_spins_per_delay, and the stuck-spinlock PANIC.
//
// The lock word is a 32-bit int (the ARM slock_t), 0 = free, 1 = taken. TAS is an atomic exchange
// with 1 through the sync seam; TAS_SPIN first looks with a plain read (x86 behaviour) and only
// then tries TAS. Spinning goes through ISyncRuntime.SpinPause/SpinSleep so the explorer can
// model it either as blocking until the word changes or as yielding steps that count towards
// NUM_DELAYS and so reproduce "stuck spinlock detected" as an outcome.
//
// Rules carried over: hold a spinlock for a few instructions only; never across an LWLock
// acquisition, an allocation or an ERROR (an ERROR while holding one leaves it held forever).
#pragma warning disable CA1707 // PostgreSQL's names
using System.Runtime.CompilerServices;
using Allocator.Common;

namespace Allocator.Sync;

public static class SLock
{
    /// <summary>S_INIT_LOCK / SpinLockInit: only while no other backend can see the lock.</summary>
    public static void S_INIT_LOCK(SyncBackend b, ulong lockAddr) => b.Memory.WriteU32(lockAddr, 0);

    /// <summary>TAS(lock): nonzero if the lock was already taken.</summary>
    public static uint TAS(SyncBackend b, ulong lockAddr) => b.Runtime.TestAndSet(lockAddr);

    /// <summary>TAS_SPIN(lock): a plain read first, so a taken lock is not hammered with atomics.</summary>
    public static uint TAS_SPIN(SyncBackend b, ulong lockAddr) =>
        b.Runtime.SharedRead32(lockAddr) != 0 ? 1u : TAS(b, lockAddr);

    /// <summary>S_LOCK / SpinLockAcquire. Returns the number of delays (as s_lock does).</summary>
    public static int S_LOCK(SyncBackend b, ulong lockAddr,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string func = "")
    {
        b.LockOrder.BeforeSpinAcquire(lockAddr);
        int delays = TAS(b, lockAddr) != 0 ? s_lock(b, lockAddr, Path.GetFileName(file), line, func) : 0;
        b.LockOrder.SpinAcquired(lockAddr);
        return delays;
    }

    /// <summary>S_UNLOCK / SpinLockRelease: a releasing store of 0.</summary>
    public static void S_UNLOCK(SyncBackend b, ulong lockAddr)
    {
        b.LockOrder.SpinReleased(lockAddr);
        b.Runtime.SpinRelease(lockAddr);
    }

    /// <summary>s_lock: the contended path of S_LOCK.</summary>
    public static int s_lock(SyncBackend b, ulong lockAddr, string file, int line, string func)
    {
        SpinDelayStatus delayStatus = SpinDelayStatus.Init(lockAddr, file, line, func);
        while (TAS_SPIN(b, lockAddr) != 0)
        {
            delayStatus.WatchValue = 1;
            perform_spin_delay(b, ref delayStatus);
            Pg.Assert(SpinDelayCheck.CheckStatus(delayStatus, b.spins_per_delay) is null);
        }
        finish_spin_delay(b, ref delayStatus);
        return delayStatus.delays;
    }

    /// <summary>s_lock_stuck: PANIC, the whole cluster restarts.</summary>
    public static PgFatalException s_lock_stuck(string file, int line, string func) =>
        new(FatalLevel.Panic, $"stuck spinlock detected at {func}, {file}:{line}");

    /// <summary>perform_spin_delay: one failed spin; every spins_per_delay of them, a growing sleep;
    /// after NUM_DELAYS sleeps, the stuck-spinlock PANIC.</summary>
    public static void perform_spin_delay(SyncBackend b, ref SpinDelayStatus status)
    {
        // SPIN_DELAY(): the CPU pause hint; the explorer's model of one failed spin.
        b.Runtime.SpinPause(status.WatchAddr, status.WatchValue);

        if (++status.spins >= b.spins_per_delay)
        {
            if (++status.delays > SLockConstants.NUM_DELAYS)
                throw s_lock_stuck(status.file, status.line, status.func);

            if (status.cur_delay == 0) // first time to delay?
                status.cur_delay = SLockConstants.MIN_DELAY_USEC;

            b.Runtime.ReportWaitStart(status.WatchAddr, "SpinDelay");
            b.Runtime.SpinSleep(status.WatchAddr, status.cur_delay);
            b.Runtime.ReportWaitEnd();

            // increase delay by a random fraction between 1X and 2X
            status.cur_delay += (int)(status.cur_delay * b.Runtime.SpinDelayRandom() + 0.5);
            // wrap back to minimum delay when max is exceeded
            if (status.cur_delay > SLockConstants.MAX_DELAY_USEC)
                status.cur_delay = SLockConstants.MIN_DELAY_USEC;

            status.spins = 0;
        }
    }

    /// <summary>finish_spin_delay: adapt spins_per_delay. Never slept: spinning works here (a
    /// multiprocessor), so spin longer; slept: spinning is futile (a uniprocessor), spin less.</summary>
    public static void finish_spin_delay(SyncBackend b, ref SpinDelayStatus status)
    {
        if (status.cur_delay == 0)
        {
            if (b.spins_per_delay < SLockConstants.MAX_SPINS_PER_DELAY)
                b.spins_per_delay = Math.Min(b.spins_per_delay + 100, SLockConstants.MAX_SPINS_PER_DELAY);
        }
        else
        {
            if (b.spins_per_delay > SLockConstants.MIN_SPINS_PER_DELAY)
                b.spins_per_delay = Math.Max(b.spins_per_delay - 1, SLockConstants.MIN_SPINS_PER_DELAY);
        }
    }

    /// <summary>set_spins_per_delay: adopt the shared estimate at backend start.</summary>
    public static void set_spins_per_delay(SyncBackend b, int shared_spins_per_delay) =>
        b.spins_per_delay = shared_spins_per_delay;

    /// <summary>update_spins_per_delay: fold this backend's value into the shared estimate
    /// (a decaying average; integer division truncates, as in C).</summary>
    public static int update_spins_per_delay(SyncBackend b, int shared_spins_per_delay) =>
        (shared_spins_per_delay * 15 + b.spins_per_delay) / 16;
}
