// RelPtr: relative pointers (PostgreSQL's src/include/utils/relptr.h: relptr_store, relptr_access,
// relptr_offset, relptr_is_null, relptr_copy) on the simulated address space.
//
// A relptr is one machine word holding (address - base + 1); 0 is NULL, so a pointer to the base
// itself stays distinct from NULL (the +1 encoding of 7201cd1862). The base is wherever the current
// backend maps the segment, which is what lets two backends share structures mapped at different
// addresses. The word is 8 bytes in the 64-bit profile and 4 in the 32-bit one (relptr.h declares a
// union of a pointer and a Size, so it is as wide as both); a 4-byte store keeps the low 32 bits,
// as the C assignment would.
//
// Divergence: none in the encoding. Addresses here are ulong simulated addresses, 0 being NULL.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Dsa;

public readonly struct RelPtr
{
    /// <summary>Width of a stored relptr (and of Size) in bytes: 8 or 4.</summary>
    public readonly int Width;

    public RelPtr(int width)
    {
        if (width != 8 && width != 4) throw new ArgumentOutOfRangeException(nameof(width), "a relptr is 4 or 8 bytes");
        Width = width;
    }

    private ulong Mask => Width == 8 ? ulong.MaxValue : uint.MaxValue;

    /// <summary>relptr_store_eval: the stored word for pointer <paramref name="p"/> (0 for NULL).</summary>
    public ulong Encode(ulong @base, ulong p)
    {
        if (p == 0) return 0;
        Pg.Assert(p >= @base, "val > base");
        return (p - @base + 1) & Mask;
    }

    /// <summary>relptr_access: the address a stored word designates, or 0 (NULL).</summary>
    public static ulong Decode(ulong @base, ulong rp) => rp == 0 ? 0 : @base + rp - 1;

    /// <summary>relptr_offset: the offset from the base (wraps for NULL, as in C).</summary>
    public ulong Offset(ulong rp) => (rp - 1) & Mask;

    /// <summary>The raw stored word at <paramref name="at"/> (relptr_copy reads this).</summary>
    public ulong Read(SimMemory m, ulong at) => Width == 8 ? m.ReadU64(at) : m.ReadU32(at);

    /// <summary>Writes a raw word (relptr_copy writes this).</summary>
    public void Write(SimMemory m, ulong at, ulong raw)
    {
        if (Width == 8) m.WriteU64(at, raw);
        else m.WriteU32(at, (uint)raw);
    }

    /// <summary>relptr_access of the word at <paramref name="at"/>.</summary>
    public ulong Access(SimMemory m, ulong @base, ulong at) => Decode(@base, Read(m, at));

    /// <summary>relptr_store of <paramref name="p"/> into the word at <paramref name="at"/>.</summary>
    public void Store(SimMemory m, ulong @base, ulong at, ulong p) => Write(m, at, Encode(@base, p));

    public bool IsNull(SimMemory m, ulong at) => Read(m, at) == 0;
}
