// LWLockCheck's state-word and wait-list bounds (LW9-LW12): each corruption breaks exactly one
// invariant, and the walker reports it under its number; a clean segment and one with a real,
// well-ordered wait list pass.
using Allocator.Sim;
using Allocator.Sync;
using Xunit;
using static Allocator.Sync.LWLockConstants;

namespace Allocator.Tests.Sync;

public sealed class LWLockCheckTests
{
    private static void AssertFires(List<string> errs, string id) =>
        Assert.Contains(errs, e => e.StartsWith(id + ":", StringComparison.Ordinal));

    private static List<string> Check(ProductionBackends g, bool final = false) => LWLockCheck.Check(g.Segment, g.Backends, final);

    /// <summary>Puts proc <paramref name="procno"/> on lock 0's wait list as LWLockQueueSelf does (mode
    /// and WAITING set, HAS_WAITERS set), at the head or the tail as asked.</summary>
    private static void Queue(ProductionBackends g, int procno, LWLockMode mode, bool head)
    {
        SyncSegment seg = g.Segment;
        SimMemory m = seg.InitMemory;
        LWLock l = seg.GetLWLock(0);
        m.WriteU32(seg.ProcAddr(procno) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_WAITING);
        m.WriteU32(seg.ProcAddr(procno) + PgProcLayout.OFF_lwWaitMode, (uint)mode);
        ProcListHead w = ProcListHead.Load(m, l.WaitersAddr);
        if (head) ProcList.PushHead(m, seg, ref w, procno);
        else ProcList.PushTail(m, seg, ref w, procno);
        w.Store(m, l.WaitersAddr);
        m.WriteU32(l.StateAddr, m.ReadU32(l.StateAddr) | LW_FLAG_HAS_WAITERS);
    }

    [Fact]
    public void Clean_segment_and_a_well_ordered_queue_pass()
    {
        var g = new ProductionBackends(3, 1);
        Assert.Empty(Check(g, final: true));
        // A holder, an exclusive waiter at the tail, a wait-until-free waiter at the head: as
        // LWLockQueueSelf leaves them.
        Assert.True(g.Backends[0].LWLocks.LWLockAcquire(g.Segment.GetLWLock(0), LWLockMode.LW_EXCLUSIVE));
        Queue(g, 1, LWLockMode.LW_EXCLUSIVE, head: false);
        Queue(g, 2, LWLockMode.LW_WAIT_UNTIL_FREE, head: true);
        Assert.Empty(Check(g));
    }

    [Fact]
    public void Undefined_state_bit_is_LW9()
    {
        var g = new ProductionBackends(1, 1);
        ulong a = g.Segment.GetLWLock(0).StateAddr;
        foreach (uint bit in new[] { 1u << 25, 1u << 27, 1u << 31 })
        {
            g.Segment.InitMemory.WriteU32(a, LW_FLAG_RELEASE_OK | bit);
            List<string> e = Check(g);
            AssertFires(e, "LW9");
            Assert.Single(e);
        }
    }

    [Fact]
    public void Shared_count_beyond_MAX_BACKENDS_is_LW10()
    {
        var g = new ProductionBackends(1, 1);
        g.Segment.InitMemory.WriteU32(g.Segment.GetLWLock(0).StateAddr, LW_FLAG_RELEASE_OK | (MAX_BACKENDS + 1));
        List<string> e = Check(g);
        AssertFires(e, "LW10");
        Assert.DoesNotContain(e, x => x.StartsWith("LW9:", StringComparison.Ordinal)); // still inside the shared mask
        // LW_VAL_EXCLUSIVE must exceed MAX_BACKENDS (lwlock.c's static assertion).
        Assert.True(LW_VAL_EXCLUSIVE > MAX_BACKENDS);
    }

    [Fact]
    public void Wait_until_free_waiter_behind_an_exclusive_one_is_LW11()
    {
        var g = new ProductionBackends(3, 1);
        Assert.True(g.Backends[0].LWLocks.LWLockAcquire(g.Segment.GetLWLock(0), LWLockMode.LW_EXCLUSIVE));
        Queue(g, 1, LWLockMode.LW_EXCLUSIVE, head: false);
        Queue(g, 2, LWLockMode.LW_WAIT_UNTIL_FREE, head: false); // LWLockQueueSelf would push it at the head
        List<string> e = Check(g);
        AssertFires(e, "LW11");
        Assert.Single(e);
    }

    [Fact]
    public void Queued_waiter_with_no_valid_mode_is_LW11()
    {
        var g = new ProductionBackends(2, 1);
        Assert.True(g.Backends[0].LWLocks.LWLockAcquire(g.Segment.GetLWLock(0), LWLockMode.LW_EXCLUSIVE));
        Queue(g, 1, (LWLockMode)7, head: false);
        List<string> e = Check(g);
        AssertFires(e, "LW11");
        Assert.Single(e);
    }

    [Fact]
    public void Free_lock_nobody_waits_for_without_RELEASE_OK_is_LW12()
    {
        var g = new ProductionBackends(2, 1);
        g.Segment.InitMemory.WriteU32(g.Segment.GetLWLock(0).StateAddr, 0);
        List<string> e = Check(g, final: true);
        AssertFires(e, "LW12");
        Assert.Single(e);
        // Not judged while somebody waits: a woken acquirer may not have re-armed it yet.
        Queue(g, 1, LWLockMode.LW_EXCLUSIVE, head: false);
        g.Segment.InitMemory.WriteU32(g.Segment.GetLWLock(0).StateAddr, LW_FLAG_HAS_WAITERS);
        Assert.DoesNotContain(Check(g), x => x.StartsWith("LW12:", StringComparison.Ordinal));
    }

    [Fact]
    public void HAS_WAITERS_on_a_free_lock_with_an_empty_list_is_allowed_as_in_PG17()
    {
        // LWLockWakeup clears HAS_WAITERS only when it woke nobody, so the release that wakes the
        // last waiters leaves it set (documented in LWLockCheck's header; not an invariant).
        var g = new ProductionBackends(1, 1);
        g.Segment.InitMemory.WriteU32(g.Segment.GetLWLock(0).StateAddr, LW_FLAG_RELEASE_OK | LW_FLAG_HAS_WAITERS);
        Assert.Empty(Check(g, final: true));
    }

    // ---- CheckStep: the subset that holds between any two steps

    [Fact]
    public void CheckStep_passes_mid_operation_states_the_quiescent_walker_rejects()
    {
        // A woken waiter whose semaphore is posted but who has not run yet (SEM1 at quiescence) and
        // a held lock with queued waiters: every step invariant holds.
        var g = new ProductionBackends(3, 1);
        Assert.True(g.Backends[0].LWLocks.LWLockAcquire(g.Segment.GetLWLock(0), LWLockMode.LW_EXCLUSIVE));
        Queue(g, 1, LWLockMode.LW_SHARED, head: false);
        g.Segment.InitMemory.WriteU32(g.Segment.SemAddr(2), 1);
        Assert.Contains(Check(g), x => x.StartsWith("SEM1:", StringComparison.Ordinal));
        Assert.Empty(LWLockCheck.CheckStep(g.Segment));
    }

    [Fact]
    public void CheckStep_reports_LW6_and_LW11_but_skips_a_list_whose_wait_list_lock_is_taken()
    {
        var g = new ProductionBackends(3, 1);
        SimMemory m = g.Segment.InitMemory;
        ulong state = g.Segment.GetLWLock(0).StateAddr;
        Queue(g, 1, LWLockMode.LW_EXCLUSIVE, head: false);
        Queue(g, 2, LWLockMode.LW_WAIT_UNTIL_FREE, head: false); // LWLockQueueSelf pushes it at the head
        m.WriteU32(state, m.ReadU32(state) & ~LW_FLAG_HAS_WAITERS);
        List<string> e = LWLockCheck.CheckStep(g.Segment);
        AssertFires(e, "LW6");
        AssertFires(e, "LW11");
        Assert.Equal(2, e.Count);
        // Inside the wait-list lock the list and the flag may be half-updated: nothing is judged,
        // not even the procs' LW5/LW7, since a WAITING proc may not be linked yet.
        m.WriteU32(state, m.ReadU32(state) | LW_FLAG_LOCKED);
        Assert.Empty(LWLockCheck.CheckStep(g.Segment));
    }

    [Fact]
    public void CheckStep_reports_a_WAITING_proc_on_no_list_and_a_linked_proc_that_is_not_waiting()
    {
        var g = new ProductionBackends(3, 1);
        SimMemory m = g.Segment.InitMemory;
        m.WriteU32(g.Segment.ProcAddr(1) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_WAITING);
        AssertFires(LWLockCheck.CheckStep(g.Segment), "LW5");
        m.WriteU32(g.Segment.ProcAddr(1) + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
        m.WriteU32(g.Segment.ProcAddr(2) + PgProcLayout.OFF_lwWaitLink_next, 1);
        AssertFires(LWLockCheck.CheckStep(g.Segment), "LW7");
    }
}
