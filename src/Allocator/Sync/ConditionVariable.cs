// ConditionVariable: condition variables (src/backend/storage/lmgr/condition_variable.c,
// PostgreSQL 17): ConditionVariableInit, PrepareToSleep, Sleep, CancelSleep, Signal, Broadcast.
//
// A CV in simulated shared memory, SIZE bytes (ConditionVariableMinimallyPadded):
//   +0  mutex          slock_t  (SLock; 0 free)
//   +4  wakeup.head    int32    proclist_head of sleeping procs, threaded through cvWaitLink
//   +8  wakeup.tail    int32
//   +12 padding
// The list is only touched under the mutex (plain memory); wake-ups are latch sets (Latch), so a
// waiter must re-test its condition after every return of Sleep. The per-backend sleep target is
// SyncBackend.cv_sleep_target.
//
// Correct use: PrepareToSleep(cv); while (!condition) Sleep(cv); CancelSleep(). Being on the
// wakeup list before testing the condition is what makes a Broadcast between the test and the
// sleep impossible to miss.
//
// Check (at quiescence, through a mapping of the segment; never through the seam):
//   CV1  the mutex is free.
//   CV2  the wakeup list is well formed: prev links mirror next links, head/tail agree, no cycle,
//        only valid proc numbers.
//   CV3  every listed proc has this CV as its cv_sleep_target (a proc prepares before it joins;
//        the broadcaster's sentinel never outlives its Broadcast).
//
// Divergences: no timeouts (ConditionVariableTimedSleep's timeout is always -1 here);
// CHECK_FOR_INTERRUPTS does nothing, so its "the target changed under us" case cannot happen.
// V17 does not forward a consumed signal in CancelSleep, and neither do we.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Sync;

public static class ConditionVariable
{
    public const ulong OFF_mutex = 0;
    public const ulong OFF_wakeup = 4;
    /// <summary>sizeof(ConditionVariableMinimallyPadded).</summary>
    public const ulong SIZE = 16;

    private const ulong CvWaitLink = ProcList.CvWaitLink;

    /// <summary>ConditionVariableInit: only while no backend can see the CV.</summary>
    public static void Init(SimMemory m, ulong cv)
    {
        m.WriteU32(cv + OFF_mutex, 0);
        ProcListHead.Empty.Store(m, cv + OFF_wakeup);
    }

    /// <summary>The wakeup list, read under the mutex or at quiescence.</summary>
    public static ProcListHead Wakeup(SimMemory m, ulong cv) => ProcListHead.Load(m, cv + OFF_wakeup);

    /// <summary>ConditionVariablePrepareToSleep: join the wakeup list before testing the condition.</summary>
    public static void PrepareToSleep(SyncBackend b, ulong cv)
    {
        Pg.Assert(cv != 0);
        // one sleep at a time: leave any other list first
        if (b.cv_sleep_target != 0) CancelSleep(b);
        b.cv_sleep_target = cv;

        SLock.S_LOCK(b, cv + OFF_mutex);
        ProcListHead list = Wakeup(b.Memory, cv);
        ProcList.PushTail(b.Memory, b.Segment, ref list, b.MyProcNumber, CvWaitLink);
        list.Store(b.Memory, cv + OFF_wakeup);
        SLock.S_UNLOCK(b, cv + OFF_mutex);
    }

    /// <summary>ConditionVariableSleep: wait until signalled (or return at once after preparing, if the
    /// caller had not prepared for this CV). Returns with this backend back on the wakeup list, so
    /// the caller can re-test and sleep again without missing a wake-up.</summary>
    public static void Sleep(SyncBackend b, ulong cv)
    {
        // not prepared: prepare now and let the caller test its condition first
        if (b.cv_sleep_target != cv)
        {
            PrepareToSleep(b, cv);
            return;
        }

        for (;;)
        {
            bool done = false;
            Latch.WaitLatch(b);
            Latch.ResetLatch(b);

            // a signaller takes us off the list; that, not the latch, says we were woken for this
            // CV (the latch is shared with other wake-up reasons). Rejoin so the next sleep is safe.
            SLock.S_LOCK(b, cv + OFF_mutex);
            ProcListHead list = Wakeup(b.Memory, cv);
            if (!ProcList.ContainsLinked(b.Memory, b.Segment, list, b.MyProcNumber, CvWaitLink))
            {
                done = true;
                ProcList.PushTail(b.Memory, b.Segment, ref list, b.MyProcNumber, CvWaitLink);
                list.Store(b.Memory, cv + OFF_wakeup);
            }
            SLock.S_UNLOCK(b, cv + OFF_mutex);

            // CHECK_FOR_INTERRUPTS could run code that changes the target; nothing does here
            if (cv != b.cv_sleep_target) done = true;
            if (done) return;
        }
    }

    /// <summary>ConditionVariableCancelSleep: leave the wakeup list. True if we had already been taken
    /// off it (signalled); V17 does not pass such a signal on.</summary>
    public static bool CancelSleep(SyncBackend b)
    {
        ulong cv = b.cv_sleep_target;
        bool signaled = false;
        if (cv == 0) return false;

        SLock.S_LOCK(b, cv + OFF_mutex);
        ProcListHead list = Wakeup(b.Memory, cv);
        if (ProcList.ContainsLinked(b.Memory, b.Segment, list, b.MyProcNumber, CvWaitLink))
        {
            ProcList.Delete(b.Memory, b.Segment, ref list, b.MyProcNumber, CvWaitLink);
            list.Store(b.Memory, cv + OFF_wakeup);
        }
        else
        {
            signaled = true;
        }
        SLock.S_UNLOCK(b, cv + OFF_mutex);

        b.cv_sleep_target = 0;
        return signaled;
    }

    /// <summary>ConditionVariableSignal: wake the longest waiter, if any.</summary>
    public static void Signal(SyncBackend b, ulong cv)
    {
        int proc = LWLockConstants.INVALID_PROC_NUMBER;
        SLock.S_LOCK(b, cv + OFF_mutex);
        ProcListHead list = Wakeup(b.Memory, cv);
        if (!list.IsEmpty)
        {
            proc = ProcList.PopHead(b.Memory, b.Segment, ref list, CvWaitLink);
            list.Store(b.Memory, cv + OFF_wakeup);
        }
        SLock.S_UNLOCK(b, cv + OFF_mutex);
        // the latch is set outside the mutex: a spinlock is held for a few instructions only
        if (proc != LWLockConstants.INVALID_PROC_NUMBER) Latch.SetLatch(b, proc);
    }

    /// <summary>ConditionVariableBroadcast: wake every backend on the list at the time of the call.
    /// Waiters that re-queue at once (Sleep rejoins the tail) must not keep us going forever, so we
    /// put ourselves at the tail as a sentinel and stop when we reach it.</summary>
    public static void Broadcast(SyncBackend b, ulong cv)
    {
        int me = b.MyProcNumber;
        int proc = LWLockConstants.INVALID_PROC_NUMBER;
        bool have_sentinel = false;

        // our own prepared sleep would otherwise put us on some list twice (the sentinel uses
        // the same node)
        if (b.cv_sleep_target != 0) CancelSleep(b);

        SLock.S_LOCK(b, cv + OFF_mutex);
        ProcListHead list = Wakeup(b.Memory, cv);
        Pg.Assert(!ProcList.ContainsLinked(b.Memory, b.Segment, list, me, CvWaitLink));
        if (!list.IsEmpty)
        {
            proc = ProcList.PopHead(b.Memory, b.Segment, ref list, CvWaitLink);
            if (!list.IsEmpty)
            {
                ProcList.PushTail(b.Memory, b.Segment, ref list, me, CvWaitLink);
                have_sentinel = true;
            }
            list.Store(b.Memory, cv + OFF_wakeup);
        }
        SLock.S_UNLOCK(b, cv + OFF_mutex);

        if (proc != LWLockConstants.INVALID_PROC_NUMBER) Latch.SetLatch(b, proc);

        // one at a time, so the mutex is never held across a latch set
        while (have_sentinel)
        {
            proc = LWLockConstants.INVALID_PROC_NUMBER;
            SLock.S_LOCK(b, cv + OFF_mutex);
            list = Wakeup(b.Memory, cv);
            if (!list.IsEmpty)
            {
                proc = ProcList.PopHead(b.Memory, b.Segment, ref list, CvWaitLink);
                list.Store(b.Memory, cv + OFF_wakeup);
            }
            have_sentinel = ProcList.ContainsLinked(b.Memory, b.Segment, list, me, CvWaitLink);
            SLock.S_UNLOCK(b, cv + OFF_mutex);

            if (proc != LWLockConstants.INVALID_PROC_NUMBER && proc != me) Latch.SetLatch(b, proc);
        }
    }

    /// <summary>CV1-CV3 for the CV at <paramref name="cv"/> (see the header); <paramref name="backends"/>
    /// by proc number, null where a proc has no backend (then CV3 is not checked for it).</summary>
    public static List<string> Check(SimMemory m, SyncSegment seg, ulong cv, IReadOnlyList<SyncBackend?> backends, string name = "cv")
    {
        var errors = new List<string>();
        if (m.ReadU32(cv + OFF_mutex) != 0) errors.Add($"CV1: {name}: mutex still held at quiescence");
        ProcListHead list = Wakeup(m, cv);
        int prev = LWLockConstants.INVALID_PROC_NUMBER, steps = 0;
        for (int cur = list.head; cur != LWLockConstants.INVALID_PROC_NUMBER; cur = ProcList.Next(m, seg, cur, CvWaitLink))
        {
            if ((uint)cur >= (uint)seg.NumProcs) { errors.Add($"CV2: {name}: list holds {cur}, not a proc number"); return errors; }
            if (++steps > seg.NumProcs) { errors.Add($"CV2: {name}: wakeup list has a cycle"); return errors; }
            if (ProcList.Prev(m, seg, cur, CvWaitLink) != prev)
                errors.Add($"CV2: {name}: proc {cur} prev link is {ProcList.Prev(m, seg, cur, CvWaitLink)}, expected {prev}");
            if (cur < backends.Count && backends[cur] is SyncBackend b && b.cv_sleep_target != cv)
                errors.Add($"CV3: {name}: proc {cur} is listed but its sleep target is 0x{b.cv_sleep_target:x}");
            prev = cur;
        }
        if (list.tail != prev) errors.Add($"CV2: {name}: tail is {list.tail}, the list ends at {prev}");
        return errors;
    }
}
