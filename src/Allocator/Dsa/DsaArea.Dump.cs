// DsaArea.Dump: dsa.c's dsa_dump (PostgreSQL 17), returned as the text C writes to stderr: the
// control fields, each non-empty segment bin with its segments, then each non-empty pool with its
// four fullness lists. Bin 0's heading has no count (the garbage count was fixed by 6fd144e3a9).
// Pointers print as glibc's %p does (0x..., "(nil)" for NULL), dsa_pointers as DSA_POINTER_FORMAT.
// Locks as in 17: the area lock for the bins, each pool's lock for its lists (exclusive; the switch
// to LW_SHARED, a6d05c8193, is newer than 17).
#pragma warning disable CA1707 // PostgreSQL's names
using System.Globalization;
using System.Text;
using static Allocator.Dsa.DsaLayout;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Dsa;

public sealed partial class DsaArea
{
    public string dsa_dump()
    {
        Live();
        var sb = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        Acquire(AreaLock);
        check_for_freed_segments_locked();
        sb.Append(inv, $"dsa_area handle {handle:x}:\n");
        sb.Append(inv, $"  max_total_segment_size: {Ctl(L.CTL_max_total_segment_size)}\n");
        sb.Append(inv, $"  total_segment_size: {Ctl(L.CTL_total_segment_size)}\n");
        sb.Append(inv, $"  refcnt: {refcnt}\n");
        sb.Append(inv, $"  pinned: {(pinned ? 't' : 'f')}\n");
        sb.Append("  segment bins:\n");
        for (ulong i = 0; i < DSA_NUM_SEGMENT_BINS; ++i)
        {
            if (SegmentBin(i) == DSA_SEGMENT_INDEX_NONE) continue;
            if (i == 0) sb.Append(inv, $"    segment bin {i} (no contiguous free pages):\n");
            else sb.Append(inv, $"    segment bin {i} (at least {1 << (int)(i - 1)} contiguous pages free):\n");
            ulong segmentIndex = SegmentBin(i);
            while (segmentIndex != DSA_SEGMENT_INDEX_NONE)
            {
                DsaSegmentMap map = get_segment_by_index(segmentIndex);
                string addr = map.mapped_address == 0 ? "(nil)" : $"0x{map.mapped_address:x}";
                sb.Append(inv, $"      segment index {segmentIndex}, usable_pages = {HdrU64(map.header, HDR_usable_pages)}, contiguous_pages = {map.fpm!.Largest}, mapped at {addr}\n");
                segmentIndex = HdrU64(map.header, HDR_next);
            }
        }
        Release(AreaLock);

        sb.Append("  pools:\n");
        for (int i = 0; i < L.Classes.DSA_NUM_SIZE_CLASSES; ++i)
        {
            ulong pool = PoolAddr(i);
            Acquire(PoolLock(i));
            bool found = false;
            for (int j = 0; j < DSA_FULLNESS_CLASSES; ++j)
                if (DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, j))) found = true;
            if (found)
            {
                if (i == DSA_SCLASS_BLOCK_OF_SPANS) sb.Append("    pool for blocks of span objects:\n");
                else if (i == DSA_SCLASS_SPAN_LARGE) sb.Append("    pool for large object spans:\n");
                else sb.Append(inv, $"    pool for size class {i} (object size {L.Classes.Size(i)} bytes):\n");
                for (int j = 0; j < DSA_FULLNESS_CLASSES; ++j)
                {
                    ulong spanPointer = PoolSpans(pool, j);
                    if (!DsaPointerLayout.DsaPointerIsValid(spanPointer))
                    {
                        sb.Append(inv, $"      fullness class {j} is empty\n");
                        continue;
                    }
                    sb.Append(inv, $"      fullness class {j}:\n");
                    while (DsaPointerLayout.DsaPointerIsValid(spanPointer))
                    {
                        ulong span = dsa_get_address(spanPointer);
                        sb.Append(inv, $"        span descriptor at {P.Format(spanPointer)}, superblock at {P.Format(SpanStart(span))}, pages = {SpanNpages(span)}, objects free = {SpanU16(span, L.SPAN_nallocatable)}/{SpanU16(span, L.SPAN_nmax)}\n");
                        spanPointer = SpanNext(span);
                    }
                }
            }
            Release(PoolLock(i));
        }
        return sb.ToString();
    }
}
