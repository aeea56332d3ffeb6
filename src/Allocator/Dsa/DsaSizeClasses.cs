// DsaSizeClasses: dsa.c's size classes (PostgreSQL 17): dsa_size_classes[] (38 object sizes: the
// block-of-spans class, the large-object class, then 36 classes from 8 to 8192 bytes),
// dsa_size_class_map[] (the lookup table for requests under 1 KiB, one entry per 8 bytes), the
// binary chop dsa_allocate_extended uses above that, the objects per superblock of each class, the
// other fixed constants of dsa.c, and contiguous_pages_to_segment_bin.
//
// The map is PostgreSQL's literal table rather than computed, so a wrong entry would show up as a
// disagreement with the "smallest class that fits" rule the tests check for every size.
// Divergence: class 0's size is sizeof(dsa_area_span), which depends on the pointer width
// (DsaPointerLayout.SizeOfSpan), so the table is per layout.
#pragma warning disable CA1707 // PostgreSQL's names
using System.Numerics;
using Allocator.Common;

namespace Allocator.Dsa;

public sealed class DsaSizeClasses
{
    /// <summary>DSA_NUM_SEGMENTS_AT_EACH_SIZE: segments of one size before the size doubles.</summary>
    public const int DSA_NUM_SEGMENTS_AT_EACH_SIZE = 2;
    /// <summary>DSA_PAGES_PER_SUPERBLOCK (FPM_PAGE_SIZE pages): a superblock is 64 KiB.</summary>
    public const int DSA_PAGES_PER_SUPERBLOCK = 16;
    /// <summary>FPM_PAGE_SIZE (freepage.h): the page unit of the free page manager.</summary>
    public const int FPM_PAGE_SIZE = 4096;
    public const int DSA_SUPERBLOCK_SIZE = DSA_PAGES_PER_SUPERBLOCK * FPM_PAGE_SIZE;
    /// <summary>DSA_SEGMENT_HEADER_MAGIC (stored XOR the area handle XOR the segment index).</summary>
    public const uint DSA_SEGMENT_HEADER_MAGIC = 0x0ce26608;
    public const int DSA_NUM_SEGMENT_BINS = 16;
    public const int DSA_FULLNESS_CLASSES = 4;
    /// <summary>DSA_SPAN_NOTHING_FREE: a span's firstfree when no freed object is on its list.</summary>
    public const ushort DSA_SPAN_NOTHING_FREE = ushort.MaxValue;
    public const int DSA_SCLASS_BLOCK_OF_SPANS = 0;
    public const int DSA_SCLASS_SPAN_LARGE = 1;
    public const int DSA_SIZE_CLASS_MAP_QUANTUM = 8;
    /// <summary>The largest size served from a size class; larger requests get a span of their own.</summary>
    public const int MaxClassSize = 8192;
    public const ulong DSA_DEFAULT_INIT_SEGMENT_SIZE = 1024 * 1024;
    public const ulong DSA_MIN_SEGMENT_SIZE = 256 * 1024;
    /// <summary>DSA_ALLOC_HUGE, DSA_ALLOC_NO_OOM, DSA_ALLOC_ZERO.</summary>
    public const int DSA_ALLOC_HUGE = 0x01, DSA_ALLOC_NO_OOM = 0x02, DSA_ALLOC_ZERO = 0x04;

    /// <summary>dsa_size_classes[] after its first entry (class 0, the span size, is per layout).</summary>
    private static readonly ushort[] FixedSizes =
    [
        0,
        8, 16, 24, 32, 40, 48, 56, 64,
        80, 96, 112, 128,
        160, 192, 224, 256,
        320, 384, 448, 512,
        640, 768, 896, 1024,
        1280, 1560, 1816, 2048,
        2616, 3120, 3640, 4096,
        5456, 6552, 7280, 8192,
    ];

    /// <summary>dsa_size_class_map[]: class of a request of 1..1023 bytes, indexed by ceil(size/8) - 1.</summary>
    public static readonly byte[] dsa_size_class_map =
    [
        2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 11, 12, 12, 13, 13,
        14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 17, 17, 17, 17,
        18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
        20, 20, 20, 20, 20, 20, 20, 20, 21, 21, 21, 21, 21, 21, 21, 21,
        22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22,
        23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23,
        24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
        25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
    ];

    public static DsaSizeClasses Wide { get; } = new(DsaPointerLayout.Wide);
    public static DsaSizeClasses Small { get; } = new(DsaPointerLayout.Small);

    private readonly ushort[] _sizes;

    private DsaSizeClasses(DsaPointerLayout layout)
    {
        Layout = layout;
        _sizes = [(ushort)layout.SizeOfSpan, .. FixedSizes];
    }

    public DsaPointerLayout Layout { get; }

    /// <summary>DSA_NUM_SIZE_CLASSES: 38.</summary>
    public int DSA_NUM_SIZE_CLASSES => _sizes.Length;

    /// <summary>dsa_size_classes[sizeClass].</summary>
    public int Size(int sizeClass) => _sizes[sizeClass];

    /// <summary>Objects per superblock of a class (ensure_active_superblock's nmax): a block of spans
    /// is one FPM page whose first slot holds its own span; other classes fill a superblock.
    /// Not defined for the large class (its spans hold one object of any size).</summary>
    public int ObjectsPerSuperblock(int sizeClass)
    {
        Pg.Assert(sizeClass != DSA_SCLASS_SPAN_LARGE);
        return sizeClass == DSA_SCLASS_BLOCK_OF_SPANS
            ? FPM_PAGE_SIZE / _sizes[sizeClass] - 1
            : DSA_SUPERBLOCK_SIZE / _sizes[sizeClass];
    }

    /// <summary>dsa_allocate_extended's mapping of a request of 1..8192 bytes to its class: the
    /// lookup table below 1 KiB, the binary chop over classes 25..37 from there. size 0 is a
    /// contract violation (C indexes the map at -1 in a non-assert build): asserted here.</summary>
    public int SizeClassFor(ulong size)
    {
        Pg.Assert(size > 0 && size <= MaxClassSize);
        int sizeClass;
        if (size < (ulong)(dsa_size_class_map.Length * DSA_SIZE_CLASS_MAP_QUANTUM))
        {
            int mapidx = (int)((size + DSA_SIZE_CLASS_MAP_QUANTUM - 1) / DSA_SIZE_CLASS_MAP_QUANTUM) - 1;
            sizeClass = dsa_size_class_map[mapidx];
        }
        else
        {
            int min = dsa_size_class_map[^1];
            int max = _sizes.Length - 1;
            while (min < max)
            {
                int mid = (min + max) / 2;
                if ((ulong)_sizes[mid] < size) min = mid + 1;
                else max = mid;
            }
            sizeClass = min;
        }
        Pg.Assert(size <= _sizes[sizeClass]);
        Pg.Assert(sizeClass == 0 || size > _sizes[sizeClass - 1]);
        return sizeClass;
    }

    /// <summary>contiguous_pages_to_segment_bin(n): 0 for none, else floor(log2 n) + 1, capped at
    /// the last bin.</summary>
    public static int contiguous_pages_to_segment_bin(ulong n)
    {
        int bin = n == 0 ? 0 : BitOperations.Log2(n) + 1;
        return Math.Min(bin, DSA_NUM_SEGMENT_BINS - 1);
    }
}
