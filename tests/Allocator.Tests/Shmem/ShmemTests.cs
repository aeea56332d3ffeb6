// Tests of Shmem/Shmem.cs: cache-line rounding and bump allocation, the out-of-shared-memory
// ERROR and the NoError variant, and ShmemInitStruct's found / not found / wrong size / full index.
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Shmem;

public class ShmemTests
{
    private readonly SimMemory _mem = new();

    [Fact]
    public void Header_IsInitialised_AndTheIndexIsTheFirstAllocation()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        Assert.Equal(ShmemSegment.PGShmemMagic, _mem.ReadU32(seg.Base));
        Assert.Equal(64UL * 1024, seg.TotalSize);
        Assert.Equal(seg.Base + 128, seg.IndexAddr);
        ulong indexBytes = ShmemSegment.CacheLineAlign(8 + 64 * ShmemSegment.IndexEntSize);
        Assert.Equal(128 + indexBytes, seg.FreeOffset);
        Assert.Equal(0, seg.IndexCount);
    }

    [Fact]
    public void ShmemAlloc_RoundsToACacheLine_AndBumps()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        ulong a = seg.ShmemAlloc(1);
        ulong b = seg.ShmemAlloc(129);
        ulong c = seg.ShmemAlloc(128);
        Assert.Equal(0UL, a % 128);
        Assert.Equal(a + 128, b);
        Assert.Equal(b + 256, c);
        Assert.Equal(c + 128 - seg.Base, seg.FreeOffset);
        Assert.True(seg.ShmemAddrIsValid(c));
        Assert.False(seg.ShmemAddrIsValid(seg.Base + seg.TotalSize));
    }

    [Fact]
    public void ShmemAlloc_WhenFull_RaisesOutOfSharedMemory_AndLeavesTheOffset()
    {
        var seg = new ShmemSegment(_mem, 8 * 1024);
        ulong left = seg.TotalSize - seg.FreeOffset;
        ulong before = seg.FreeOffset;
        var e = Assert.Throws<PgErrorException>(() => seg.ShmemAlloc(left + 1));
        Assert.Equal($"out of shared memory ({left + 1} bytes requested)", e.Message);
        Assert.Equal(before, seg.FreeOffset);
        Assert.Equal(0UL, seg.ShmemAllocNoError(left + 1));
        Assert.NotEqual(0UL, seg.ShmemAllocNoError(left));
        Assert.Equal(seg.TotalSize, seg.FreeOffset);
        Assert.Equal(0UL, seg.ShmemAllocNoError(1));
        Assert.Throws<PgErrorException>(() => seg.ShmemAlloc(ulong.MaxValue - 1000));
    }

    [Fact]
    public void ShmemInitStruct_CreatesThenFinds()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        ulong a = seg.ShmemInitStruct("Buffer Descriptors", 1000, out bool found);
        Assert.False(found);
        _mem.WriteU32(a, 0xABCD);
        ulong b = seg.ShmemInitStruct("Buffer Descriptors", 1000, out found);
        Assert.True(found);
        Assert.Equal(a, b);
        Assert.Equal(0xABCDu, _mem.ReadU32(b));
        ulong c = seg.ShmemInitStruct("Buffer Blocks", 10, out found);
        Assert.False(found);
        Assert.Equal(a + 1024, c);
        var all = seg.Allocations().ToList();
        Assert.Equal(("Buffer Descriptors", a, 1000UL, 1024UL), all[0]);
        Assert.Equal(("Buffer Blocks", c, 10UL, 128UL), all[1]);
    }

    [Fact]
    public void ShmemInitStruct_WrongSize_Errors()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        seg.ShmemInitStruct("x", 100, out _);
        var e = Assert.Throws<PgErrorException>(() => seg.ShmemInitStruct("x", 200, out _));
        Assert.Equal("ShmemIndex entry size is wrong for data structure \"x\": expected 200, actual 100", e.Message);
    }

    [Fact]
    public void ShmemInitStruct_NotEnoughMemory_Errors_WithoutAnEntry()
    {
        var seg = new ShmemSegment(_mem, 16 * 1024);
        var e = Assert.Throws<PgErrorException>(() => seg.ShmemInitStruct("big", 1 << 20, out _));
        Assert.Equal("not enough shared memory for data structure \"big\" (1048576 bytes requested)", e.Message);
        Assert.Equal(0, seg.IndexCount);
    }

    [Fact]
    public void ShmemInitStruct_FullIndex_Errors_AndLongNamesAreTruncated()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        for (int i = 0; i < ShmemSegment.SHMEM_INDEX_SIZE; i++) seg.ShmemInitStruct($"s{i}", 8, out _);
        var e = Assert.Throws<PgErrorException>(() => seg.ShmemInitStruct("one more", 8, out _));
        Assert.Equal("could not create ShmemIndex entry for data structure \"one more\"", e.Message);

        var seg2 = new ShmemSegment(new SimMemory(), 64 * 1024);
        string longName = new string('n', 47) + "A";
        ulong a = seg2.ShmemInitStruct(longName, 8, out _);
        ulong b = seg2.ShmemInitStruct(new string('n', 47) + "B", 8, out bool found);
        Assert.True(found);
        Assert.Equal(a, b);
    }

    [Fact]
    public void AnotherBackend_SeesTheSameBytes_AtTheSameAddress()
    {
        var seg = new ShmemSegment(_mem, 64 * 1024);
        ulong a = seg.ShmemInitStruct("shared", 8, out _);
        var other = new SimMemory();
        seg.AttachTo(other);
        _mem.WriteU64(a, 77);
        Assert.Equal(77UL, other.ReadU64(a));
    }
}
