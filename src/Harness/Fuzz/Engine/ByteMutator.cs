// ByteMutator: AFL/libFuzzer-style byte-level mutations, stacked "havoc" style: bit flips, random
// bytes, interesting 8/16/32-bit values, small arithmetic, block deletion, insertion, duplication
// and overwrite, dictionary tokens, and splicing with another corpus input. Every choice comes
// from the Prng it is given, so a mutation sequence is fixed by the engine's seed.
using System.Buffers.Binary;
using Allocator.Common;

namespace Harness.Fuzz.Engine;

public sealed class ByteMutator
{
    // AFL's interesting values (config.h INTERESTING_8/16/32), as signed integers.
    private static readonly sbyte[] s_interesting8 = [-128, -1, 0, 1, 16, 32, 64, 100, 127];
    private static readonly short[] s_interesting16 = [-32768, -129, 128, 255, 256, 512, 1000, 1024, 4096, 32767];
    private static readonly int[] s_interesting32 = [int.MinValue, -100663046, -32769, 32768, 65535, 65536, 100663045, int.MaxValue];

    private const int Kinds = 14;
    private readonly IReadOnlyList<byte[]> _dictionary;

    public ByteMutator(IReadOnlyList<byte[]>? dictionary = null)
    {
        _dictionary = dictionary ?? Array.Empty<byte[]>();
    }

    /// <summary>Applies 1, 2, 4, 8 or 16 stacked mutations; returns a new array of at most maxLength bytes.</summary>
    public byte[] Havoc(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other, Prng rng, int maxLength)
    {
        var buf = new List<byte>(input.Length + 16);
        foreach (byte b in input) buf.Add(b);
        int stack = 1 << rng.Index(5);
        for (int i = 0; i < stack; i++) MutateOnce(buf, other, rng, maxLength);
        if (buf.Count > maxLength) buf.RemoveRange(maxLength, buf.Count - maxLength);
        return buf.ToArray();
    }

    private void MutateOnce(List<byte> buf, ReadOnlySpan<byte> other, Prng rng, int maxLength)
    {
        int kind = rng.Index(Kinds);
        if (buf.Count == 0 && kind < 9) kind = 9; // nothing to edit in place: insert instead
        switch (kind)
        {
            case 0: // flip one bit
            {
                int bit = rng.Index(buf.Count * 8);
                buf[bit >> 3] ^= (byte)(1 << (bit & 7));
                break;
            }
            case 1: // random byte
                buf[rng.Index(buf.Count)] = (byte)rng.NextU32();
                break;
            case 2: // interesting byte
                buf[rng.Index(buf.Count)] = (byte)s_interesting8[rng.Index(s_interesting8.Length)];
                break;
            case 3: // interesting 16-bit, either endianness
                WriteValue(buf, rng, 2, (ulong)(ushort)s_interesting16[rng.Index(s_interesting16.Length)]);
                break;
            case 4: // interesting 32-bit
                WriteValue(buf, rng, 4, (uint)s_interesting32[rng.Index(s_interesting32.Length)]);
                break;
            case 5: // byte += / -= 1..35
            {
                int at = rng.Index(buf.Count);
                int delta = 1 + rng.Index(35);
                buf[at] = (byte)(rng.NextBool() ? buf[at] + delta : buf[at] - delta);
                break;
            }
            case 6: // 16-bit little-endian += / -= 1..35
            {
                if (buf.Count < 2) goto case 5;
                int at = rng.Index(buf.Count - 1);
                ushort v = (ushort)(buf[at] | buf[at + 1] << 8);
                int delta = 1 + rng.Index(35);
                v = (ushort)(rng.NextBool() ? v + delta : v - delta);
                buf[at] = (byte)v;
                buf[at + 1] = (byte)(v >> 8);
                break;
            }
            case 7: // delete a block
            {
                int len = 1 + rng.Index(Math.Min(buf.Count, 32));
                buf.RemoveRange(rng.Index(buf.Count - len + 1), len);
                break;
            }
            case 8: // overwrite a block with a copy of another part
            {
                int len = 1 + rng.Index(Math.Min(buf.Count, 32));
                int from = rng.Index(buf.Count - len + 1), to = rng.Index(buf.Count - len + 1);
                byte[] tmp = buf.GetRange(from, len).ToArray();
                for (int i = 0; i < len; i++) buf[to + i] = tmp[i];
                break;
            }
            case 9: // insert random bytes
            {
                int len = 1 + rng.Index(8);
                if (buf.Count + len > maxLength) break;
                int at = rng.Index(buf.Count + 1);
                for (int i = 0; i < len; i++) buf.Insert(at, (byte)rng.NextU32());
                break;
            }
            case 10: // duplicate a block in place
            {
                if (buf.Count == 0) goto case 9;
                int len = 1 + rng.Index(Math.Min(buf.Count, 32));
                if (buf.Count + len > maxLength) break;
                int from = rng.Index(buf.Count - len + 1);
                buf.InsertRange(rng.Index(buf.Count + 1), buf.GetRange(from, len));
                break;
            }
            case 11: // insert a dictionary token
            case 12: // overwrite with a dictionary token
            {
                if (_dictionary.Count == 0) goto case 9;
                byte[] token = _dictionary[rng.Index(_dictionary.Count)];
                if (kind == 12 && buf.Count >= token.Length)
                {
                    int at = rng.Index(buf.Count - token.Length + 1);
                    for (int i = 0; i < token.Length; i++) buf[at + i] = token[i];
                }
                else if (buf.Count + token.Length <= maxLength)
                {
                    buf.InsertRange(rng.Index(buf.Count + 1), token);
                }
                break;
            }
            default: // splice: our prefix, the other input's suffix
            {
                if (other.Length == 0) goto case 9;
                int cut = rng.Index(buf.Count + 1);
                int otherCut = rng.Index(other.Length);
                buf.RemoveRange(cut, buf.Count - cut);
                for (int i = otherCut; i < other.Length && buf.Count < maxLength; i++) buf.Add(other[i]);
                break;
            }
        }
    }

    private static void WriteValue(List<byte> buf, Prng rng, int width, ulong value)
    {
        if (buf.Count < width)
        {
            buf[rng.Index(buf.Count)] = (byte)value;
            return;
        }
        Span<byte> tmp = stackalloc byte[8];
        if (rng.NextBool()) BinaryPrimitives.WriteUInt64LittleEndian(tmp, value);
        else BinaryPrimitives.WriteUInt64BigEndian(tmp, value << (64 - width * 8));
        int at = rng.Index(buf.Count - width + 1);
        for (int i = 0; i < width; i++) buf[at + i] = tmp[i];
    }
}
