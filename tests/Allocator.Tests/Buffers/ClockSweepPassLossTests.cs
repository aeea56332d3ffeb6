// The clock hand can lose a pass for good (PostgreSQL's ClockSweepTick, reproduced): backend A
// draws ticket NBuffers, so it must fold the hand, and is delayed; B ticks the hand to exactly
// 2*NBuffers (tickets NBuffers+1 .. 2*NBuffers-1, none of them a wrap ticket) and stops. A's fold
// then finds 2*NBuffers, replaces it by 0 and counts one pass: completePasses*N + nextVictimBuffer
// is NBuffers behind the ticks taken, and no later fold gives it back (spec F4 calls the
// regression transient; that is the case where a second wrap ticket is out, not this one). The
// buffers/clock-sweep scenario's oracle accounts for it (ticks - N * lost passes).
using Allocator.Buffers;
using Allocator.Sync;
using Xunit;

namespace Allocator.Tests.Buffers;

public sealed class ClockSweepPassLossTests
{
    [Fact]
    public void A_late_fold_at_exactly_two_laps_loses_a_pass_for_good()
    {
        var pool = new BufferPool(new BufferPoolOptions(4, 1024, 2));
        int n = pool.NBuffers;
        HookRuntime? hooked = null;
        BufMgr a = pool.Attach(0, mem => hooked = new HookRuntime(new ProductionSyncRuntime(mem, pool.Kernel, 1)));
        BufMgr b = pool.Attach(1);
        StrategyControl sc = pool.Strategy;
        int ticks = 0;
        void Tick(BufMgr x)
        {
            Freelist.ClockSweepTick(x.Backend, sc);
            ticks++;
        }
        long Position()
        {
            int result = Freelist.StrategySyncStart(b.Backend, sc, out uint passes, out _);
            return (long)passes * n + result;
        }

        for (int i = 0; i < n; i++) Tick(b);   // tickets 0..N-1
        bool fired = false;
        hooked!.AfterFetchAdd = (addr, old) =>
        {
            if (fired || addr != sc.NextVictimBufferAddr || old != (uint)n) return;
            fired = true;                       // A holds ticket N and has not folded
            for (int i = 0; i < n - 1; i++) Tick(b);
            Assert.Equal((uint)(2 * n), sc.NextVictimBuffer(pool.InitMemory));
            Assert.Equal(2L * n, Position()); // so far the position is the tick count
        };
        Tick(a);
        Assert.True(fired);

        // A's fold took two laps off the hand and counted one
        Assert.Equal(1u, sc.CompletePasses(pool.InitMemory));
        Assert.Equal(0u, sc.NextVictimBuffer(pool.InitMemory));
        Assert.Equal(ticks - n, Position());

        // nothing pending gives it back: the next laps fold normally and the gap stays
        for (int i = 0; i < 3 * n; i++) Tick(b);
        Assert.Equal(3u, sc.CompletePasses(pool.InitMemory)); // two more folds; the hand rests at N
        Assert.Equal(ticks - n, Position());
        Assert.Empty(FreelistCheck.Check(sc));
    }
}
