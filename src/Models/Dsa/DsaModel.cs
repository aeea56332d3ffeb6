// DsaModel: the reference model of a dsa_area (spec §9, §11) as its user sees it: a map from
// dsa_pointer to (requested size, contents), the size limit, and the rules that decide when an
// allocation must succeed and when it must fail. It shares no code with the port and knows nothing
// of spans, bins or FreePageManagers.
//
// What it checks:
//   - a pointer handed out is not Invalid, not live already, and [offset, offset + size) overlaps no
//     live allocation of the same segment; small objects are 8-byte aligned, large ones page-aligned;
//   - contents: each live allocation holds the pattern of its last write (seed 0 = zeros, as
//     DSA_ALLOC_ZERO leaves it) until it is freed; the model says what byte belongs at an offset;
//   - the total segment size never grows past the limit (if the limit was lowered below the total,
//     past the total at that time: segments are only added while total < limit).
//
// When OOM must and must not happen (DSA_ALLOC_NO_OOM returns InvalidDsaPointer, otherwise ERROR):
//   MustFail    the live allocations' bytes (large: whole pages; small: the size rounded to 8) plus
//               this request's would exceed the capacity: max(limit, total) less segment 0's two
//               metadata pages (the control block alone is over one page). No placement can help.
//   MustSucceed a fresh segment could serve it wherever the existing ones are fragmented: at least
//               two free segment slots, and limit - total >= G + Need(p), where p is the pages the
//               request needs from a segment (16 for a small object's superblock, ceil(size/4096)
//               for a large one), Need(p) a segment size that always has p + 1 usable pages (one
//               spare for a block of spans), and G the geometric size of the first free slot (the
//               segment a block of spans might take first, before the request's own).
//   Either      anything between: PostgreSQL's answer depends on fragmentation (a freed run may be
//               split by a new block of spans; large frees never return segments, Q7), so both
//               results are allowed.
//   Invalid     size 0 (a contract violation) or over MaxAllocSize (MaxAllocHugeSize with
//               DSA_ALLOC_HUGE): ERROR "invalid DSA memory alloc request size" (never OOM).
namespace Models.Dsa;

public enum DsaExpect : byte
{
    Either,
    MustSucceed,
    MustFail,
    Invalid,
}

/// <summary>The constants the model needs (dsa.h, spec 9.1), given by the caller.</summary>
/// <param name="OffsetWidth">DSA_OFFSET_WIDTH: 40, or 27 for 4-byte dsa_pointers.</param>
/// <param name="MaxSegmentSize">DSA_MAX_SEGMENT_SIZE (2^OffsetWidth).</param>
/// <param name="InitSegmentSize">The area's init_segment_size.</param>
/// <param name="MaxSegmentSizeArea">The area's max_segment_size.</param>
public sealed record DsaModelGeometry(int OffsetWidth, ulong MaxSegmentSize, ulong InitSegmentSize, ulong MaxSegmentSizeArea)
{
    public const ulong PageSize = 4096;
    public const ulong SuperblockPages = 16;
    public const ulong MaxSmallSize = 8192;
    public const ulong MaxAllocSize = 0x3fffffff;
    public const ulong MaxAllocHugeSize = ulong.MaxValue / 2;
    public const int AllocHuge = 1, AllocNoOom = 2, AllocZero = 4;

    public ulong Segment(ulong dp) => dp >> OffsetWidth;

    public ulong Offset(ulong dp) => dp & ((1UL << OffsetWidth) - 1);

    /// <summary>Pages a request takes from a segment: a superblock for a small one.</summary>
    public static ulong PagesFor(ulong size) => size > MaxSmallSize ? (size + PageSize - 1) / PageSize : SuperblockPages;

    /// <summary>A segment size that always has at least <paramref name="pages"/> + 1 usable pages,
    /// whether make_new_segment makes it geometric, capped, or odd-sized for the request: the pages,
    /// plus a generous bound on the metadata (a 1152-byte header and FreePageManager, one pagemap
    /// entry of at most 8 bytes per page, each rounded up twice), plus slack.</summary>
    public static ulong Need(ulong pages) => PageSize * (pages + 4 + 2 * ((9 * pages + PageSize - 1) / PageSize));

    /// <summary>make_new_segment's geometric size for slot <paramref name="index"/> (before the limit).</summary>
    public ulong GeometricSize(ulong index)
    {
        int shift = (int)Math.Min(index / 2, 63);
        ulong s = InitSegmentSize > (ulong.MaxValue >> shift) ? ulong.MaxValue : InitSegmentSize << shift;
        return Math.Min(s, MaxSegmentSizeArea);
    }
}

public sealed class DsaModel
{
    private readonly List<ulong> _order = new();                      // live pointers, oldest first
    private readonly Dictionary<ulong, (ulong Size, byte Seed)> _live = new();

    public DsaModel(DsaModelGeometry geometry, ulong limit)
    {
        Geometry = geometry;
        Limit = limit;
    }

    public DsaModelGeometry Geometry { get; }

    /// <summary>max_total_segment_size as the user last set it.</summary>
    public ulong Limit { get; private set; }

    /// <summary>The limit was set below the total at some point (DSA9's exception).</summary>
    public bool LimitLowered { get; private set; }

    public int Count => _order.Count;

    /// <summary>The live pointers in allocation order (ops name them by index).</summary>
    public IReadOnlyList<ulong> Pointers => _order;

    public ulong SizeOf(ulong dp) => _live[dp].Size;

    public byte SeedOf(ulong dp) => _live[dp].Seed;

    public IReadOnlyDictionary<ulong, ulong> LiveSizes() => _live.ToDictionary(kv => kv.Key, kv => kv.Value.Size);

    public void SetLimit(ulong limit, ulong total)
    {
        Limit = limit;
        if (limit < total) LimitLowered = true;
    }

    /// <summary>Bytes the live allocations certainly occupy.</summary>
    public ulong LiveBytes()
    {
        ulong sum = 0;
        foreach ((ulong size, _) in _live.Values) sum += Footprint(size);
        return sum;
    }

    private static ulong Footprint(ulong size) =>
        size > DsaModelGeometry.MaxSmallSize ? DsaModelGeometry.PagesFor(size) * DsaModelGeometry.PageSize : (size + 7) / 8 * 8;

    /// <summary>What an allocation of <paramref name="size"/> must do, given the area's total segment
    /// size, the number of free segment slots and the first free slot's index (both observed).</summary>
    public DsaExpect Expect(ulong size, int flags, ulong total, int freeSlots, ulong firstFreeSlot)
    {
        ulong max = (flags & DsaModelGeometry.AllocHuge) != 0 ? DsaModelGeometry.MaxAllocHugeSize : DsaModelGeometry.MaxAllocSize;
        if (size == 0 || size > max) return DsaExpect.Invalid;
        ulong capacity = Math.Max(Limit, total) - 2 * DsaModelGeometry.PageSize;
        ulong need = Footprint(size);
        ulong live = LiveBytes();
        if (need > capacity || live > capacity - need) return DsaExpect.MustFail;

        ulong pages = DsaModelGeometry.PagesFor(size);
        if (freeSlots < 2 || Limit <= total || pages > Geometry.MaxSegmentSize / DsaModelGeometry.PageSize) return DsaExpect.Either;
        ulong room = Limit - total;
        ulong fresh = DsaModelGeometry.Need(pages);
        if (fresh > Geometry.MaxSegmentSize) return DsaExpect.Either;
        ulong g = Geometry.GeometricSize(firstFreeSlot);
        return room >= g && room - g >= fresh ? DsaExpect.MustSucceed : DsaExpect.Either;
    }

    /// <summary>Records a successful allocation; returns what is wrong with it, or null.</summary>
    public string? Allocated(ulong dp, ulong size, byte seed)
    {
        if (dp == 0) return "an allocation returned InvalidDsaPointer as a success";
        if (_live.ContainsKey(dp)) return $"0x{dp:x} is already live";
        ulong seg = Geometry.Segment(dp), off = Geometry.Offset(dp);
        ulong align = size > DsaModelGeometry.MaxSmallSize ? DsaModelGeometry.PageSize : 8;
        if (off % align != 0) return $"0x{dp:x} ({size} bytes) is not {align}-byte aligned";
        foreach (ulong other in _order)
        {
            if (Geometry.Segment(other) != seg) continue;
            ulong o = Geometry.Offset(other), os = _live[other].Size;
            if (off < o + os && o < off + size) return $"0x{dp:x} ({size} bytes) overlaps live 0x{other:x} ({os} bytes)";
        }
        _live[dp] = (size, seed);
        _order.Add(dp);
        return null;
    }

    public void Freed(ulong dp)
    {
        _live.Remove(dp);
        _order.Remove(dp);
    }

    public void Written(ulong dp, byte seed) => _live[dp] = (_live[dp].Size, seed);

    /// <summary>The byte the model expects at <paramref name="offset"/> of an allocation written with
    /// <paramref name="seed"/> (0: zeros).</summary>
    public static byte Expected(byte seed, ulong offset) => seed == 0 ? (byte)0 : (byte)(seed + offset * 7 + (offset >> 8) * 13);

    /// <summary>The offsets checked: the first 16 bytes, 64 spread over the rest, the last byte.</summary>
    public static IEnumerable<ulong> Probes(ulong size)
    {
        for (ulong j = 0; j < Math.Min(size, 16); j++) yield return j;
        if (size <= 16) yield break;
        ulong step = Math.Max(1, (size - 16) / 64);
        for (ulong j = 16 + step / 2; j < size - 1; j += step) yield return j;
        yield return size - 1;
    }

    /// <summary>The total after an op, given the total before it: must not pass max(limit, before).</summary>
    public string? CheckTotal(ulong before, ulong after) =>
        after > Math.Max(Limit, before) ? $"total_segment_size grew to {after}, over the limit {Limit} (was {before})" : null;
}
