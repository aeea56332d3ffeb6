// Tests of SimHeap.Reset (a reused heap behaves exactly like a new one: same addresses, zeroed
// memory, no stale live blocks or bins) and of the capacity-failure bookkeeping that lets an oracle
// tell "the heap really ran out" from a scripted failure.
using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimHeapResetTests
{
    // A script that grows, trims, reuses bins and reads fresh memory; returns what it observed.
    private static List<ulong> Script(SimHeap h)
    {
        SimMemory m = h.Memory;
        var got = new List<ulong>();
        ulong a = h.Malloc(100), b = h.Malloc(5000), c = h.Malloc(300_000);
        got.AddRange([a, b, c, m.ReadU64(c + 1000), m.ReadU64(b + 8)]);
        m.Fill(c, 300_000, 0xAB);
        h.Free(b);
        h.Free(c);                                  // the top block: the heap trims
        ulong d = h.Malloc(5000), e = h.Malloc(300_000);
        got.AddRange([d, e, m.ReadU64(e + 64), h.Realloc(a, 50), (ulong)h.OutstandingBlocks, h.OutstandingBytes, m.HeapSize]);
        return got;
    }

    [Fact]
    public void Reset_MakesAUsedHeapBehaveLikeANewOne()
    {
        var fresh = Script(new SimHeap(new SimMemory()));
        var reused = new SimHeap(new SimMemory());
        Script(reused);
        ulong leaked = reused.Malloc(777);          // a live block and a filled bin survive into Reset
        reused.Free(reused.Malloc(4096));
        reused.Memory.Fill(leaked, 777, 0xCD);
        reused.Reset();
        Assert.Equal(0, reused.OutstandingBlocks);
        Assert.Equal(0UL, reused.OutstandingBytes);
        Assert.Equal(0, reused.Calls);
        Assert.False(reused.IsLive(leaked));
        Assert.Equal(fresh, Script(reused));
    }

    [Fact]
    public void Reset_ClearsBytesOfATrimmedTailBeforeTheyAreMappedAgain()
    {
        var h = new SimHeap(new SimMemory());
        ulong big = h.Malloc(1 << 20);
        h.Memory.Fill(big, 1 << 20, 0x5A);
        h.Free(big);                                // trimmed: the bytes stay in the backing array
        h.Reset();
        ulong again = h.Malloc(1 << 20);
        Assert.Equal(big, again);
        Assert.True(h.Memory.ReadSpan(again, 1 << 20).IndexOfAnyExcept((byte)0) < 0, "a fresh heap reads zeros");
    }

    [Fact]
    public void Reset_ReplacesTheOptions()
    {
        var h = new SimHeap(new SimMemory(), new SimHeapOptions { FailOnCall = 1 });
        Assert.Equal(0UL, h.Malloc(16));
        h.Reset(new SimHeapOptions { FailOnCall = 2 });
        Assert.NotEqual(0UL, h.Malloc(16));
        Assert.Equal(0UL, h.Malloc(16));
        h.Reset();
        Assert.Equal(0, h.Options.FailOnCall);
    }

    [Fact]
    public void CapacityFailure_IsCountedApartFromScriptedOnes()
    {
        var h = new SimHeap(new SimMemory(heapMax: 1 << 20), new SimHeapOptions { FailOnCall = 2 });
        Assert.NotEqual(0UL, h.Malloc(600_000));
        Assert.Equal(0UL, h.Malloc(16));              // scripted
        Assert.Equal(1, h.FailedCalls);
        Assert.False(h.LastFailureWasCapacity);
        Assert.Equal(0UL, h.Malloc(600_000));         // does not fit below the 1 MiB maximum
        Assert.Equal(1, h.FailedCalls);
        Assert.Equal(1, h.CapacityFailedCalls);
        Assert.True(h.LastFailureWasCapacity);
        Assert.Equal(600_000UL, h.LastFailedSize);
        Assert.Equal(0UL, h.Malloc(2UL << 20));       // larger than the heap can ever be
        Assert.Equal(2, h.CapacityFailedCalls);
        ulong p = h.Malloc(100);
        Assert.Equal(0UL, h.Realloc(p, 900_000));     // the top block cannot grow past the maximum
        Assert.Equal(3, h.CapacityFailedCalls);
        Assert.True(h.IsLive(p));
        h.ResetCounters();
        Assert.Equal(0, h.CapacityFailedCalls);
        Assert.False(h.LastFailureWasCapacity);
    }

    [Fact]
    public void Reset_AfterManyBlocks_StillForgetsEveryLiveBlock()
    {
        var h = new SimHeap(new SimMemory());
        var live = new List<ulong>();
        for (int i = 0; i < 5000; i++) live.Add(h.Malloc(32));   // more than Reset tracks one by one
        h.Reset();
        foreach (ulong p in live) Assert.False(h.IsLive(p));
        Assert.Throws<SimFaultException>(() => h.Free(live[^1]));
    }
}
