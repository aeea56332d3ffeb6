// BrokenAcquireApi: CANARY, test-only. LWLockAcquire assembled from the port's internal pieces with
// one step of lwlock.c's wait path missing:
//   * NoSecondAttempt: no second LWLockAttemptLock after LWLockQueueSelf. If the holder releases
//     between our first attempt and our queueing, it sees no HAS_WAITERS and wakes nobody, and we
//     sleep forever: exactly the race the real code's re-attempt closes. Needs one preemption at
//     the right place, so it is a good test of PCT and bounded DFS.
//   * ReleaseOkNotRearmed: after being woken, the waiter does not set LW_FLAG_RELEASE_OK again.
//     LWLockWakeup cleared it when it woke us (so that a stream of releases does not wake the
//     same waiters over and over); without the re-arm our own release finds RELEASE_OK clear and
//     wakes nobody, and whoever stayed queued behind us waits forever. Needs two queued waiters
//     at one release (lwlock-queued-release forces that).
// Never used by the port; the explorer must catch both (see CanaryCatalog).
using Allocator.Common;
using Allocator.Sync;
using Harness.Systems.Locks.Scenarios;
using static Allocator.Sync.LWLockConstants;

namespace Harness.Systems.Locks.Canaries;

public sealed class BrokenAcquireApi : LWLockApi
{
    public enum Defect { NoSecondAttempt, ReleaseOkNotRearmed }

    private readonly Defect _defect;

    public BrokenAcquireApi(SyncBackend b, Defect defect) : base(b) => _defect = defect;

    public override bool Acquire(LWLock l, LWLockMode mode)
    {
        var lw = B.LWLocks;
        ulong sem = B.Segment.SemAddr(B.MyProcNumber);
        bool result = true;
        int extraWaits = 0;
        if (lw.NumHeld >= MAX_SIMUL_LWLOCKS) throw new PgErrorException("too many LWLocks taken");
        B.HOLD_INTERRUPTS();
        for (;;)
        {
            if (!lw.LWLockAttemptLock(l, mode)) break;
            lw.LWLockQueueSelf(l, mode);
            // DEFECT (NoSecondAttempt): the port attempts once more here.
            if (_defect != Defect.NoSecondAttempt && !lw.LWLockAttemptLock(l, mode))
            {
                lw.LWLockDequeueSelf(l);
                break;
            }
            B.Runtime.ReportWaitStart(l.StateAddr, $"LWLock {B.Segment.LWLockName(l)} {LWLockBackend.ModeName(mode)}");
            for (;;)
            {
                PGSemaphore.PGSemaphoreLock(B, sem);
                if (lw.ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                extraWaits++;
            }
            // DEFECT (ReleaseOkNotRearmed): the port sets LW_FLAG_RELEASE_OK again here.
            if (_defect != Defect.ReleaseOkNotRearmed) B.Runtime.AtomicFetchOr32(l.StateAddr, LW_FLAG_RELEASE_OK);
            B.Runtime.ReportWaitEnd();
            result = false;
        }
        lw.RememberHeld(l, mode);
        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(B, sem);
        return result;
    }
}
