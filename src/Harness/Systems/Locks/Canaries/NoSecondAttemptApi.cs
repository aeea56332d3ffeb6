// NoSecondAttemptApi: CANARY, test-only. LWLockAcquire without the second LWLockAttemptLock after
// LWLockQueueSelf. If the holder releases between our first attempt and our queueing, it sees no
// HAS_WAITERS and wakes nobody, and we sleep forever: exactly the race the real code's re-attempt
// closes. Needs one preemption at the right place, so it is a good test of PCT and bounded DFS.
using Allocator.Common;
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;
using static Allocator.Sync.LWLockConstants;

namespace Harness.Systems.Locks.Canaries;

public sealed class NoSecondAttemptApi : LWLockApi
{
    public NoSecondAttemptApi(SyncBackend b) : base(b) { }

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
            // DEFECT: no second LWLockAttemptLock here.
            B.Runtime.ReportWaitStart(l.StateAddr, $"LWLock {B.Segment.LWLockName(l)} {LWLockBackend.ModeName(mode)}");
            for (;;)
            {
                PGSemaphore.PGSemaphoreLock(B, sem);
                if (lw.ReadMyLwWaiting() == LWLockWaitState.LW_WS_NOT_WAITING) break;
                extraWaits++;
            }
            B.Runtime.AtomicFetchOr32(l.StateAddr, LW_FLAG_RELEASE_OK);
            B.Runtime.ReportWaitEnd();
            result = false;
        }
        lw.RememberHeld(l, mode);
        while (extraWaits-- > 0) PGSemaphore.PGSemaphoreUnlock(B, sem);
        return result;
    }
}
