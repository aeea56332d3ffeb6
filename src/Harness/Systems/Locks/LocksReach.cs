// LocksReach: the lock events an exploration should reach sometimes, seen from what the lock calls
// return to the scenario (LWLockApi): LWLockAcquire's "acquired without sleeping" result,
// LWLockConditionalAcquire's refusal, LWLockAcquireOrWait's "waited, not acquired",
// LWLockWaitForVar's "the variable changed", and S_LOCK's count of s_lock delays; and, from the
// spin-delay oracle (Oracle/SpinDelayRunner), the sleeps one spin wait recorded: a delay that
// wrapped back to the minimum, and the stuck-spinlock PANIC; and, from the wait-queue oracle
// (Oracle/LWLockQueueRunner), the queue shapes its three rules differ on.
using Harness.Core;

namespace Harness.Systems.Locks;

public static class LocksReach
{
    private const string S = LocksSystem.SystemName;

    public static readonly ReachGoal AcquireSlept = new(S, "lwlock-acquire-slept",
        "LWLockAcquire queued its backend, slept on the semaphore and was woken by a release");

    public static readonly ReachGoal ConditionalRefused = new(S, "lwlock-conditional-refused",
        "LWLockConditionalAcquire found the lock taken and returned false without waiting");

    public static readonly ReachGoal AcquireOrWaitWaited = new(S, "lwlock-acquire-or-wait-waited",
        "LWLockAcquireOrWait waited for the holder to release and returned without the lock");

    public static readonly ReachGoal WaitForVarChanged = new(S, "lwlock-wait-for-var-changed",
        "LWLockWaitForVar returned because the holder published a new value (LWLockUpdateVar)");

    public static readonly ReachGoal SpinDelayed = new(S, "spin-delayed",
        "S_LOCK found the spinlock taken and s_lock went through perform_spin_delay at least once");

    public static readonly ReachGoal SpinDelayWrapped = new(S, "spin-delay-wrapped",
        "perform_spin_delay's sleep grew past MAX_DELAY_USEC and the next sleep was MIN_DELAY_USEC again");

    public static readonly ReachGoal SpinStuck = new(S, "spin-stuck-panic",
        "a spinlock stayed taken through NUM_DELAYS sleeps and s_lock PANICked with \"stuck spinlock detected\"");

    public static readonly ReachGoal QueueUntilFreeAhead = new(S, "lwlock-queue-until-free-ahead",
        "LWLockQueueSelf queued an LW_WAIT_UNTIL_FREE waiter while an LW_EXCLUSIVE/LW_SHARED waiter was at the tail (it goes to the head)");

    public static readonly ReachGoal QueueDequeueEmptied = new(S, "lwlock-queue-dequeue-emptied",
        "LWLockDequeueSelf removed the last queued waiter (and must clear HAS_WAITERS)");

    public static readonly ReachGoal QueueDequeueAbsorbed = new(S, "lwlock-queue-dequeue-absorbed",
        "LWLockDequeueSelf found its backend already woken by a release and absorbed the wakeup");

    public static readonly ReachGoal QueueWakeupSkippedExclusive = new(S, "lwlock-queue-wakeup-skipped-exclusive",
        "LWLockWakeup woke a shared waiter and skipped an exclusive one queued behind it");

    public static IReadOnlyList<ReachGoal> Goals { get; } = [AcquireSlept, ConditionalRefused, AcquireOrWaitWaited, WaitForVarChanged, SpinDelayed];

    /// <summary>The spin-delay oracle's goals.</summary>
    public static IReadOnlyList<ReachGoal> SpinDelayGoals { get; } = [SpinDelayed, SpinDelayWrapped, SpinStuck];

    /// <summary>The wait-queue oracle's goals.</summary>
    public static IReadOnlyList<ReachGoal> QueueGoals { get; } = [QueueUntilFreeAhead, QueueDequeueEmptied, QueueDequeueAbsorbed, QueueWakeupSkippedExclusive];
}
