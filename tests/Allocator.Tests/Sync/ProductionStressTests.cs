// Real threads on the production runtime: LWLocks (shared/exclusive mix, so waiters queue, sleep
// on their semaphores and are woken), a spinlock, and wait-for-var, bounded in count (a few
// thousand operations per thread). Afterwards every counter must be exact and LWLockCheck clean
// (no holder, no queued proc, every semaphore count back to 0).
using Allocator.Sync;
using Xunit;

namespace Allocator.Tests.Sync;

public sealed class ProductionStressTests
{
    private const int Threads = 4;
    private const int OpsPerThread = 3000;

    [Fact]
    public void LWLocks_and_spinlocks_hold_under_real_threads()
    {
        var g = new ProductionBackends(Threads, 2, spinlocks: 1, scratch: 64);
        ulong counter = g.Segment.ScratchAddr(0), spinCounter = g.Segment.ScratchAddr(8), sharedInside = g.Segment.ScratchAddr(16), exclInside = g.Segment.ScratchAddr(24);
        int violations = 0;
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            SyncBackend b = g.Backends[t];
            int me = t;
            threads[t] = new Thread(() =>
            {
                b.Start();
                ISyncRuntime rt = b.Runtime;
                for (int i = 0; i < OpsPerThread; i++)
                {
                    LWLock l = g.Segment.GetLWLock(i % 2);
                    bool exclusive = (i + me) % 3 == 0;
                    b.LWLocks.LWLockAcquire(l, exclusive ? LWLockMode.LW_EXCLUSIVE : LWLockMode.LW_SHARED);
                    if (i % 2 == 0)
                    {
                        if (exclusive)
                        {
                            if (rt.AtomicFetchAdd32(exclInside, 1) != 0 || rt.AtomicRead32(sharedInside) != 0) Interlocked.Increment(ref violations);
                            rt.SharedWrite32(counter, rt.SharedRead32(counter) + 1);
                            rt.AtomicFetchSub32(exclInside, 1);
                        }
                        else
                        {
                            rt.AtomicFetchAdd32(sharedInside, 1);
                            if (rt.AtomicRead32(exclInside) != 0) Interlocked.Increment(ref violations);
                            rt.AtomicFetchSub32(sharedInside, 1);
                        }
                    }
                    b.LWLocks.LWLockRelease(l);
                    SLock.S_LOCK(b, g.Segment.SpinLockAddr(0));
                    rt.SharedWrite32(spinCounter, rt.SharedRead32(spinCounter) + 1);
                    SLock.S_UNLOCK(b, g.Segment.SpinLockAddr(0));
                }
                b.Exit();
            }, 1 << 20) { IsBackground = true };
        }
        foreach (Thread th in threads) th.Start();
        foreach (Thread th in threads) Assert.True(th.Join(TimeSpan.FromMinutes(2)), "a backend thread hung (lost wakeup?)");
        int expectedExclusive = 0;
        for (int t = 0; t < Threads; t++)
            for (int i = 0; i < OpsPerThread; i += 2) if ((i + t) % 3 == 0) expectedExclusive++;
        Assert.Equal(0, violations);
        Assert.Equal((uint)expectedExclusive, g.Segment.InitMemory.ReadU32(counter));
        Assert.Equal((uint)(Threads * OpsPerThread), g.Segment.InitMemory.ReadU32(spinCounter));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }

    [Fact]
    public void Wait_for_var_waiters_all_return_under_real_threads()
    {
        var g = new ProductionBackends(3, 1, vars: 1);
        LWLock l = g.Segment.GetLWLock(0);
        ulong v = g.Segment.VarAddr(0);
        const int Rounds = 300;
        var holder = new Thread(() =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                g.Backends[0].LWLocks.LWLockAcquire(l, LWLockMode.LW_EXCLUSIVE);
                for (ulong k = 1; k <= 3; k++) g.Backends[0].LWLocks.LWLockUpdateVar(l, v, k);
                g.Backends[0].LWLocks.LWLockReleaseClearVar(l, v, 0);
            }
        });
        var waiters = Enumerable.Range(1, 2).Select(w => new Thread(() =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                ulong old = 0;
                for (int guard = 0; guard < 1_000_000; guard++)
                {
                    if (g.Backends[w].LWLocks.LWLockWaitForVar(l, v, old, out ulong nv)) break;
                    Assert.NotEqual(old, nv);
                    old = nv;
                }
            }
        })).ToList();
        holder.Start();
        waiters.ForEach(t => t.Start());
        Assert.True(holder.Join(TimeSpan.FromMinutes(1)));
        waiters.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(1)), "a waiter never returned"));
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Backends, final: true));
    }
}
