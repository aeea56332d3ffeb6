// LWLockCheck: the invariant walker for the sync segment, run at quiescence (no backend inside any
// LWLock or spinlock routine), e.g. after every explorer iteration and at the end of stress tests;
// CheckStep is the subset that holds between any two steps (see below).
// It only reads, through the segment's own mapping, and never goes through the seam.
//
// Invariants (numbered; a violation names its number):
//   LW1  the wait-list lock bit LW_FLAG_LOCKED is clear.
//   LW2  an exclusive holder excludes shared ones: VAL_EXCLUSIVE set => shared count 0.
//   LW3  the holder counts in the state word equal the entries in the backends' held_lwlocks
//        (exclusive: 0 or 1; shared: the number of shared entries).
//   LW4  the wait list is a well-formed doubly linked list of distinct procs (head/tail/prev agree).
//   LW5  every proc on a wait list has lwWaiting == LW_WS_WAITING; every proc with
//        LW_WS_WAITING is on exactly one wait list.
//   LW6  a non-empty wait list has LW_FLAG_HAS_WAITERS set.
//   LW7  a proc that is not waiting is in no list (lwWaitLink next == prev == 0).
//   LW9  no bit outside the defined ones is set: only LW_FLAG_HAS_WAITERS, LW_FLAG_RELEASE_OK,
//        LW_FLAG_LOCKED, LW_VAL_EXCLUSIVE and the shared count (bits 25-27 and 31 are unused in
//        PG17's lwlock.c; a stray one means an arithmetic slip, e.g. a shared count that overflowed).
//   LW10 the shared count is at most MAX_BACKENDS (postmaster.h; lwlock.c's StaticAssert that
//        LW_VAL_EXCLUSIVE > MAX_BACKENDS is what keeps the count out of the exclusive bit).
//   LW11 the waiters on a list are in a valid mode (LW_EXCLUSIVE, LW_SHARED, LW_WAIT_UNTIL_FREE), and
//        the LW_WAIT_UNTIL_FREE ones form a prefix: LWLockQueueSelf pushes them at the head and the
//        others at the tail, and LWLockUpdateVar relies on it (it stops at the first other mode).
//   LW12 a lock with no holder while no proc is waiting anywhere has LW_FLAG_RELEASE_OK set:
//        LWLockWakeup clears it only when it wakes an LW_EXCLUSIVE/LW_SHARED waiter, and that waiter sets it again (LWLockAcquire after its
//        sleep, LWLockDequeueSelf when it was woken before it dequeued itself); LWLockWaitForVar
//        sets it too. A lock left without it would never wake its next waiters.
//   Not an invariant in PG17, so not asserted: "a free lock nobody waits for has
//        LW_FLAG_HAS_WAITERS clear". LWLockWakeup clears the flag only when it woke nobody
//        (proclist_is_empty(&wakeup), not the wait list), so the release that wakes the last
//        waiters leaves it set on an empty list until some later release finds nobody to wake;
//        LWLockUpdateVar likewise empties the list without touching it. The explorer found such
//        an end state on the correct port (lwlock-queued-acquire-or-wait); the cost is one
//        spurious LWLockWakeup call, not a lost wakeup. (LW6 is the direction that matters.)
//   The flag protocol, checked against lwlock.c (PG17) path by path: the wait list and
//        HAS_WAITERS change only inside the wait-list lock (LWLockQueueSelf sets the flag before it
//        links; LWLockDequeueSelf clears it when it leaves the list empty; LWLockWakeup always wakes
//        the head waiter, so "nobody woken" means "the list was empty" when it clears it;
//        LWLockUpdateVar never touches it), so whenever LW_FLAG_LOCKED is clear LW6 holds, at every
//        step (CheckStep), not only at quiescence. The converse ("HAS_WAITERS set => list
//        non-empty") does not hold, for the reasons above: LWLockWakeup and LWLockUpdateVar can
//        both leave the flag set on an empty list. What each critical section does to the flags
//        exactly is LWLockQueueModel's (Models.Locks), which the lwlock-queue property compares.
//   SEM1 every PGSemaphore count is 0 (every V was matched by a P: no lost or leftover wakeup).
// When `final` is set (every backend has exited): also
//   LW8  no LWLock has a holder and no wait list is non-empty.
//
// SpinDelayCheck's SD1-SD3 (spins_per_delay bounds, spinlocks free) run as part of this walker.
// CheckStateWord (LW1, LW9, LW10) is also applied by BufMgrCheck to the buffers' content locks.
#pragma warning disable CA1707 // PostgreSQL's names
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Sync;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class LWLockCheck
{
    public static List<string> Check(SyncSegment seg, IReadOnlyList<SyncBackend?> backends, bool final)
    {
        var errors = new List<string>();
        var mem = seg.InitMemory;
        var onList = new int[seg.NumProcs];
        bool anyWaiting = false;
        for (int p = 0; p < seg.NumProcs; p++)
            if (mem.ReadU32(seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting) != (uint)LWLockWaitState.LW_WS_NOT_WAITING) anyWaiting = true;
        for (int i = 0; i < seg.NumLWLocks; i++)
        {
            LWLock l = seg.GetLWLock(i);
            string name = seg.LWLockName(l);
            uint state = mem.ReadU32(l.StateAddr);
            CheckStateWord(state, name, quiescent: true, errors);
            uint shared = state & LW_SHARED_MASK;
            bool excl = (state & LW_VAL_EXCLUSIVE) != 0;
            if (excl && shared != 0) errors.Add($"LW2: {name}: exclusive and {shared} shared holders at once (state 0x{state:x8})");
            int heldEx = 0, heldSh = 0;
            foreach (SyncBackend? b in backends)
            {
                if (b is null) continue;
                for (int h = 0; h < b.LWLocks.NumHeld; h++)
                {
                    var e = b.LWLocks.Held(h);
                    if (e.Lock != l) continue;
                    if (e.Mode == LWLockMode.LW_EXCLUSIVE) heldEx++; else heldSh++;
                }
            }
            if ((excl ? 1 : 0) != heldEx || shared != heldSh)
                errors.Add($"LW3: {name}: state word says exclusive={(excl ? 1 : 0)} shared={shared}, held_lwlocks say exclusive={heldEx} shared={heldSh}");
            int count = CheckWaitList(seg, l, name, state, onList, errors);
            if (!anyWaiting && count == 0 && (state & LW_LOCK_MASK) == 0 && (state & LW_FLAG_RELEASE_OK) == 0)
                errors.Add($"LW12: {name}: free, nobody waiting, but RELEASE_OK is clear: the next release would wake nobody (state 0x{state:x8})");
            if (final && ((state & LW_LOCK_MASK) != 0 || count > 0))
                errors.Add($"LW8: {name}: after every backend exited: state 0x{state:x8}, {count} queued");
        }
        for (int p = 0; p < seg.NumProcs; p++)
        {
            uint ws = mem.ReadU32(seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting);
            if (ws == (uint)LWLockWaitState.LW_WS_WAITING && onList[p] != 1) errors.Add($"LW5: proc {p} has lwWaiting=WAITING but is on {onList[p]} wait lists");
            if (ws == (uint)LWLockWaitState.LW_WS_NOT_WAITING && !ProcList.InNoList(mem, seg, p)) errors.Add($"LW7: proc {p} is not waiting but its lwWaitLink is still linked");
            if (ws == (uint)LWLockWaitState.LW_WS_PENDING_WAKEUP) errors.Add($"LW5: proc {p} is still PENDING_WAKEUP at quiescence");
            uint sem = mem.ReadU32(seg.SemAddr(p));
            if (sem != 0) errors.Add($"SEM1: proc {p} semaphore count is {sem} at quiescence (a leftover wakeup)");
        }
        errors.AddRange(SpinDelayCheck.Check(seg, backends));
        return errors;
    }

    /// <summary>The invariants that hold at every step, not only at quiescence, for every LWLock
    /// whose wait-list lock (LW_FLAG_LOCKED) is free: LW4, LW5 (queued procs are WAITING), LW6, LW11,
    /// LW9 and LW10; and, when no wait-list lock at all is taken, LW5 (a WAITING proc is on exactly
    /// one list) and LW7. In lwlock.c the list, the waiters' lwWaiting and HAS_WAITERS change only
    /// inside the wait-list lock, so a free LW_FLAG_LOCKED means no list is half-updated. (Not LW1,
    /// LW3, LW8, LW12 or SEM1: a lock may be mid-operation, a woken proc may not have run yet.)</summary>
    public static List<string> CheckStep(SyncSegment seg)
    {
        var errors = new List<string>();
        var mem = seg.InitMemory;
        var onList = new int[seg.NumProcs];
        bool allUnlocked = true;
        for (int i = 0; i < seg.NumLWLocks; i++)
        {
            LWLock l = seg.GetLWLock(i);
            uint state = mem.ReadU32(l.StateAddr);
            if ((state & LW_FLAG_LOCKED) != 0)
            {
                allUnlocked = false;
                continue;
            }
            string name = seg.LWLockName(l);
            CheckStateWord(state, name, quiescent: false, errors);
            CheckWaitList(seg, l, name, state, onList, errors);
        }
        if (!allUnlocked) return errors;
        for (int p = 0; p < seg.NumProcs; p++)
        {
            uint ws = mem.ReadU32(seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting);
            if (ws == (uint)LWLockWaitState.LW_WS_WAITING && onList[p] != 1) errors.Add($"LW5: proc {p} has lwWaiting=WAITING but is on {onList[p]} wait lists");
            if (ws == (uint)LWLockWaitState.LW_WS_NOT_WAITING && !ProcList.InNoList(mem, seg, p)) errors.Add($"LW7: proc {p} is not waiting but its lwWaitLink is still linked");
        }
        return errors;
    }

    /// <summary>Walks the wait list of <paramref name="l"/> (LW4, LW5 for queued procs, LW11, LW6),
    /// counting each proc seen in <paramref name="onList"/>; returns the list's length.</summary>
    private static int CheckWaitList(SyncSegment seg, LWLock l, string name, uint state, int[] onList, List<string> errors)
    {
        var mem = seg.InitMemory;
        ProcListHead w = ProcListHead.Load(mem, l.WaitersAddr);
        int count = 0, prev = INVALID_PROC_NUMBER;
        bool wellFormed = true, pastUntilFree = false;
        for (int cur = w.head; cur != INVALID_PROC_NUMBER; cur = ProcList.Next(mem, seg, cur))
        {
            if (cur < 0 || cur >= seg.NumProcs || ++count > seg.NumProcs) { errors.Add($"LW4: {name}: wait list corrupt (bad proc number {cur} or a cycle)"); wellFormed = false; break; }
            if (ProcList.Prev(mem, seg, cur) != prev) { errors.Add($"LW4: {name}: proc {cur} prev link is {ProcList.Prev(mem, seg, cur)}, expected {prev}"); wellFormed = false; }
            onList[cur]++;
            uint ws = mem.ReadU32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaiting);
            if (ws != (uint)LWLockWaitState.LW_WS_WAITING) errors.Add($"LW5: {name}: proc {cur} is queued but lwWaiting={(LWLockWaitState)ws}");
            uint mode = mem.ReadU32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaitMode);
            if (mode > (uint)LWLockMode.LW_WAIT_UNTIL_FREE) errors.Add($"LW11: {name}: proc {cur} is queued with lwWaitMode {mode}, not a mode");
            else if (mode != (uint)LWLockMode.LW_WAIT_UNTIL_FREE) pastUntilFree = true;
            else if (pastUntilFree) errors.Add($"LW11: {name}: proc {cur} waits LW_WAIT_UNTIL_FREE behind an LW_EXCLUSIVE/LW_SHARED waiter");
            prev = cur;
        }
        if (wellFormed && w.tail != prev) errors.Add($"LW4: {name}: tail is {w.tail}, last node is {prev}");
        if (count > 0 && (state & LW_FLAG_HAS_WAITERS) == 0) errors.Add($"LW6: {name}: {count} queued waiter(s) but HAS_WAITERS is clear (state 0x{state:x8})");
        return count;
    }

    /// <summary>The state-word invariants that need nothing but the word: LW1 (only when
    /// <paramref name="quiescent"/>), LW9, LW10.</summary>
    public static void CheckStateWord(uint state, string name, bool quiescent, List<string> errors)
    {
        if (quiescent && (state & LW_FLAG_LOCKED) != 0) errors.Add($"LW1: {name}: wait-list lock bit still set (state 0x{state:x8})");
        uint shared = state & LW_SHARED_MASK;
        uint stray = state & ~(LW_FLAG_HAS_WAITERS | LW_FLAG_RELEASE_OK | LW_FLAG_LOCKED | LW_LOCK_MASK);
        if (stray != 0) errors.Add($"LW9: {name}: undefined bit(s) 0x{stray:x8} set (state 0x{state:x8})");
        if (shared > MAX_BACKENDS) errors.Add($"LW10: {name}: shared count {shared} exceeds MAX_BACKENDS {MAX_BACKENDS} (state 0x{state:x8})");
    }
}
