// SimMemory's pinned heap base (invariant SM1: _heapBase is the address of the heap array's first
// byte, kept in step when the array is replaced) and NativeFill's long runs. Each test would fail if
// an access went through a stale base after growth, if the one-byte accessors' single compare let
// the byte at the top through, or if a long fill wrote outside its range.
using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimMemoryHeapBaseTests
{
    [Fact]
    public void Growth_ReplacesTheArray_AndEveryAccessorFollows()
    {
        var mem = new SimMemory(initialHeapCapacity: 64);
        mem.SetHeapTop(64);
        mem.WriteU8(SimMemory.HeapBase + 63, 0xA5);
        mem.WriteU64(SimMemory.HeapBase, 0x0102030405060708);
        mem.SetHeapTop(1 << 20);   // beyond capacity: a new pinned array
        Assert.Equal(1UL << 20, mem.HeapCapacity);
        Assert.Equal(0xA5, mem.ReadU8(SimMemory.HeapBase + 63));
        Assert.Equal(0x0102030405060708UL, mem.ReadU64(SimMemory.HeapBase));
        mem.WriteU8(SimMemory.HeapBase + (1 << 20) - 1, 0x3C);   // the last byte of the new array
        Assert.Equal(0x3CUL, mem.ReadU64(SimMemory.HeapBase + (1 << 20) - 8) >> 56);
        Assert.Equal(0x3C, mem.Span(SimMemory.HeapBase + (1 << 20) - 1, 1)[0]);
    }

    [Fact]
    public void OneByteAccess_AtTheTop_Faults()
    {
        var mem = new SimMemory();
        mem.SetHeapTop(32);
        mem.WriteU8(SimMemory.HeapBase + 31, 7);
        Assert.Equal(7, mem.ReadU8(SimMemory.HeapBase + 31));
        Assert.Throws<SimFaultException>(() => mem.ReadU8(SimMemory.HeapBase + 32));
        Assert.Throws<SimFaultException>(() => mem.WriteU8(SimMemory.HeapBase + 32, 1));
        Assert.Throws<SimFaultException>(() => mem.ReadU8(SimMemory.HeapBase - 1));
        Assert.Throws<SimFaultException>(() => mem.WriteU8(SimMemory.HeapBase - 1, 1));
    }

    [Theory]
    [InlineData(NativeFill.ShortRun - 1)]
    [InlineData(NativeFill.ShortRun)]
    [InlineData(70_000)]
    public void Fill_SetsExactlyItsRange(int length)
    {
        var mem = new SimMemory();
        ulong size = (ulong)length + 64;
        mem.SetHeapTop(size);
        mem.Fill(SimMemory.HeapBase, size, 0x11);
        mem.Fill(SimMemory.HeapBase + 32, (ulong)length, 0x7F);
        ReadOnlySpan<byte> all = mem.ReadSpan(SimMemory.HeapBase, size);
        for (int i = 0; i < all.Length; i++)
            Assert.Equal(i >= 32 && i < 32 + length ? 0x7F : 0x11, all[i]);
        // A fill that runs past the top faults and writes nothing.
        Assert.Throws<SimFaultException>(() => mem.Fill(SimMemory.HeapBase + 64, (ulong)length + 1, 0));
        Assert.Equal(0x7F, mem.ReadU8(SimMemory.HeapBase + 64));
    }
}
