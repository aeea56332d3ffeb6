// SyncBackend: the process-local sync state of one simulated backend: its sync runtime (its view of
// shared memory), its proc number (MyProcNumber, MyProc), s_lock.c's backend-local spins_per_delay,
// InterruptHoldoffCount (HOLD_INTERRUPTS/RESUME_INTERRUPTS), lwlock.c's held_lwlocks array and
// condition_variable.c's cv_sleep_target.
//
// Lifecycle: Start() at backend start (set_spins_per_delay from the shared value), Exit() at exit
// (update_spins_per_delay folds the local value back in). Not thread-safe: one backend, one thread.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;

namespace Allocator.Sync;

public sealed class SyncBackend
{
    public ISyncRuntime Runtime { get; }
    public SyncSegment Segment { get; }
    public int MyProcNumber { get; }
    public SimMemory Memory => Runtime.Memory;

    /// <summary>s_lock.c: this backend's adaptive spin count.</summary>
    public int spins_per_delay = SLockConstants.DEFAULT_SPINS_PER_DELAY;

    /// <summary>miscadmin.h: interrupts are held off while this is positive (every held LWLock adds one).</summary>
    public int InterruptHoldoffCount;

    /// <summary>condition_variable.c's cv_sleep_target: the address of the condition variable this
    /// backend has prepared to sleep on (is on the wakeup list of), 0 for none.</summary>
    public ulong cv_sleep_target;

    /// <summary>lwlock.c's held_lwlocks / num_held_lwlocks.</summary>
    public LWLockBackend LWLocks { get; }

    /// <summary>The §18 lock-order rules, checked at every acquire, sleep and I/O of this backend.</summary>
    public LockOrderCheck LockOrder { get; }

    public SyncBackend(ISyncRuntime runtime, SyncSegment segment, int procNumber)
    {
        Runtime = runtime;
        Segment = segment;
        MyProcNumber = procNumber;
        _ = segment.ProcAddr(procNumber); // validates the number
        LWLocks = new LWLockBackend(this);
        LockOrder = new LockOrderCheck(this) { Enabled = segment.CheckLockOrder };
    }

    /// <summary>MyProc's address.</summary>
    public ulong MyProc => Segment.ProcAddr(MyProcNumber);

    public void HOLD_INTERRUPTS() => InterruptHoldoffCount++;

    public void RESUME_INTERRUPTS()
    {
        Common.Pg.Assert(InterruptHoldoffCount > 0);
        InterruptHoldoffCount--;
    }

    /// <summary>Backend start: set_spins_per_delay(ProcGlobal->spins_per_delay).</summary>
    public void Start() => SLock.set_spins_per_delay(this, (int)Memory.ReadU32(Segment.SharedSpinsPerDelayAddr));

    /// <summary>Backend exit: ProcGlobal->spins_per_delay = update_spins_per_delay(shared).</summary>
    public void Exit()
    {
        int shared = (int)Memory.ReadU32(Segment.SharedSpinsPerDelayAddr);
        Memory.WriteU32(Segment.SharedSpinsPerDelayAddr, (uint)SLock.update_spins_per_delay(this, shared));
    }
}
