// FpmLayout: the C struct layouts of freepage.h / freepage.c (FreePageManager, FreePageSpanLeader,
// FreePageBtreeHeader, the leaf and internal keys) and the constants derived from them, for one
// pointer profile. The offsets are computed the way a C compiler lays the structs out (each field
// at the next multiple of its alignment, the struct padded to its widest member), and
// FPM_ITEMS_PER_INTERNAL_PAGE / FPM_ITEMS_PER_LEAF_PAGE the way freepage.c computes them:
// (FPM_PAGE_SIZE - sizeof(header)) / sizeof(key).
//
//   64-bit profile (PostgreSQL's real layout): Size and relptr 8 bytes; FreePageManager 1096 bytes
//   (1104 with the FPM_EXTRA_ASSERTS free_pages counter), span leader 32, btree header 24, keys 16,
//   254 keys per page.
//   32-bit profile: Size and relptr 4 bytes; FreePageManager 552 (556), span leader 16, header 12,
//   keys 8, 510 keys per page.
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Dsa;

public enum PointerProfile
{
    Bits64,
    Bits32,
}

public sealed class FpmLayout
{
    public const ulong FPM_PAGE_SIZE = 4096;
    public const int FPM_NUM_FREELISTS = 129;

    public const uint FREE_PAGE_SPAN_LEADER_MAGIC = 0xea4020f0;
    public const uint FREE_PAGE_LEAF_MAGIC = 0x98eae728;
    public const uint FREE_PAGE_INTERNAL_MAGIC = 0x19aa32c9;

    public static FpmLayout Profile64 { get; } = new(PointerProfile.Bits64, extraAsserts: true);
    public static FpmLayout Profile32 { get; } = new(PointerProfile.Bits32, extraAsserts: true);

    public static FpmLayout For(PointerProfile profile, bool extraAsserts = true) => new(profile, extraAsserts);

    public FpmLayout(PointerProfile profile, bool extraAsserts)
    {
        Profile = profile;
        ExtraAsserts = extraAsserts;
        Word = profile == PointerProfile.Bits64 ? 8 : 4;
        SizeMask = Word == 8 ? ulong.MaxValue : uint.MaxValue;
        Rel = new RelPtr(Word);
        int w = Word;

        // struct FreePageManager
        var fpm = new CStruct();
        OFF_self = fpm.Field(w, w);
        OFF_btree_root = fpm.Field(w, w);
        OFF_btree_recycle = fpm.Field(w, w);
        OFF_btree_depth = fpm.Field(4, 4);
        OFF_btree_recycle_count = fpm.Field(4, 4);
        OFF_singleton_first_page = fpm.Field(w, w);
        OFF_singleton_npages = fpm.Field(w, w);
        OFF_contiguous_pages = fpm.Field(w, w);
        OFF_contiguous_pages_dirty = fpm.Field(1, 1);
        OFF_freelist = fpm.Field(w * FPM_NUM_FREELISTS, w);
        OFF_free_pages = extraAsserts ? fpm.Field(w, w) : ulong.MaxValue;
        SIZEOF_FreePageManager = fpm.Size;

        // struct FreePageSpanLeader
        var span = new CStruct();
        OFF_span_magic = span.Field(4, 4);
        OFF_span_npages = span.Field(w, w);
        OFF_span_prev = span.Field(w, w);
        OFF_span_next = span.Field(w, w);
        SIZEOF_FreePageSpanLeader = span.Size;

        // FreePageBtreeHeader
        var hdr = new CStruct();
        OFF_hdr_magic = hdr.Field(4, 4);
        OFF_hdr_nused = hdr.Field(w, w);
        OFF_hdr_parent = hdr.Field(w, w);
        SIZEOF_FreePageBtreeHeader = hdr.Size;

        // Both key kinds are {Size, Size-or-relptr}: same size, same offsets.
        var key = new CStruct();
        OFF_key_first_page = key.Field(w, w);
        OFF_key_second = key.Field(w, w);
        SIZEOF_Key = key.Size;

        // The union of the key arrays follows the header at the keys' alignment.
        OFF_keys = CStruct.Align(SIZEOF_FreePageBtreeHeader, (ulong)w);
        FPM_ITEMS_PER_INTERNAL_PAGE = (FPM_PAGE_SIZE - SIZEOF_FreePageBtreeHeader) / SIZEOF_Key;
        FPM_ITEMS_PER_LEAF_PAGE = (FPM_PAGE_SIZE - SIZEOF_FreePageBtreeHeader) / SIZEOF_Key;
    }

    public PointerProfile Profile { get; }

    /// <summary>FPM_EXTRA_ASSERTS: the struct carries the free_pages counter (pages put minus got).</summary>
    public bool ExtraAsserts { get; }

    /// <summary>sizeof(Size) == sizeof(relptr) in bytes.</summary>
    public int Word { get; }

    /// <summary>Size arithmetic wraps at this mask (2^64 - 1 or 2^32 - 1).</summary>
    public ulong SizeMask { get; }

    public RelPtr Rel { get; }

    public ulong OFF_self { get; }
    public ulong OFF_btree_root { get; }
    public ulong OFF_btree_recycle { get; }
    public ulong OFF_btree_depth { get; }
    public ulong OFF_btree_recycle_count { get; }
    public ulong OFF_singleton_first_page { get; }
    public ulong OFF_singleton_npages { get; }
    public ulong OFF_contiguous_pages { get; }
    public ulong OFF_contiguous_pages_dirty { get; }
    public ulong OFF_freelist { get; }

    /// <summary>Offset of free_pages, or ulong.MaxValue when the layout has no FPM_EXTRA_ASSERTS.</summary>
    public ulong OFF_free_pages { get; }
    public ulong SIZEOF_FreePageManager { get; }

    public ulong OFF_span_magic { get; }
    public ulong OFF_span_npages { get; }
    public ulong OFF_span_prev { get; }
    public ulong OFF_span_next { get; }
    public ulong SIZEOF_FreePageSpanLeader { get; }

    public ulong OFF_hdr_magic { get; }
    public ulong OFF_hdr_nused { get; }
    public ulong OFF_hdr_parent { get; }
    public ulong SIZEOF_FreePageBtreeHeader { get; }

    public ulong OFF_key_first_page { get; }

    /// <summary>npages of a leaf key, child of an internal key.</summary>
    public ulong OFF_key_second { get; }
    public ulong SIZEOF_Key { get; }
    public ulong OFF_keys { get; }

    public ulong FPM_ITEMS_PER_INTERNAL_PAGE { get; }
    public ulong FPM_ITEMS_PER_LEAF_PAGE { get; }

    /// <summary>Address of key <paramref name="index"/> on the btree page at <paramref name="page"/>.</summary>
    public ulong Key(ulong page, ulong index) => page + OFF_keys + index * SIZEOF_Key;

    public ulong Freelist(ulong fpm, ulong f) => fpm + OFF_freelist + f * (ulong)Word;

    public override string ToString() => Profile == PointerProfile.Bits64 ? "64-bit" : "32-bit";

    /// <summary>A C struct being laid out field by field.</summary>
    private sealed class CStruct
    {
        private ulong _size;
        private ulong _align = 1;

        public ulong Field(int size, int align)
        {
            ulong off = Align(_size, (ulong)align);
            _size = off + (ulong)size;
            _align = Math.Max(_align, (ulong)align);
            return off;
        }

        public ulong Size => Align(_size, _align);

        public static ulong Align(ulong x, ulong a) => (x + a - 1) & ~(a - 1);
    }
}
