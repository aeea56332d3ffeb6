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
