// AcquireOrWaitQueuesExclusiveApi: CANARY, test-only. LWLockAcquireOrWait assembled from the port's
// internal pieces, but queueing in the mode it asked for (LW_EXCLUSIVE) instead of
// LW_WAIT_UNTIL_FREE. LWLockWakeup then treats it as an acquirer: wakes it alone, stops at it and
// clears LW_FLAG_RELEASE_OK, expecting it to take the lock and re-arm the flag; but AcquireOrWait
// returns false without the lock and never touches the flag, so the waiters queued behind it stay
// asleep until someone else releases, and with RELEASE_OK clear not even then. Needs two queued
// waiters at one release (lwlock-queued-acquire-or-wait forces that).
// Never used by the port; the explorer must catch it (see CanaryCatalog).
using Allocator.Common;
using Allocator.Sync;
using Harness.Systems.Locks.Scenarios;
using static Allocator.Sync.LWLockConstants;

namespace Harness.Systems.Locks.Canaries;

public sealed class AcquireOrWaitQueuesExclusiveApi : LWLockApi
{
    public AcquireOrWaitQueuesExclusiveApi(SyncBackend b) : base(b) { }

    public override bool AcquireOrWait(LWLock l, LWLockMode mode)
    {
        var lw = B.LWLocks;
        ulong sem = B.Segment.SemAddr(B.MyProcNumber);
        int extraWaits = 0;
        if (lw.NumHeld >= MAX_SIMUL_LWLOCKS) throw new PgErrorException("too many LWLocks taken");
        B.HOLD_INTERRUPTS();
        bool mustwait = lw.LWLockAttemptLock(l, mode);
        if (mustwait)
        {
            lw.LWLockQueueSelf(l, mode); // DEFECT: the port queues as LW_WAIT_UNTIL_FREE
            mustwait = lw.LWLockAttemptLock(l, mode);
            if (mustwait)
            {
                B.Runtime.ReportWaitStart(l.StateAddr, $"LWLock {B.Segment.LWLockName(l)} wait-until-free");
                for (;;)
                {
                    PGSemaphore.PGSemaphoreLock(B, sem);
                    if (lw.ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                    extraWaits++;
                }
                B.Runtime.ReportWaitEnd();
            }
            else
            {
                lw.LWLockDequeueSelf(l);
            }
        }
        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(B, sem);
        if (mustwait) B.RESUME_INTERRUPTS();
        else lw.RememberHeld(l, mode);
        return !mustwait;
    }
}
