using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimHeapTests
{
    private static SimHeap NewHeap(SimHeapOptions? o = null) => new(new SimMemory(), o);

    [Fact]
    public void SameCalls_GiveSameAddresses()
    {
        static List<ulong> Script()
        {
            var h = NewHeap();
            var got = new List<ulong>();
            ulong a = h.Malloc(100), b = h.Malloc(5000), c = h.Malloc(1);
            h.Free(b);
            got.AddRange([a, b, c, h.Malloc(5000), h.Realloc(a, 50), h.Malloc(200_000)]);
            return got;
        }
        Assert.Equal(Script(), Script());
    }

    [Fact]
    public void Pointers_AreSixteenAlignedWithGlibcShapedHeader()
    {
        var h = NewHeap();
        ulong small = h.Malloc(24);
        ulong big = h.Malloc(SimHeap.MmapThreshold);
        Assert.Equal(0UL, small % 16);
        Assert.Equal(0UL, big % 16);
        // The word before the pointer has low bits 0b001 (in use) or 0b010 (mmapped), so PostgreSQL's
        // method-id dispatch sees the reserved glibc ids 1 and 2.
        Assert.Equal(1UL, h.Memory.ReadU64(small - 8) & 0xF);
        Assert.Equal(2UL, h.Memory.ReadU64(big - 8) & 0xF);
    }

    [Fact]
    public void Counts_AreExact()
    {
        var h = NewHeap();
        ulong a = h.Malloc(10), b = h.Malloc(20);
        Assert.Equal(new HeapSnapshot(2, 30), h.Snapshot());
        b = h.Realloc(b, 100);
        Assert.Equal(new HeapSnapshot(2, 110), h.Snapshot());
        h.Free(a);
        h.Free(b);
        Assert.Equal(new HeapSnapshot(0, 0), h.Snapshot());
        Assert.Equal(3, h.Calls);
    }

    [Fact]
    public void FreeOfNonBlock_IsAFaultNotACrash()
    {
        var h = NewHeap();
        ulong a = h.Malloc(64);
        Assert.Throws<SimFaultException>(() => h.Free(a + 16));
        h.Free(a);
        var e = Assert.Throws<SimFaultException>(() => h.Free(a)); // double free
        Assert.Equal(SimAccess.HeapMisuse, e.Access);
        h.Free(0); // free(NULL) is legal
    }

    [Fact]
    public void ScriptedFailure_NthCall_Budget_Predicate()
    {
        var h = NewHeap(new SimHeapOptions { FailOnCall = 2 });
        Assert.NotEqual(0UL, h.Malloc(8));
        Assert.Equal(0UL, h.Malloc(8));
        Assert.NotEqual(0UL, h.Malloc(8));
        Assert.Equal(1, h.FailedCalls);

        var b = NewHeap(new SimHeapOptions { ByteBudget = 100 });
        ulong p = b.Malloc(60);
        Assert.Equal(0UL, b.Malloc(41));
        Assert.NotEqual(0UL, b.Malloc(40));
        Assert.Equal(0UL, b.Realloc(p, 61));   // a failed realloc leaves the block intact
        Assert.True(b.IsLive(p));

        var f = NewHeap(new SimHeapOptions { FailWhen = (call, size) => size > 1000 });
        Assert.Equal(0UL, f.Malloc(1001));
        Assert.NotEqual(0UL, f.Malloc(1000));
    }

    [Fact]
    public void Realloc_GrowsTopBlockInPlace_AndCanBeForcedToMove()
    {
        var h = NewHeap();
        ulong a = h.Malloc(16);
        h.Memory.WriteU64(a, 77);
        Assert.Equal(a, h.Realloc(a, 4096));
        var m = NewHeap(new SimHeapOptions { ForceReallocMove = true });
        ulong b = m.Malloc(16);
        m.Memory.WriteU64(b, 77);
        ulong moved = m.Realloc(b, 4096);
        Assert.NotEqual(b, moved);
        Assert.Equal(77UL, m.Memory.ReadU64(moved));
        Assert.False(m.IsLive(b));
    }

    [Fact]
    public void PoisonAndNeverReuse()
    {
        var h = NewHeap(new SimHeapOptions { PoisonOnFree = true, NeverReuse = true });
        ulong a = h.Malloc(32);
        ulong keep = h.Malloc(32);
        h.Free(a);
        Assert.Equal(SimHeap.PoisonByte, h.Memory.ReadU8(a));
        ulong b = h.Malloc(32);
        Assert.NotEqual(a, b);
        Assert.NotEqual(keep, b);
    }

    [Fact]
    public void FreedBlocks_AreReusedBySize()
    {
        var h = NewHeap();
        ulong a = h.Malloc(8192);
        ulong guard = h.Malloc(16);
        h.Free(a);
        Assert.Equal(a, h.Malloc(8192));
        Assert.NotEqual(0UL, guard);
    }
}
