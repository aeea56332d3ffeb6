// Tests of Buffers/HashBytes.cs: hash_bytes against the reference's vectors (computed with the
// real implementation), the partition and freelist they select, and BufferTag's byte layout.
using Allocator.Buffers;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Buffers;

public class HashBytesTests
{
    public static TheoryData<uint, uint, uint, int, uint, uint, uint, uint> Vectors => new()
    {
        { 1663, 5, 16384, 0, 0, 0x04B27039, 57, 25 },
        { 1663, 5, 16384, 0, 1, 0x6E006662, 98, 2 },
        { 0, 0, 0, 0, 0, 0xEF26CB55, 85, 21 },
        { 1663, 1, 1259, 0, 0, 0xF21B122A, 42, 10 },
        { 0, 0, 0, -1, 0xFFFFFFFF, 0xC7726A92, 18, 18 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void BufferTagHash_MatchesPostgres(uint spc, uint db, uint rel, int fork, uint block, uint hash, uint partition, uint freelist)
    {
        var tag = new BufferTag(spc, db, rel, fork, block);
        uint h = tag.HashCode();
        Assert.Equal(hash, h);
        Assert.Equal(partition, h % 128);
        Assert.Equal(freelist, h % 32);
    }

    [Fact]
    public void ClearedTag_IsTheLastVector()
    {
        Assert.Equal(new BufferTag(0, 0, 0, -1, 0xFFFFFFFF), BufferTag.Cleared);
        Assert.Equal(0xC7726A92u, BufferTag.Cleared.HashCode());
    }

    [Fact]
    public void InitialState_ForA20ByteKey()
    {
        Assert.Equal(0x9E735664u, HashBytes.GoldenRatio + 20 + HashBytes.InitExtra);
    }

    [Fact]
    public void Tag_RoundTripsThroughSimulatedMemory_WithCLayout()
    {
        var mem = new SimMemory();
        ulong at = mem.MapRegion("t", 64).Base + 8;
        var tag = new BufferTag(0x01020304, 0x05060708, 0x090A0B0C, -1, 0xDEADBEEF);
        tag.Write(mem, at);
        Assert.Equal(tag, BufferTag.Read(mem, at));
        Assert.Equal(0x090A0B0Cu, mem.ReadU32(at + 8));
        Assert.Equal(0xFFFFFFFFu, mem.ReadU32(at + 12));
        Assert.Equal(tag.HashCode(), HashBytes.Hash(mem, at, BufferTag.Size));
        Assert.Equal(0UL, mem.ReadU64(at + 20) & 0xFFFFFFFF); // nothing written past 20 bytes
    }

    [Fact]
    public void TailBytes_FeedCFromItsSecondByte()
    {
        // An 11-byte key differs from a 12-byte key with the same prefix; and the 9th..11th bytes
        // matter (they are fed into c at byte positions 1..3).
        var k11 = new byte[11];
        var k11b = new byte[11];
        k11b[10] = 1;
        Assert.NotEqual(HashBytes.Hash(k11), HashBytes.Hash(k11b));
        Assert.NotEqual(HashBytes.Hash(k11), HashBytes.Hash(new byte[12]));
    }

    [Fact]
    public void HashUInt32_EqualsTheTailOnlyPathOfHashBytes()
    {
        // hash_bytes_uint32(k) is hash_bytes over the 4 little-endian bytes of k.
        foreach (uint k in new uint[] { 0, 1, 42, 0xFFFFFFFF, 0x80000000 })
            Assert.Equal(HashBytes.Hash(BitConverter.GetBytes(k)), HashBytes.HashUInt32(k));
    }
}
