// SimMemory.CStrings: reading NUL-terminated C strings (context names, idents) out of simulated
// memory, with a small cache of recently decoded strings keyed by address and validated against
// the bytes on every read, so the result and any fault are exactly those of a byte-by-byte read.
using System.Text;
using Allocator.Common;

namespace Allocator.Sim;

public sealed partial class SimMemory
{
    private const int CStringCacheSize = 16;
    private readonly CStringCacheEntry[] _cstrings = new CStringCacheEntry[CStringCacheSize];

    private readonly record struct CStringCacheEntry(ulong Address, byte[]? Bytes, string? Text);

    /// <summary>Reads a NUL-terminated string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadCString(ulong address, int maxBytes = 1024)
    {
        if (address == 0) throw new SimFaultException(0, 1, SimAccess.Read);
        // Fast path: the whole window is mapped (the usual case: a name in static data or the heap);
        // otherwise byte by byte, so a string running into unmapped memory faults where it does.
        if (maxBytes > 0 && IsMapped(address, (ulong)maxBytes))
        {
            ReadOnlySpan<byte> window = ReadSpan(address, (ulong)maxBytes);
            int end = window.IndexOf((byte)0);
            if (end < 0) return Encoding.UTF8.GetString(window);
            // Context names are read on hot paths (walkers name their context up front): reuse the
            // string last decoded from these very bytes at this address instead of decoding again.
            ref CStringCacheEntry e = ref _cstrings[(int)(address >> 3) & (CStringCacheSize - 1)];
            ReadOnlySpan<byte> text = window[..end];
            if (e.Address == address && e.Bytes is not null && text.SequenceEqual(e.Bytes)) return e.Text!;
            string str = Encoding.UTF8.GetString(text);
            e = new CStringCacheEntry(address, text.ToArray(), str);
            return str;
        }
        var bytes = new List<byte>();
        for (int i = 0; i < maxBytes; i++)
        {
            byte b = ReadU8(address + (ulong)i);
            if (b == 0) break;
            bytes.Add(b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
