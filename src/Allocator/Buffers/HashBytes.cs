// HashBytes: PostgreSQL's hash_bytes and hash_bytes_uint32 (src/common/hashfn.c, Bob Jenkins'
// lookup3 with PostgreSQL's initial value), and BufferTag, the 20-byte key of the buffer mapping
// table, which dynahash hashes as raw bytes with hash_bytes.
//
// hashfn.c has two loops, a word-at-a-time one for 4-byte-aligned keys and a byte-at-a-time one;
// on a little-endian host they compute the same value (the word path's tail masks place the same
// bytes at the same positions), so one implementation over a byte span stands for both. A
// BufferTag is int-aligned in every struct that holds it, so PostgreSQL takes the word path for it:
// one 12-byte block (spcOid, dbOid, relNumber), then a tail of exactly two words (a += forkNum,
// b += blockNum), then final.
//
// The tail rule that matters: of the last partial block, bytes 0..3 go to a, 4..7 to b and 8..10
// to c shifted up one byte (c's low byte is reserved for the length in the original lookup3 and
// PostgreSQL leaves it unfed). Nothing is added for a tail of length 0, but final always runs.
using System.Buffers.Binary;
using System.Numerics;
using Allocator.Sim;

namespace Allocator.Buffers;

public static class HashBytes
{
    /// <summary>lookup3's golden-ratio constant; PostgreSQL adds len and 3923095 to it.</summary>
    public const uint GoldenRatio = 0x9E3779B9;
    /// <summary>The extra constant PostgreSQL adds to the initial state.</summary>
    public const uint InitExtra = 3923095;

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }

    /// <summary>hash_bytes(k, keylen) as on a little-endian host.</summary>
    public static uint Hash(ReadOnlySpan<byte> key)
    {
        uint len = (uint)key.Length;
        uint a, b, c;
        a = b = c = GoldenRatio + len + InitExtra;
        ReadOnlySpan<byte> k = key;
        while (k.Length >= 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(k);
            b += BinaryPrimitives.ReadUInt32LittleEndian(k[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(k[8..]);
            Mix(ref a, ref b, ref c);
            k = k[12..];
        }
        // Tail: byte i (0..10) lands in word i/4 at byte position i%4, except that c's bytes are
        // shifted up by one position.
        for (int i = 0; i < k.Length; i++)
        {
            uint v = k[i];
            if (i < 4) a += v << (8 * i);
            else if (i < 8) b += v << (8 * (i - 4));
            else c += v << (8 * (i - 8 + 1));
        }
        Final(ref a, ref b, ref c);
        return c;
    }

    /// <summary>hash_bytes of <paramref name="len"/> bytes of simulated memory.</summary>
    public static uint Hash(SimMemory mem, ulong address, ulong len) => Hash(mem.ReadSpan(address, len));

    /// <summary>hash_bytes_uint32(k): the 4-byte key hashed without the block loop.</summary>
    public static uint HashUInt32(uint k)
    {
        uint a, b, c;
        a = b = c = GoldenRatio + 4 + InitExtra;
        a += k;
        Final(ref a, ref b, ref c);
        return c;
    }
}

/// <summary>BufferTag: five 32-bit fields, 20 bytes, no padding, hashed and compared as raw bytes.
/// Offsets: spcOid +0, dbOid +4, relNumber +8, forkNum +12 (signed), blockNum +16.</summary>
public readonly record struct BufferTag(uint SpcOid, uint DbOid, uint RelNumber, int ForkNum, uint BlockNum)
{
    public const ulong Size = 20;
    public const ulong OffSpcOid = 0;
    public const ulong OffDbOid = 4;
    public const ulong OffRelNumber = 8;
    public const ulong OffForkNum = 12;
    public const ulong OffBlockNum = 16;

    /// <summary>InvalidForkNumber.</summary>
    public const int InvalidForkNumber = -1;
    /// <summary>InvalidBlockNumber (also P_NEW).</summary>
    public const uint InvalidBlockNumber = 0xFFFFFFFF;

    /// <summary>CLEAR_BUFFERTAG's value: zero relation, InvalidForkNumber, InvalidBlockNumber.</summary>
    public static BufferTag Cleared => new(0, 0, 0, InvalidForkNumber, InvalidBlockNumber);

    /// <summary>Same relation (spc, db, relNumber), fork and block ignored.</summary>
    public bool MatchesRelation(in BufferTag other) =>
        SpcOid == other.SpcOid && DbOid == other.DbOid && RelNumber == other.RelNumber;

    /// <summary>The tag's 20 bytes, little-endian, as C lays the struct out.</summary>
    public void WriteTo(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dst, SpcOid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], DbOid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], RelNumber);
        BinaryPrimitives.WriteInt32LittleEndian(dst[12..], ForkNum);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], BlockNum);
    }

    public static BufferTag ReadFrom(ReadOnlySpan<byte> src) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(src),
        BinaryPrimitives.ReadUInt32LittleEndian(src[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(src[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(src[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(src[16..]));

    /// <summary>Stores the tag at <paramref name="address"/> in simulated memory.</summary>
    public void Write(SimMemory mem, ulong address)
    {
        mem.WriteU32(address + OffSpcOid, SpcOid);
        mem.WriteU32(address + OffDbOid, DbOid);
        mem.WriteU32(address + OffRelNumber, RelNumber);
        mem.WriteU32(address + OffForkNum, unchecked((uint)ForkNum));
        mem.WriteU32(address + OffBlockNum, BlockNum);
    }

    /// <summary>Loads a tag from <paramref name="address"/> in simulated memory.</summary>
    public static BufferTag Read(SimMemory mem, ulong address) => new(
        mem.ReadU32(address + OffSpcOid),
        mem.ReadU32(address + OffDbOid),
        mem.ReadU32(address + OffRelNumber),
        unchecked((int)mem.ReadU32(address + OffForkNum)),
        mem.ReadU32(address + OffBlockNum));

    /// <summary>BufTableHashCode: hash_bytes over the tag's 20 bytes.</summary>
    public uint HashCode()
    {
        Span<byte> bytes = stackalloc byte[(int)Size];
        WriteTo(bytes);
        return HashBytes.Hash(bytes);
    }
}
