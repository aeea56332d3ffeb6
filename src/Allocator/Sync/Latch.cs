// Latch: each backend's procLatch (src/backend/storage/ipc/latch.c SetLatch, WaitLatch, ResetLatch;
// proc.c ProcSendSignal, ProcWaitForSignal; PostgreSQL 17), in the PGPROC record (PgProcLayout).
//
// A latch is a sticky flag. SetLatch sets it and, if the owner may be asleep, wakes it; WaitLatch
// returns once the flag is set (at once if it already is) and leaves it set; ResetLatch clears it.
// Users reset and then re-check their own condition, so a wake-up meant for another purpose (the
// latch is shared by condition variables, cleanup-lock waits, ...) only costs a spurious loop.
//
// Fields, all through the seam: is_set and maybe_sleeping are plain flags in PostgreSQL read and
// written with pg_memory_barrier() around them; here the two stores that need a full barrier after
// them are atomic exchanges (an atomic write is only a release). The "self-pipe" that wakes a sleeping owner is the latch's own counting semaphore
// word: SetLatch posts it only when it moved is_set from clear to set and saw maybe_sleeping, and
// WaitLatch consumes posts until it sees is_set, so a stale post (the owner saw is_set before the
// post arrived) is absorbed by a later WaitLatch's loop as in latch.c's drain of the pipe.
//
// Divergences: only WL_LATCH_SET (no timeouts, sockets or postmaster death); SetLatch from the
// owner itself goes through the same path (latch.c short-cuts it with a flag); the owner check
// (owner_pid) is the caller's procno.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;

namespace Allocator.Sync;

public static class Latch
{
    /// <summary>SetLatch(&amp;allProcs[procno].procLatch).</summary>
    public static void SetLatch(SyncBackend b, int procno)
    {
        SyncSegment seg = b.Segment;
        ISyncRuntime rt = b.Runtime;
        // Set the flag with a full barrier (latch.c has pg_memory_barrier() before the test and after
        // the store); if it was set already its owner has not reset it yet, so it will notice.
        if (rt.AtomicExchange32(seg.LatchIsSetAddr(procno), 1) != 0) return;
        // the owner publishes maybe_sleeping before it tests is_set, we after we set it: with a full
        // barrier on both sides one of us sees the other's store, so either it returns or we wake it
        // (with only release/acquire ordering both loads may pass both stores: a lost wake-up)
        if (rt.AtomicRead32(seg.LatchMaybeSleepingAddr(procno)) == 0) return;
        PGSemaphore.PGSemaphoreUnlock(b, seg.LatchSemAddr(procno));
    }

    /// <summary>WaitLatch(MyLatch, WL_LATCH_SET): returns once this backend's latch is set.</summary>
    public static void WaitLatch(SyncBackend b)
    {
        SyncSegment seg = b.Segment;
        ISyncRuntime rt = b.Runtime;
        int me = b.MyProcNumber;
        b.LockOrder.BeforeSleep("WaitLatch");
        for (;;)
        {
            // full barrier between publishing maybe_sleeping and testing is_set (see SetLatch)
            rt.AtomicExchange32(seg.LatchMaybeSleepingAddr(me), 1);
            if (rt.AtomicRead32(seg.LatchIsSetAddr(me)) != 0)
            {
                rt.AtomicWrite32(seg.LatchMaybeSleepingAddr(me), 0);
                return;
            }
            rt.ReportWaitStart(seg.LatchIsSetAddr(me), $"Latch proc[{me}]");
            PGSemaphore.PGSemaphoreLock(b, seg.LatchSemAddr(me));
            rt.ReportWaitEnd();
            // a post may be stale (set, seen and reset before it arrived): look at the flag again
        }
    }

    /// <summary>ResetLatch(MyLatch): only the owner resets its latch.</summary>
    public static void ResetLatch(SyncBackend b) => b.Runtime.AtomicWrite32(b.Segment.LatchIsSetAddr(b.MyProcNumber), 0);

    /// <summary>ProcSendSignal(procno): SetLatch of that backend's latch.</summary>
    public static void ProcSendSignal(SyncBackend b, int procno)
    {
        Pg.Assert(procno >= 0 && procno < b.Segment.NumProcs);
        SetLatch(b, procno);
    }

    /// <summary>ProcWaitForSignal: WaitLatch, ResetLatch (CHECK_FOR_INTERRUPTS has nothing to do here).
    /// May return for a SetLatch meant for something else: callers re-check.</summary>
    public static void ProcWaitForSignal(SyncBackend b)
    {
        WaitLatch(b);
        ResetLatch(b);
    }

    /// <summary>is_set, read at quiescence (checkers, tests).</summary>
    public static bool IsSet(Sim.SimMemory m, SyncSegment seg, int procno) => m.ReadU32(seg.LatchIsSetAddr(procno)) != 0;
}
