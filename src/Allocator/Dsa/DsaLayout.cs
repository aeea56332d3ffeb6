// DsaLayout: the C struct layouts of dsa.c (PostgreSQL 17) for one dsa_pointer width:
// dsa_segment_header, dsa_area_span, dsa_area_pool and dsa_area_control, laid out field by field
// the way a 64-bit C compiler does, plus the segment layout formulas (create_internal,
// make_new_segment, dsa_minimum_size).
//
// With 8-byte dsa_pointers the control block is 6192 bytes (the spec's 9.3 vector); with 4-byte
// pointers (USE_SMALL_DSA_POINTER on a 64-bit build) the pointers, the pool list heads and the
// pagemap entries shrink while size_t stays 8 bytes, so the FreePageManager is always the 64-bit
// one (1096 bytes: no FPM_EXTRA_ASSERTS counter, as in a normal build).
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Dsa;

public sealed class DsaLayout
{
    public static DsaLayout Wide { get; } = new(DsaSizeClasses.Wide);
    public static DsaLayout Small { get; } = new(DsaSizeClasses.Small);

    public const ulong MAXIMUM_ALIGNOF = 8;
    /// <summary>DSA_SEGMENT_INDEX_NONE: (dsa_segment_index) -1.</summary>
    public const ulong DSA_SEGMENT_INDEX_NONE = ulong.MaxValue;

    public DsaSizeClasses Classes { get; }
    public DsaPointerLayout P => Classes.Layout;
    public FpmLayout Fpm { get; } = FpmLayout.For(PointerProfile.Bits64, extraAsserts: false);
    /// <summary>sizeof(dsa_pointer).</summary>
    public int W => P.SIZEOF_DSA_POINTER;

    // dsa_segment_header
    public const ulong HDR_magic = 0, HDR_usable_pages = 8, HDR_size = 16, HDR_prev = 24, HDR_next = 32, HDR_bin = 40, HDR_freed = 48;
    public const ulong SIZEOF_dsa_segment_header = 56;

    // dsa_area_span
    public ulong SPAN_pool => 0;
    public ulong SPAN_prevspan => (ulong)W;
    public ulong SPAN_nextspan => 2 * (ulong)W;
    public ulong SPAN_start => 3 * (ulong)W;
    public ulong SPAN_npages { get; }
    public ulong SPAN_size_class => SPAN_npages + 8;
    public ulong SPAN_ninitialized => SPAN_npages + 10;
    public ulong SPAN_nallocatable => SPAN_npages + 12;
    public ulong SPAN_firstfree => SPAN_npages + 14;
    public ulong SPAN_nmax => SPAN_npages + 16;
    public ulong SPAN_fclass => SPAN_npages + 18;
    public ulong SIZEOF_dsa_area_span => (ulong)P.SizeOfSpan;

    // dsa_area_pool: {LWLock lock; dsa_pointer spans[DSA_FULLNESS_CLASSES]}
    public const ulong POOL_lock = 0, POOL_spans = 16;
    public ulong SIZEOF_dsa_area_pool { get; }

    // dsa_area_control
    public const ulong CTL_segment_header = 0, CTL_handle = 56, CTL_segment_handles = 60;
    public ulong CTL_segment_bins { get; }
    public ulong CTL_pools { get; }
    public ulong CTL_init_segment_size { get; }
    public ulong CTL_max_segment_size { get; }
    public ulong CTL_total_segment_size { get; }
    public ulong CTL_max_total_segment_size { get; }
    public ulong CTL_high_segment_index { get; }
    public ulong CTL_refcnt { get; }
    public ulong CTL_pinned { get; }
    public ulong CTL_freed_segment_counter { get; }
    public ulong CTL_lwlock_tranche_id { get; }
    public ulong CTL_lock { get; }
    public ulong SIZEOF_dsa_area_control { get; }

    private DsaLayout(DsaSizeClasses classes)
    {
        Classes = classes;
        ulong w = (ulong)W;
        SPAN_npages = Align(4 * w, 8);
        SIZEOF_dsa_area_pool = Align(POOL_spans + 4 * w, Math.Max(4, w));
        CTL_segment_bins = Align(CTL_segment_handles + 4 * (ulong)P.DSA_MAX_SEGMENTS, 8);
        CTL_pools = CTL_segment_bins + 8 * DsaSizeClasses.DSA_NUM_SEGMENT_BINS;
        ulong o = Align(CTL_pools + SIZEOF_dsa_area_pool * (ulong)classes.DSA_NUM_SIZE_CLASSES, 8);
        CTL_init_segment_size = o;
        CTL_max_segment_size = o + 8;
        CTL_total_segment_size = o + 16;
        CTL_max_total_segment_size = o + 24;
        CTL_high_segment_index = o + 32;
        CTL_refcnt = o + 40;
        CTL_pinned = o + 44;
        CTL_freed_segment_counter = o + 48;
        CTL_lwlock_tranche_id = o + 56;
        CTL_lock = o + 60;
        SIZEOF_dsa_area_control = Align(CTL_lock + 16, 8);
    }

    public static ulong Align(ulong x, ulong a) => (x + a - 1) / a * a;

    public static ulong MAXALIGN(ulong x) => Align(x, MAXIMUM_ALIGNOF);

    public ulong PoolAddr(ulong control, int sizeClass) => control + CTL_pools + (ulong)sizeClass * SIZEOF_dsa_area_pool;

    /// <summary>Offset of segment 0's FreePageManager (after the control block) and of another
    /// segment's (after its header).</summary>
    public ulong FpmOffset(ulong index) => index == 0 ? MAXALIGN(SIZEOF_dsa_area_control) : MAXALIGN(SIZEOF_dsa_segment_header);

    public ulong PagemapOffset(ulong index) => FpmOffset(index) + MAXALIGN(Fpm.SIZEOF_FreePageManager);

    /// <summary>dsa_minimum_size: the control block, the FPM and one pagemap entry per page,
    /// grown until the pages cover it.</summary>
    public ulong dsa_minimum_size()
    {
        ulong size = MAXALIGN(SIZEOF_dsa_area_control) + MAXALIGN(Fpm.SIZEOF_FreePageManager);
        ulong pages = 0;
        while ((size + FpmLayout.FPM_PAGE_SIZE - 1) / FpmLayout.FPM_PAGE_SIZE > pages)
        {
            ++pages;
            size += (ulong)W;
        }
        return pages * FpmLayout.FPM_PAGE_SIZE;
    }

    /// <summary>create_internal's metadata bytes for a segment 0 of <paramref name="size"/> bytes,
    /// rounded up to a page.</summary>
    public ulong Segment0MetadataBytes(ulong size) =>
        Align(PagemapOffset(0) + size / FpmLayout.FPM_PAGE_SIZE * (ulong)W, FpmLayout.FPM_PAGE_SIZE);

    /// <summary>make_new_segment's metadata bytes for an ordinary segment of
    /// <paramref name="totalSize"/> bytes, rounded up to a page.</summary>
    public ulong SegmentMetadataBytes(ulong totalSize) =>
        Align(PagemapOffset(1) + totalSize / FpmLayout.FPM_PAGE_SIZE * (ulong)W, FpmLayout.FPM_PAGE_SIZE);

    public override string ToString() => P.ToString();
}
