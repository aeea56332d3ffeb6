// Real threads on the production runtime: several backends pin and unpin the same few buffers
// (nested pins, ring and default strategies, PinBuffer_Locked under the header lock) while also
// taking header locks to bump a lock-protected field. A pin or unpin CAS lost to an unlock store
// would leave a refcount off by one; a broken header lock would lose counter increments.
// Threads start together at a barrier. Afterwards every refcount must be 0, the counters exact and BufferCheck clean.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufferPinsConcurrentTests
{
    [Theory]
    [InlineData(2, 4000)]
    [InlineData(4, 2500)]
    public void Backends_PinAndUnpinTheSameBuffers_AndEndClean(int threadsCount, int opsPerThread)
    {
        const int N = 4;
        var g = new BufferBackends(threadsCount, N);
        var lockedBumps = new int[N + 1];
        int failures = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new Thread[threadsCount];
        var ring = new BufferAccessStrategy(BufferAccessStrategyType.BAS_VACUUM);
        using var start = new Barrier(threadsCount);
        for (int t = 0; t < threadsCount; t++)
        {
            BufferPins p = g.Pins[t];
            var rng = new Prng(1000 + (ulong)t);
            threads[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    var mine = new int[N + 1];
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        int buffer = 1 + rng.Index(N);
                        BufferDesc d = g.Desc(buffer);
                        switch (rng.Index(8))
                        {
                            case 0:
                            case 1:
                            case 2:
                                BufferBackends.Pin(p, d, rng.Index(4) == 0 ? ring : null);
                                mine[buffer]++;
                                break;
                            case 3:
                                if (mine[buffer] == 0)
                                {
                                    // PinBuffer_Locked: reserve first, then pin and unlock in one store
                                    p.ReservePrivateRefCountEntry();
                                    _ = BufHdrLock.LockBufHdr(p.Backend, d);
                                    p.Backend.Memory.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum,
                                        p.Backend.Memory.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum) + 1);
                                    Interlocked.Increment(ref lockedBumps[buffer]);
                                    p.PinBuffer_Locked(d);
                                    mine[buffer]++;
                                }
                                break;
                            case 4:
                            {
                                uint s = BufHdrLock.LockBufHdr(p.Backend, d);
                                if (BUF_STATE_GET_USAGECOUNT(s) > BM_MAX_USAGE_COUNT) Interlocked.Increment(ref failures);
                                if (BUF_STATE_GET_REFCOUNT(s) > (uint)threadsCount) Interlocked.Increment(ref failures);
                                p.Backend.Memory.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum,
                                    p.Backend.Memory.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum) + 1);
                                Interlocked.Increment(ref lockedBumps[buffer]);
                                Thread.SpinWait(20); // widen the window in which others must wait for the unlock
                                BufHdrLock.UnlockBufHdr(p.Backend, d, s);
                                break;
                            }
                            default:
                                if (mine[buffer] > 0)
                                {
                                    p.UnpinBuffer(d);
                                    mine[buffer]--;
                                }
                                break;
                        }
                        for (int b = 1; b <= N; b++)
                            if (p.Refs.GetPrivateRefCount(b) != mine[b]) Interlocked.Increment(ref failures);
                    }
                    for (int b = 1; b <= N; b++)
                        while (mine[b]-- > 0) p.UnpinBuffer(g.Desc(b));
                    p.AtEOXact_Buffers(isCommit: true);
                }
                catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException)
                {
                    errors.Enqueue(e.Message);
                }
            });
            threads[t].Start();
        }
        foreach (Thread th in threads) Assert.True(th.Join(30_000));
        Assert.Empty(errors);
        Assert.Equal(0, failures);
        for (int b = 1; b <= N; b++)
        {
            uint s = g.State(b);
            Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(s));
            Assert.True(BUF_STATE_GET_USAGECOUNT(s) >= 1 && BUF_STATE_GET_USAGECOUNT(s) <= BM_MAX_USAGE_COUNT);
            Assert.Equal(unchecked(InvalidBlockNumber + (uint)lockedBumps[b]),
                g.Descs.InitMemory.ReadU32(g.Desc(b).TagAddr + BufferDescLayout.OFF_tag_blockNum));
            // the lock-protected counter is not a cleared tag any more: restore it before B13 looks
            BufferDescriptors.WriteTag(g.Descs.InitMemory, g.Desc(b), BufferTag.Cleared);
        }
        Assert.Empty(g.Check(final: true));
        Assert.Equal(0, g.Elog.WarningCount);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Pins.Select(p => (SyncBackend?)p.Backend).ToArray(), final: true));
    }

    [Fact]
    public void CleanupWaiter_IsWokenByTheUnpinThatLeavesOnlyItsPin_OnRealThreads()
    {
        // The waiter does what LockBufferForCleanup does around the pin count (without the content
        // lock): pinned, it sleeps with BM_PIN_COUNT_WAITER set until it is the only pinner. The
        // others pin and unpin the same buffer meanwhile. Every sleep must be ended by exactly one
        // wake-up (semaphore counts back to 0), and the waiter must see refcount 1 when it proceeds.
        const int Others = 2, Rounds = 200, OpsPerOther = 3000;
        var g = new BufferBackends(Others + 1, 1);
        BufferDesc d = g.Desc(1);
        BufferPins waiter = g.Pins[Others];
        int failures = 0, sleeps = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(Others + 1);
        var threads = new List<Thread>();
        for (int t = 0; t < Others; t++)
        {
            BufferPins p = g.Pins[t];
            var rng = new Prng(77 + (ulong)t);
            threads.Add(new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    int mine = 0;
                    for (int i = 0; i < OpsPerOther; i++)
                    {
                        if (mine == 0 || (mine < 3 && rng.Index(2) == 0)) { BufferBackends.Pin(p, d); mine++; }
                        else { p.UnpinBuffer(d); mine--; }
                    }
                    while (mine-- > 0) p.UnpinBuffer(d);
                }
                catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException) { errors.Enqueue(e.Message); }
            }));
        }
        threads.Add(new Thread(() =>
        {
            try
            {
                SyncBackend b = waiter.Backend;
                start.SignalAndWait();
                for (int r = 0; r < Rounds; r++)
                {
                    BufferBackends.Pin(waiter, d);
                    for (;;)
                    {
                        uint s = BufHdrLock.LockBufHdr(b, d);
                        if (BUF_STATE_GET_REFCOUNT(s) == 1)
                        {
                            BufHdrLock.UnlockBufHdr(b, d, s); // only our pin: the cleanup lock would be ours
                            break;
                        }
                        if ((s & BM_PIN_COUNT_WAITER) != 0) Interlocked.Increment(ref failures); // nobody else waits
                        BufferDescriptors.WriteWaitBackend(b.Memory, d, b.MyProcNumber);
                        waiter.PinCountWaitBuf = d;
                        BufHdrLock.UnlockBufHdr(b, d, s | BM_PIN_COUNT_WAITER);
                        Latch.ProcWaitForSignal(b);
                        Interlocked.Increment(ref sleeps);
                        waiter.PinCountWaitBuf = null;
                        // the waker cleared the flag before signalling
                        if ((BufferDescriptors.ReadState(b.Runtime, d) & BM_PIN_COUNT_WAITER) != 0) Interlocked.Increment(ref failures);
                    }
                    waiter.UnpinBuffer(d);
                }
            }
            catch (Exception e) when (e is AssertionFailureException or PgErrorException or PgFatalException) { errors.Enqueue(e.Message); }
        }));
        foreach (Thread th in threads) th.Start();
        foreach (Thread th in threads) Assert.True(th.Join(30_000));
        Assert.Empty(errors);
        Assert.Equal(0, failures);
        Assert.Empty(g.Check(final: true));
        Assert.Equal(0u, g.State(1) & ~BUF_USAGECOUNT_MASK);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Pins.Select(p => (SyncBackend?)p.Backend).ToArray(), final: true));
    }
}
