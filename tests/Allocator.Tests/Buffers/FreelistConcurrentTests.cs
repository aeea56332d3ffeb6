// Real threads on the production runtime: backends take victims with StrategyGetBuffer (half of
// them through a ring), pin them with PinBuffer_Locked, sometimes give them back with
// StrategyFreeBuffer, and unpin; meanwhile they pin random buffers (raising usage counts for the
// sweep to decay) and one of them plays bgwriter with StrategySyncStart / StrategyNotifyBgWriter.
// A victim must be unpinned when handed out and held by nobody else while its taker pins it; the
// allocation counter must account for every non-ring victim; the checks must be clean at the end.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class FreelistConcurrentTests
{
    [Theory]
    [InlineData(2, 4000)]
    [InlineData(4, 2500)]
    public void Backends_TakeAndReturnVictims_AndEndClean(int threadsCount, int opsPerThread)
    {
        const int N = 16;
        var g = new BufferBackends(threadsCount, N);
        var owner = new int[N];
        int failures = 0;
        long nonRingGets = 0, syncedAllocs = 0, latchSets = 0;
        g.Strategy.SetLatch = _ => Interlocked.Increment(ref latchSets);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var rings = new BufferAccessStrategy?[threadsCount];
        for (int t = 0; t < threadsCount; t++)
            rings[t] = t % 2 == 1 ? BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Descs, 8192) : null;
        var threads = new Thread[threadsCount];
        using var start = new Barrier(threadsCount);
        for (int t = 0; t < threadsCount; t++)
        {
            int me = t;
            BufferPins p = g.Pins[t];
            BufferAccessStrategy? ring = rings[t];
            var rng = new Prng(4242 + (ulong)t);
            threads[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        switch (rng.Index(6))
                        {
                            case 0:
                            case 1:
                            case 2:
                            {
                                p.ReservePrivateRefCountEntry();
                                BufferDesc d = Freelist.StrategyGetBuffer(p.Backend, g.Strategy, ring, out uint s, out bool fromRing);
                                if (!fromRing) Interlocked.Increment(ref nonRingGets);
                                if (BUF_STATE_GET_REFCOUNT(s) != 0 || BUF_STATE_GET_USAGECOUNT(s) > (fromRing ? 1u : 0u))
                                    Interlocked.Increment(ref failures); // F3
                                p.PinBuffer_Locked(d);
                                int id = g.Descs.BufIdOf(d);
                                if (Interlocked.CompareExchange(ref owner[id], me + 1, 0) != 0)
                                    Interlocked.Increment(ref failures); // someone else's victim too
                                Thread.SpinWait(rng.Index(30));
                                Volatile.Write(ref owner[id], 0);
                                if (rng.Index(3) == 0) Freelist.StrategyFreeBuffer(p.Backend, g.Strategy, d);
                                p.UnpinBuffer(d);
                                break;
                            }
                            case 3:
                            case 4:
                            {
                                BufferDesc d = g.Descs.GetBufferDescriptor(rng.Index(N));
                                BufferBackends.Pin(p, d);
                                p.UnpinBuffer(d);
                                break;
                            }
                            default:
                                if (me == 0)
                                {
                                    int pos = Freelist.StrategySyncStart(p.Backend, g.Strategy, out _, out uint allocs);
                                    if (pos < 0 || pos >= N) Interlocked.Increment(ref failures);
                                    syncedAllocs += allocs;
                                    Freelist.StrategyNotifyBgWriter(p.Backend, g.Strategy, rng.Index(2) == 0 ? 0 : -1);
                                }
                                else
                                {
                                    Freelist.StrategyFreeBuffer(p.Backend, g.Strategy, g.Descs.GetBufferDescriptor(rng.Index(N)));
                                }
                                break;
                        }
                    }
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
        Assert.Equal(nonRingGets, syncedAllocs + g.Strategy.NumBufferAllocs(g.Descs.InitMemory));
        Assert.Empty(g.CheckAll(final: true, rings: rings));
        Assert.Equal(0, g.Elog.WarningCount);
        Assert.Empty(LWLockCheck.Check(g.Segment, g.Pins.Select(p => (SyncBackend?)p.Backend).ToArray(), final: true));
    }
}
