// Condition variables and latches (condition_variable.c, latch.c): the list semantics of
// PrepareToSleep / Sleep / CancelSleep / Signal / Broadcast single-threaded, step by step, and real
// threads on the production runtime waiting and waking without losing a wake-up (a lost one hangs
// a thread, which the join timeout turns into a failure).
using Allocator.Common;
using Allocator.Sync;
using Xunit;

namespace Allocator.Tests.Sync;

public sealed class ConditionVariableTests
{
    private static (ProductionBackends g, ulong cv) Setup(int n, int lwlocks = 0)
    {
        var g = new ProductionBackends(n, lwlocks, scratch: 64);
        ulong cv = g.Segment.ScratchAddr(0);
        ConditionVariable.Init(g.Segment.InitMemory, cv);
        return (g, cv);
    }

    private static int[] Waiters(ProductionBackends g, ulong cv)
    {
        var list = new List<int>();
        ProcListHead h = ConditionVariable.Wakeup(g.Segment.InitMemory, cv);
        for (int p = h.head; p != LWLockConstants.INVALID_PROC_NUMBER; p = ProcList.Next(g.Segment.InitMemory, g.Segment, p, ProcList.CvWaitLink))
            list.Add(p);
        return list.ToArray();
    }

    private static bool LatchSet(ProductionBackends g, int p) => Latch.IsSet(g.Segment.InitMemory, g.Segment, p);

    [Fact]
    public void Latch_IsSticky_AndUsesItsOwnSemaphore()
    {
        var g = new ProductionBackends(2, 0);
        SyncBackend a = g.Backends[0], b = g.Backends[1];
        Latch.SetLatch(a, 1);
        Assert.True(LatchSet(g, 1));
        // the owner was not sleeping: no wake-up is posted anywhere
        Assert.Equal(0u, g.Segment.InitMemory.ReadU32(g.Segment.LatchSemAddr(1)));
        Assert.Equal(0u, g.Segment.InitMemory.ReadU32(g.Segment.SemAddr(1)));
        Latch.SetLatch(a, 1); // already set: nothing
        Latch.WaitLatch(b); // returns at once and leaves it set
        Assert.True(LatchSet(g, 1));
        Latch.ResetLatch(b);
        Assert.False(LatchSet(g, 1));
        Latch.ProcSendSignal(a, 1);
        Latch.ProcWaitForSignal(b);
        Assert.False(LatchSet(g, 1));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Latch_WakesASleepingOwner_OnAnotherThread()
    {
        var g = new ProductionBackends(2, 0);
        SyncBackend setter = g.Backends[0], owner = g.Backends[1];
        const int Rounds = 2000;
        ulong acks = g.Segment.ScratchAddr(0);
        var t = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                Latch.ProcWaitForSignal(owner);
                owner.Runtime.AtomicFetchAdd32(acks, 1);
            }
        });
        t.Start();
        for (int i = 0; i < Rounds; i++)
        {
            Latch.SetLatch(setter, 1);
            // wait for the owner to take this one, so every set is a separate wake-up
            while (setter.Runtime.AtomicRead32(acks) != (uint)(i + 1)) Thread.Yield();
        }
        Assert.True(t.Join(30_000));
        Assert.False(LatchSet(g, 1));
    }

    [Fact]
    public void PrepareToSleep_Queues_AndCancelSleep_Dequeues()
    {
        var (g, cv) = Setup(3);
        SyncBackend b1 = g.Backends[1], b2 = g.Backends[2];
        ConditionVariable.PrepareToSleep(b1, cv);
        ConditionVariable.PrepareToSleep(b2, cv);
        Assert.Equal(new[] { 1, 2 }, Waiters(g, cv));
        Assert.Equal(cv, b1.cv_sleep_target);
        Assert.False(ConditionVariable.CancelSleep(b1)); // still listed: not signalled
        Assert.Equal(0UL, b1.cv_sleep_target);
        Assert.Equal(new[] { 2 }, Waiters(g, cv));
        Assert.False(ConditionVariable.CancelSleep(b1)); // no target: nothing to do
        Assert.False(ConditionVariable.CancelSleep(b2));
        Assert.Empty(Waiters(g, cv));
        Assert.True(ProcList.InNoList(g.Segment.InitMemory, g.Segment, 2, ProcList.CvWaitLink));
    }

    [Fact]
    public void PrepareToSleep_OnAnotherCv_LeavesTheFirst()
    {
        var g = new ProductionBackends(2, 0, scratch: 64);
        ulong cv1 = g.Segment.ScratchAddr(0), cv2 = g.Segment.ScratchAddr(16);
        ConditionVariable.Init(g.Segment.InitMemory, cv1);
        ConditionVariable.Init(g.Segment.InitMemory, cv2);
        SyncBackend b = g.Backends[1];
        ConditionVariable.PrepareToSleep(b, cv1);
        ConditionVariable.PrepareToSleep(b, cv2);
        Assert.True(ConditionVariable.Wakeup(g.Segment.InitMemory, cv1).IsEmpty);
        Assert.Equal(new[] { 1 }, Waiters(g, cv2));
        Assert.Equal(cv2, b.cv_sleep_target);
        ConditionVariable.CancelSleep(b);
    }

    [Fact]
    public void Signal_WakesTheLongestWaiter_AndCancelSleepReportsIt()
    {
        var (g, cv) = Setup(4);
        ConditionVariable.PrepareToSleep(g.Backends[2], cv);
        ConditionVariable.PrepareToSleep(g.Backends[1], cv);
        ConditionVariable.Signal(g.Backends[0], cv);
        Assert.Equal(new[] { 1 }, Waiters(g, cv));
        Assert.True(LatchSet(g, 2));
        Assert.False(LatchSet(g, 1));
        Assert.True(ConditionVariable.CancelSleep(g.Backends[2])); // taken off the list: signalled
        // V17: the consumed signal is not passed on
        Assert.False(LatchSet(g, 1));
        Assert.Equal(new[] { 1 }, Waiters(g, cv));
        ConditionVariable.Signal(g.Backends[0], cv);
        ConditionVariable.Signal(g.Backends[0], cv); // nobody left: nothing happens
        Assert.True(LatchSet(g, 1));
        Assert.Empty(Waiters(g, cv));
    }

    [Fact]
    public void Sleep_WithoutPrepare_PreparesAndReturns()
    {
        var (g, cv) = Setup(2);
        SyncBackend b = g.Backends[1];
        ConditionVariable.Sleep(b, cv); // returns at once, now on the list
        Assert.Equal(new[] { 1 }, Waiters(g, cv));
        Assert.Equal(cv, b.cv_sleep_target);
        Assert.False(LatchSet(g, 1));
        ConditionVariable.CancelSleep(b);
    }

    [Fact]
    public void Sleep_AfterASignal_ReturnsAndRejoinsTheList()
    {
        var (g, cv) = Setup(2);
        SyncBackend b = g.Backends[1];
        ConditionVariable.PrepareToSleep(b, cv);
        ConditionVariable.Signal(g.Backends[0], cv);
        Assert.Empty(Waiters(g, cv));
        ConditionVariable.Sleep(b, cv); // the latch is set and we are off the list: done
        Assert.False(LatchSet(g, 1)); // reset by Sleep
        Assert.Equal(new[] { 1 }, Waiters(g, cv)); // back on it for the next test of the condition
        Assert.False(ConditionVariable.CancelSleep(b));
        Assert.Empty(Waiters(g, cv));
    }

    [Fact]
    public void Broadcast_WakesEveryone_CancelsOwnSleep_AndLeavesNoSentinel()
    {
        var (g, cv) = Setup(4);
        for (int p = 1; p < 4; p++) ConditionVariable.PrepareToSleep(g.Backends[p], cv);
        SyncBackend me = g.Backends[0];
        ConditionVariable.PrepareToSleep(me, cv); // the broadcaster's own prepared sleep is cancelled first
        Assert.Equal(new[] { 1, 2, 3, 0 }, Waiters(g, cv));
        Assert.Empty(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, cv, g.Backends));
        ConditionVariable.Broadcast(me, cv);
        Assert.Empty(Waiters(g, cv));
        Assert.Equal(0UL, me.cv_sleep_target);
        for (int p = 1; p < 4; p++) Assert.True(LatchSet(g, p));
        Assert.False(LatchSet(g, 0)); // the sentinel is never woken
        Assert.True(ProcList.InNoList(g.Segment.InitMemory, g.Segment, 0, ProcList.CvWaitLink));
        for (int p = 1; p < 4; p++) Assert.True(ConditionVariable.CancelSleep(g.Backends[p]));
        ConditionVariable.Broadcast(me, cv); // empty: nothing
        Assert.Empty(Waiters(g, cv));
    }

    [Fact]
    public void CvWaits_DoNotDisturbLWLockWaitLinks()
    {
        var (g, cv) = Setup(2, lwlocks: 1);
        SyncBackend b = g.Backends[1];
        ConditionVariable.PrepareToSleep(b, cv);
        Assert.True(ProcList.InNoList(g.Segment.InitMemory, g.Segment, 1)); // lwWaitLink untouched
        Assert.False(ProcList.InNoList(g.Segment.InitMemory, g.Segment, 1, ProcList.CvWaitLink));
        b.LWLocks.LWLockAcquire(g.Segment.GetLWLock(0), LWLockMode.LW_EXCLUSIVE);
        b.LWLocks.LWLockRelease(g.Segment.GetLWLock(0));
        ConditionVariable.CancelSleep(b);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    /// <summary>WaitIO's pattern: waiters wait for a generation counter to reach each round; one thread
    /// bumps it and broadcasts, then waits on a second CV for every waiter's acknowledgement.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Broadcast_RealThreads_NoLostWakeups(int n)
    {
        var g = new ProductionBackends(n, 0, scratch: 64);
        ulong genCv = g.Segment.ScratchAddr(0), ackCv = g.Segment.ScratchAddr(16);
        ulong gen = g.Segment.ScratchAddr(32), acks = g.Segment.ScratchAddr(40);
        ConditionVariable.Init(g.Segment.InitMemory, genCv);
        ConditionVariable.Init(g.Segment.InitMemory, ackCv);
        const int Rounds = 300;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new List<Thread>();
        for (int t = 1; t < n; t++)
        {
            SyncBackend b = g.Backends[t];
            threads.Add(new Thread(() =>
            {
                try
                {
                    for (uint r = 1; r <= Rounds; r++)
                    {
                        ConditionVariable.PrepareToSleep(b, genCv);
                        while (b.Runtime.AtomicRead32(gen) < r) ConditionVariable.Sleep(b, genCv);
                        ConditionVariable.CancelSleep(b);
                        b.Runtime.AtomicFetchAdd32(acks, 1);
                        ConditionVariable.Broadcast(b, ackCv);
                    }
                }
                catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException) { errors.Enqueue(e.Message); }
            }));
        }
        SyncBackend boss = g.Backends[0];
        threads.Add(new Thread(() =>
        {
            try
            {
                for (uint r = 1; r <= Rounds; r++)
                {
                    boss.Runtime.AtomicWrite32(gen, r);
                    ConditionVariable.Broadcast(boss, genCv);
                    ConditionVariable.PrepareToSleep(boss, ackCv);
                    while (boss.Runtime.AtomicRead32(acks) < r * (uint)(n - 1)) ConditionVariable.Sleep(boss, ackCv);
                    ConditionVariable.CancelSleep(boss);
                }
            }
            catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException) { errors.Enqueue(e.Message); }
        }));
        foreach (Thread th in threads) th.Start();
        foreach (Thread th in threads) Assert.True(th.Join(60_000), "a wake-up was lost");
        Assert.Empty(errors);
        Assert.Equal((uint)(Rounds * (n - 1)), g.Segment.InitMemory.ReadU32(acks));
        Assert.True(ConditionVariable.Wakeup(g.Segment.InitMemory, genCv).IsEmpty);
        Assert.True(ConditionVariable.Wakeup(g.Segment.InitMemory, ackCv).IsEmpty);
        foreach (SyncBackend b in g.Backends) Assert.Equal(0UL, b.cv_sleep_target);
        Assert.Empty(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, genCv, g.Backends));
        Assert.Empty(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, ackCv, g.Backends));
    }

    /// <summary>A token passed round a ring of threads, each waiting on its own CV for its turn and
    /// handing it on with Signal, while all of them also contend for an LWLock (whose waits use the
    /// PGPROC semaphore, not the latch).</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Signal_RealThreads_TokenRing(int n)
    {
        var g = new ProductionBackends(n, 1, scratch: 16 * 4 + 16);
        ulong turn = g.Segment.ScratchAddr(64);
        ulong CvOf(int i) => g.Segment.ScratchAddr(16 * i);
        for (int i = 0; i < n; i++) ConditionVariable.Init(g.Segment.InitMemory, CvOf(i));
        const int Laps = 300;
        LWLock lk = g.Segment.GetLWLock(0);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new Thread[n];
        for (int t = 0; t < n; t++)
        {
            SyncBackend b = g.Backends[t];
            int me = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    for (int lap = 0; lap < Laps; lap++)
                    {
                        uint mine = (uint)(lap * n + me);
                        ConditionVariable.PrepareToSleep(b, CvOf(me));
                        while (b.Runtime.AtomicRead32(turn) != mine)
                        {
                            b.LWLocks.LWLockAcquire(lk, LWLockMode.LW_EXCLUSIVE);
                            b.LWLocks.LWLockRelease(lk);
                            ConditionVariable.Sleep(b, CvOf(me));
                        }
                        ConditionVariable.CancelSleep(b);
                        b.LWLocks.LWLockAcquire(lk, LWLockMode.LW_EXCLUSIVE);
                        b.Runtime.AtomicWrite32(turn, mine + 1);
                        b.LWLocks.LWLockRelease(lk);
                        ConditionVariable.Signal(b, CvOf((me + 1) % n));
                    }
                }
                catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException) { errors.Enqueue(e.Message); }
            });
        }
        foreach (Thread th in threads) th.Start();
        foreach (Thread th in threads) Assert.True(th.Join(60_000), "a wake-up was lost");
        Assert.Empty(errors);
        Assert.Equal((uint)(Laps * n), g.Segment.InitMemory.ReadU32(turn));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Check_ReportsABrokenListAndAStrayWaiter()
    {
        var (g, cv) = Setup(3);
        ConditionVariable.PrepareToSleep(g.Backends[1], cv);
        ConditionVariable.PrepareToSleep(g.Backends[2], cv);
        Assert.Empty(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, cv, g.Backends));
        g.Backends[2].cv_sleep_target = 0; // listed without being prepared
        Assert.Contains(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, cv, g.Backends), e => e.StartsWith("CV3:", StringComparison.Ordinal));
        g.Backends[2].cv_sleep_target = cv;
        g.Segment.InitMemory.WriteU32(cv + ConditionVariable.OFF_wakeup + 4, 1); // tail points at proc 1
        Assert.Contains(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, cv, g.Backends), e => e.StartsWith("CV2:", StringComparison.Ordinal));
        g.Segment.InitMemory.WriteU32(cv + ConditionVariable.OFF_wakeup + 4, 2);
        g.Segment.InitMemory.WriteU32(cv, 1);
        Assert.Contains(ConditionVariable.Check(g.Segment.InitMemory, g.Segment, cv, g.Backends), e => e.StartsWith("CV1:", StringComparison.Ordinal));
    }
}
