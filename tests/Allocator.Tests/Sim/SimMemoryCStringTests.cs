// SimMemoryCStringTests: ReadCString's cache never changes what a read returns or where it faults.
using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimMemoryCStringTests
{
    private const ulong B = SimMemory.HeapBase;

    [Fact]
    public void ChangedBytes_AreReadAgain()
    {
        var mem = new SimMemory();
        mem.SetHeapTop(4096);
        mem.WriteBytes(B + 64, "alpha\0"u8);
        Assert.Equal("alpha", mem.ReadCString(B + 64));
        Assert.Equal("alpha", mem.ReadCString(B + 64));   // cached
        mem.WriteU8(B + 66, (byte)'P');
        Assert.Equal("alPha", mem.ReadCString(B + 64));
        mem.WriteU8(B + 67, 0);
        Assert.Equal("alP", mem.ReadCString(B + 64));
        mem.WriteBytes(B + 67, "haBET\0"u8);
        Assert.Equal("alPhaBET", mem.ReadCString(B + 64));
        Assert.Equal("Pha", mem.ReadCString(B + 66, 3));   // clipped at maxBytes
    }

    [Fact]
    public void StringRunningIntoUnmappedMemory_StillFaults()
    {
        var mem = new SimMemory();
        mem.SetHeapTop(128);
        mem.Fill(B + 120, 8, (byte)'x');
        Assert.Throws<SimFaultException>(() => mem.ReadCString(B + 120));
        mem.WriteU8(B + 127, 0);
        Assert.Equal("xxxxxxx", mem.ReadCString(B + 120));
        mem.WriteU8(B + 127, (byte)'x');
        Assert.Throws<SimFaultException>(() => mem.ReadCString(B + 120));
    }
}
