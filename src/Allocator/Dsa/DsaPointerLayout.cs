// DsaPointerLayout: dsa.h / dsa.c's dsa_pointer encoding (PostgreSQL 17): a pointer is a segment
// number in the high bits and a byte offset within that segment in the low DSA_OFFSET_WIDTH bits,
// so it means the same thing in every backend although each maps the segment at its own address.
// Two widths, as in C: SIZEOF_DSA_POINTER 8 (the normal build: 40 offset bits, 1024 segments of up
// to 1 TiB) and 4 (size_t of 32 bits, no 64-bit atomics, or USE_SMALL_DSA_POINTER: 27 offset bits,
// 32 segments of up to 128 MiB). The width also sizes dsa_area_span (four dsa_pointers, a size_t
// and six uint16s), which is size class 0.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;

namespace Allocator.Dsa;

public sealed class DsaPointerLayout
{
    /// <summary>The normal 64-bit build.</summary>
    public static DsaPointerLayout Wide { get; } = new(8);

    /// <summary>USE_SMALL_DSA_POINTER (or a 32-bit size_t / no 64-bit atomics).</summary>
    public static DsaPointerLayout Small { get; } = new(4);

    /// <summary>InvalidDsaPointer.</summary>
    public const ulong InvalidDsaPointer = 0;

    public int SIZEOF_DSA_POINTER { get; }

    /// <summary>DSA_OFFSET_WIDTH: 40, or 27 for 4-byte pointers.</summary>
    public int DSA_OFFSET_WIDTH { get; }

    /// <summary>DSA_MAX_SEGMENTS = Min(1024, 1 &lt;&lt; (pointer bits - offset bits)).</summary>
    public int DSA_MAX_SEGMENTS { get; }

    /// <summary>DSA_OFFSET_BITMASK.</summary>
    public ulong DSA_OFFSET_BITMASK { get; }

    /// <summary>DSA_MAX_SEGMENT_SIZE = 1 &lt;&lt; DSA_OFFSET_WIDTH.</summary>
    public ulong DSA_MAX_SEGMENT_SIZE { get; }

    /// <summary>sizeof(dsa_area_span) on a 64-bit build: pool, prevspan, nextspan, start
    /// (dsa_pointers), npages (size_t, 8-aligned), then six uint16s, rounded up to 8.</summary>
    public int SizeOfSpan { get; }

    private DsaPointerLayout(int sizeofPointer)
    {
        SIZEOF_DSA_POINTER = sizeofPointer;
        DSA_OFFSET_WIDTH = sizeofPointer == 8 ? 40 : 27;
        DSA_MAX_SEGMENTS = Math.Min(1024, 1 << (sizeofPointer * 8 - DSA_OFFSET_WIDTH));
        DSA_OFFSET_BITMASK = (1UL << DSA_OFFSET_WIDTH) - 1;
        DSA_MAX_SEGMENT_SIZE = 1UL << DSA_OFFSET_WIDTH;
        int npagesAt = Align(4 * sizeofPointer, 8);
        SizeOfSpan = Align(npagesAt + 8 + 6 * sizeof(ushort), 8);
    }

    private static int Align(int n, int a) => (n + a - 1) / a * a;

    /// <summary>DSA_MAKE_POINTER(segment_number, offset). The offset must fit its bits and the
    /// segment number the rest of the pointer (C would silently overflow into the segment bits).</summary>
    public ulong DSA_MAKE_POINTER(ulong segmentNumber, ulong offset)
    {
        Pg.Assert(offset <= DSA_OFFSET_BITMASK);
        Pg.Assert(segmentNumber < (ulong)DSA_MAX_SEGMENTS);
        return (segmentNumber << DSA_OFFSET_WIDTH) | offset;
    }

    /// <summary>DSA_EXTRACT_SEGMENT_NUMBER(dp).</summary>
    public ulong DSA_EXTRACT_SEGMENT_NUMBER(ulong dp) => dp >> DSA_OFFSET_WIDTH;

    /// <summary>DSA_EXTRACT_OFFSET(dp).</summary>
    public ulong DSA_EXTRACT_OFFSET(ulong dp) => dp & DSA_OFFSET_BITMASK;

    /// <summary>DsaPointerIsValid(x).</summary>
    public static bool DsaPointerIsValid(ulong dp) => dp != InvalidDsaPointer;

    /// <summary>DSA_POINTER_FORMAT: %016lx for 8-byte pointers, %08x for 4-byte ones.</summary>
    public string Format(ulong dp) => SIZEOF_DSA_POINTER == 8 ? dp.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : ((uint)dp).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    public override string ToString() => $"{SIZEOF_DSA_POINTER}-byte dsa_pointer";
}
