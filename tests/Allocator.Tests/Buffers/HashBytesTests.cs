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
        var tag = new BufferTag(spc, db, rel, (ForkNumber)fork, block);
        uint h = tag.HashCode();
        Assert.Equal(hash, h);
        Assert.Equal(partition, h % 128);
        Assert.Equal(freelist, h % 32);
    }

    [Fact]
    public void ClearedTag_IsTheLastVector()
    {
        Assert.Equal(new BufferTag(0, 0, 0, ForkNumber.InvalidForkNumber, 0xFFFFFFFF), BufferTag.Cleared);
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
        var tag = new BufferTag(0x01020304, 0x05060708, 0x090A0B0C, ForkNumber.InvalidForkNumber, 0xDEADBEEF);
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

    // A second, deliberately different formulation of the byte-at-a-time tail (one case per
    // remaining length, falling through from 11 down to 1, as the reference describes it), to pin
    // tail lengths the 20-byte vectors never reach. Mixing and final are taken from the reference's
    // round tables, written as data.
    private static uint ReferenceHash(byte[] k)
    {
        uint a, b, c;
        a = b = c = 0x9E3779B9u + (uint)k.Length + 3923095u;
        int len = k.Length, p = 0;
        static uint Rot(uint x, int r) => (x << r) | (x >> (32 - r));
        void Mix()
        {
            var rounds = new (char X, char Y, char Z, int R)[] { ('a', 'c', 'b', 4), ('b', 'a', 'c', 6), ('c', 'b', 'a', 8), ('a', 'c', 'b', 16), ('b', 'a', 'c', 19), ('c', 'b', 'a', 4) };
            foreach (var (x, y, z, r) in rounds)
            {
                ref uint X = ref x == 'a' ? ref a : ref x == 'b' ? ref b : ref c;
                ref uint Y = ref y == 'a' ? ref a : ref y == 'b' ? ref b : ref c;
                ref uint Z = ref z == 'a' ? ref a : ref z == 'b' ? ref b : ref c;
                X = (X - Y) ^ Rot(Y, r);
                Y += Z;
            }
        }
        while (len >= 12)
        {
            a += BitConverter.ToUInt32(k, p); b += BitConverter.ToUInt32(k, p + 4); c += BitConverter.ToUInt32(k, p + 8);
            Mix();
            p += 12; len -= 12;
        }
        if (len >= 11) c += (uint)k[p + 10] << 24;
        if (len >= 10) c += (uint)k[p + 9] << 16;
        if (len >= 9) c += (uint)k[p + 8] << 8;
        if (len >= 8) b += (uint)k[p + 7] << 24;
        if (len >= 7) b += (uint)k[p + 6] << 16;
        if (len >= 6) b += (uint)k[p + 5] << 8;
        if (len >= 5) b += k[p + 4];
        if (len >= 4) a += (uint)k[p + 3] << 24;
        if (len >= 3) a += (uint)k[p + 2] << 16;
        if (len >= 2) a += (uint)k[p + 1] << 8;
        if (len >= 1) a += k[p];
        var fin = new (char X, char Y, int R)[] { ('c', 'b', 14), ('a', 'c', 11), ('b', 'a', 25), ('c', 'b', 16), ('a', 'c', 4), ('b', 'a', 14), ('c', 'b', 24) };
        foreach (var (x, y, r) in fin)
        {
            ref uint X = ref x == 'a' ? ref a : ref x == 'b' ? ref b : ref c;
            uint Y = y == 'a' ? a : y == 'b' ? b : c;
            X = (X ^ Y) - Rot(Y, r);
        }
        return c;
    }

    [Fact]
    public void EveryLengthUpTo40_MatchesTheCaseByCaseFormulation()
    {
        var rng = new Allocator.Common.Prng(20);
        for (int len = 0; len <= 40; len++)
        {
            var k = new byte[len];
            for (int i = 0; i < len; i++) k[i] = (byte)rng.Below(256);
            Assert.Equal(ReferenceHash(k), HashBytes.Hash(k));
        }
        // and the formulation itself reproduces a reference vector
        Assert.Equal(0x04B27039u, ReferenceHash(Key(new BufferTag(1663, 5, 16384, 0, 0))));
    }

    private static byte[] Key(BufferTag t)
    {
        var k = new byte[20];
        t.WriteTo(k);
        return k;
    }
}
