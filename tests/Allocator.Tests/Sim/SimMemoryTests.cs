using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimMemoryTests
{
    [Fact]
    public void NullNeighbourhood_Faults()
    {
        var mem = new SimMemory();
        var e = Assert.Throws<SimFaultException>(() => mem.ReadU64(0));
        Assert.Equal(0UL, e.Address);
        Assert.Throws<SimFaultException>(() => mem.ReadU64(unchecked(0UL - 8)));
        Assert.Throws<SimFaultException>(() => mem.WriteU8(4096, 1));
    }

    [Fact]
    public void Heap_IsMappedOnlyUpToItsTop()
    {
        var mem = new SimMemory();
        Assert.Throws<SimFaultException>(() => mem.ReadU8(SimMemory.HeapBase));
        Assert.True(mem.SetHeapTop(64));
        mem.WriteU64(SimMemory.HeapBase + 56, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, mem.ReadU64(SimMemory.HeapBase + 56));
        // An 8-byte access that straddles the top faults even though its first byte is mapped.
        var e = Assert.Throws<SimFaultException>(() => mem.ReadU64(SimMemory.HeapBase + 60));
        Assert.Equal(SimAccess.Read, e.Access);
        Assert.Throws<SimFaultException>(() => mem.WriteU64(SimMemory.HeapBase + 64, 1));
    }

    [Fact]
    public void Heap_GrowthKeepsContents_TrimUnmaps()
    {
        var mem = new SimMemory(initialHeapCapacity: 16);
        mem.SetHeapTop(16);
        Assert.Equal(0UL, mem.ReadU64(SimMemory.HeapBase + 8)); // never-mapped memory reads as zero
        mem.WriteU64(SimMemory.HeapBase, 42);
        mem.SetHeapTop(1 << 20);
        Assert.Equal(42UL, mem.ReadU64(SimMemory.HeapBase));
        mem.WriteU8(SimMemory.HeapBase + 100, 9);
        mem.SetHeapTop(50);
        Assert.Throws<SimFaultException>(() => mem.ReadU8(SimMemory.HeapBase + 100));
        mem.SetHeapTop(200);
        Assert.Equal(9, mem.ReadU8(SimMemory.HeapBase + 100)); // remapped memory keeps its old bytes
    }

    [Fact]
    public void InternString_IsStableAndReadable()
    {
        var mem = new SimMemory();
        ulong a = mem.InternString("TopMemoryContext");
        ulong b = mem.InternString("ErrorContext");
        Assert.Equal(a, mem.InternString("TopMemoryContext"));
        Assert.NotEqual(a, b);
        Assert.Equal("TopMemoryContext", mem.ReadCString(a));
        Assert.Equal("ErrorContext", mem.ReadCString(b));
    }

    [Fact]
    public void SharedRegion_IsVisibleAtDifferentBases()
    {
        var backing = new byte[4096];
        var one = new SimMemory();
        var two = new SimMemory();
        SimRegion r1 = one.MapRegion("shmem", backing, null);
        SimRegion r2 = two.MapRegion("shmem", backing, SimMemory.RegionBase + (5UL << 30));
        one.WriteU32(r1.Base + 8, 0xCAFEBABE);
        Assert.Equal(0xCAFEBABEu, two.ReadU32(r2.Base + 8));
        Interlocked.Increment(ref one.AtomicRef32(r1.Base + 8));
        Assert.Equal(0xCAFEBABFu, two.ReadU32(r2.Base + 8));
        Assert.Throws<SimFaultException>(() => one.ReadU8(r1.End));
        one.UnmapRegion(r1);
        Assert.Throws<SimFaultException>(() => one.ReadU8(r1.Base));
    }

    [Fact]
    public void Copy_HandlesOverlap()
    {
        var mem = new SimMemory();
        mem.SetHeapTop(64);
        for (int i = 0; i < 16; i++) mem.WriteU8(SimMemory.HeapBase + (ulong)i, (byte)i);
        mem.Copy(SimMemory.HeapBase + 4, SimMemory.HeapBase, 8);
        for (int i = 0; i < 8; i++) Assert.Equal((byte)i, mem.ReadU8(SimMemory.HeapBase + 4 + (ulong)i));
    }
}
