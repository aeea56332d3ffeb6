// BrokenReleaseApi: CANARY, test-only. LWLockRelease assembled from the port's internal pieces but
// with a broken LWLockWakeup, in one of two ways:
//   * ClearsHasWaiters: the final CAS always clears LW_FLAG_HAS_WAITERS, even when exclusive
//     waiters stay queued, so the next release does not wake them (a lost wakeup);
//   * WakesNobody: waiters are unlinked and marked PENDING_WAKEUP, but nobody sets lwWaiting to
//     NOT_WAITING or posts their semaphore, so they sleep forever.
// Never used by the port; the explorer must catch both (see CanaryCatalog).
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;
using static Allocator.Sync.LWLockConstants;

namespace Harness.Systems.Locks.Canaries;

public sealed class BrokenReleaseApi : LWLockApi
{
    public enum Defect { ClearsHasWaiters, WakesNobody }

    private readonly Defect _defect;

    public BrokenReleaseApi(SyncBackend b, Defect defect) : base(b) => _defect = defect;

    public override void Release(LWLock l)
    {
        LWLockMode mode = B.LWLocks.ForgetHeld(l);
        uint sub = mode == LWLockMode.LW_EXCLUSIVE ? LW_VAL_EXCLUSIVE : LW_VAL_SHARED;
        uint state = B.Runtime.AtomicFetchSub32(l.StateAddr, sub) - sub;
        if ((state & (LW_FLAG_HAS_WAITERS | LW_FLAG_RELEASE_OK)) == (LW_FLAG_HAS_WAITERS | LW_FLAG_RELEASE_OK) && (state & LW_LOCK_MASK) == 0)
            Wakeup(l);
        B.RESUME_INTERRUPTS();
    }

    private void Wakeup(LWLock l)
    {
        var mem = B.Memory;
        var seg = B.Segment;
        var lw = B.LWLocks;
        bool releaseOk = true, wokeSomebody = false;
        ProcListHead wakeup = ProcListHead.Empty;
        lw.LWLockWaitListLock(l);
        ProcListHead waiters = ProcListHead.Load(mem, l.WaitersAddr);
        int next;
        for (int cur = waiters.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur);
            ulong w = seg.ProcAddr(cur);
            var m = (LWLockMode)mem.ReadU32(w + PgProcLayout.OFF_lwWaitMode);
            if (wokeSomebody && m == LWLockMode.LW_EXCLUSIVE) continue;
            ProcList.Delete(mem, seg, ref waiters, cur);
            ProcList.PushTail(mem, seg, ref wakeup, cur);
            if (m != LWLockMode.LW_WAIT_UNTIL_FREE) { releaseOk = false; wokeSomebody = true; }
            mem.WriteU32(w + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_PENDING_WAKEUP);
            if (m == LWLockMode.LW_EXCLUSIVE) break;
        }
        waiters.Store(mem, l.WaitersAddr);
        uint old = B.Runtime.AtomicRead32(l.StateAddr);
        while (true)
        {
            uint desired = old;
            if (releaseOk) desired |= LW_FLAG_RELEASE_OK; else desired &= ~LW_FLAG_RELEASE_OK;
            // DEFECT (ClearsHasWaiters): the port clears HAS_WAITERS only when nothing stays queued.
            if (wakeup.IsEmpty || _defect == Defect.ClearsHasWaiters) desired &= ~LW_FLAG_HAS_WAITERS;
            desired &= ~LW_FLAG_LOCKED;
            if (B.Runtime.AtomicCompareExchange32(l.StateAddr, ref old, desired)) break;
        }
        if (_defect == Defect.WakesNobody) return; // DEFECT: the collected waiters are never woken
        for (int cur = wakeup.head; cur != INVALID_PROC_NUMBER; cur = next)
        {
            next = ProcList.Next(mem, seg, cur);
            ProcList.Delete(mem, seg, ref wakeup, cur);
            B.Runtime.SharedWrite32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
            PGSemaphore.PGSemaphoreUnlock(B, seg.SemAddr(cur));
        }
    }
}
