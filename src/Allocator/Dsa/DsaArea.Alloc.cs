// DsaArea.Alloc: dsa.c's allocation and free (PostgreSQL 17): dsa_allocate_extended, dsa_free,
// dsa_trim, alloc_object, ensure_active_superblock, init_span, transfer_first_span,
// destroy_superblock, unlink_span and add_span_to_fullness_class.
//
// A span (dsa_area_span) is addressed by its dsa_pointer and read through dsa_get_address, as in C,
// so a stale segment mapping shows up where it would in PostgreSQL. Lock order (checked on every
// acquire, DsaArea.CheckOrder): pool(c != 0), then pool(0), then the area lock.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Dsa;

public sealed partial class DsaArea
{
    // ------------------------------------------------------------------ span fields

    internal ulong SpanPool(ulong s) => RdDp(s + L.SPAN_pool);
    internal ulong SpanPrev(ulong s) => RdDp(s + L.SPAN_prevspan);
    internal ulong SpanNext(ulong s) => RdDp(s + L.SPAN_nextspan);
    internal ulong SpanStart(ulong s) => RdDp(s + L.SPAN_start);
    internal ulong SpanNpages(ulong s) => M.ReadU64(s + L.SPAN_npages);
    internal ushort SpanU16(ulong s, ulong off) => M.ReadU16(s + off);
    private void SetSpanPrev(ulong s, ulong v) => WrDp(s + L.SPAN_prevspan, v);
    private void SetSpanNext(ulong s, ulong v) => WrDp(s + L.SPAN_nextspan, v);
    private void SetSpanU16(ulong s, ulong off, int v) => M.WriteU16(s + off, (ushort)v);

    /// <summary>DsaAreaPoolToDsaPointer: a pool's dsa_pointer (it lives in segment 0).</summary>
    private ulong PoolToDsaPointer(ulong pool) => P.DSA_MAKE_POINTER(0, pool - control);

    private int Nmax(int sizeClass) => L.Classes.ObjectsPerSuperblock(sizeClass);

    // ------------------------------------------------------------------ allocate

    /// <summary>dsa_allocate.</summary>
    public ulong dsa_allocate(ulong size) => dsa_allocate_extended(size, 0);

    /// <summary>dsa_allocate0.</summary>
    public ulong dsa_allocate0(ulong size) => dsa_allocate_extended(size, DSA_ALLOC_ZERO);

    /// <summary>dsa_allocate_extended: an object of <paramref name="size"/> bytes from a size class,
    /// or a span of whole pages above 8 KiB. Out of memory is an ERROR, or InvalidDsaPointer with
    /// DSA_ALLOC_NO_OOM.</summary>
    public ulong dsa_allocate_extended(ulong size, int flags)
    {
        Live();
        Pg.Assert(size > 0);
        if (((flags & DSA_ALLOC_HUGE) != 0 && size > MaxAllocHugeSize) || ((flags & DSA_ALLOC_HUGE) == 0 && size > MaxAllocSize))
            throw new PgErrorException($"invalid DSA memory alloc request size {size}");

        if (size > MaxClassSize)
        {
            ulong npages = (size + FpmLayout.FPM_PAGE_SIZE - 1) / FpmLayout.FPM_PAGE_SIZE;
            ulong spanPointer = alloc_object(DSA_SCLASS_BLOCK_OF_SPANS);
            if (!DsaPointerLayout.DsaPointerIsValid(spanPointer)) return OutOfMemory(size, flags);

            Acquire(AreaLock);
            DsaSegmentMap? map = get_best_segment(npages) ?? make_new_segment(npages);
            if (map is null)
            {
                Release(AreaLock);
                dsa_free(spanPointer);
                return OutOfMemory(size, flags);
            }
            if (!map.fpm!.Get(npages, out ulong firstPage))
                throw new PgFatalException(FatalLevel.Fatal, $"dsa_allocate could not find {npages} free pages");
            Release(AreaLock);

            ulong startPointer = P.DSA_MAKE_POINTER(map.Index, firstPage * FpmLayout.FPM_PAGE_SIZE);

            Acquire(PoolLock(DSA_SCLASS_SPAN_LARGE));
            init_span(spanPointer, PoolAddr(DSA_SCLASS_SPAN_LARGE), startPointer, npages, DSA_SCLASS_SPAN_LARGE);
            WrDp(map.pagemap + firstPage * (ulong)L.W, spanPointer);
            Release(PoolLock(DSA_SCLASS_SPAN_LARGE));

            if ((flags & DSA_ALLOC_ZERO) != 0) M.Fill(dsa_get_address(startPointer), size, 0);
            return startPointer;
        }

        int sizeClass = L.Classes.SizeClassFor(size);
        ulong result = alloc_object(sizeClass);
        if (!DsaPointerLayout.DsaPointerIsValid(result)) return OutOfMemory(size, flags);
        if ((flags & DSA_ALLOC_ZERO) != 0) M.Fill(dsa_get_address(result), size, 0);
        return result;
    }

    private static ulong OutOfMemory(ulong size, int flags)
    {
        if ((flags & DSA_ALLOC_NO_OOM) != 0) return DsaPointerLayout.InvalidDsaPointer;
        throw new PgErrorException("out of memory", $"Failed on DSA request of size {size}.");
    }

    /// <summary>alloc_object: one object of a class from the active span (fullness class 1),
    /// finding or making one first if there is none. Takes and releases the pool lock.</summary>
    private ulong alloc_object(int sizeClass)
    {
        ulong pool = PoolAddr(sizeClass);
        Pg.Assert(!HeldByMe(PoolLock(sizeClass)));
        Acquire(PoolLock(sizeClass));
        ulong result;
        if (!DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, 1)) && !ensure_active_superblock(pool, sizeClass))
        {
            result = DsaPointerLayout.InvalidDsaPointer;
        }
        else
        {
            ulong span = dsa_get_address(PoolSpans(pool, 1));
            Pg.Assert(SpanU16(span, L.SPAN_nallocatable) > 0);
            ulong block = SpanStart(span);
            ulong size = (ulong)L.Classes.Size(sizeClass);
            ushort firstfree = SpanU16(span, L.SPAN_firstfree);
            if (firstfree != DSA_SPAN_NOTHING_FREE)
            {
                result = block + firstfree * size;
                ulong obj = dsa_get_address(result);
                SetSpanU16(span, L.SPAN_firstfree, M.ReadU16(obj)); // NextFreeObjectIndex
            }
            else
            {
                ushort ninit = SpanU16(span, L.SPAN_ninitialized);
                result = block + ninit * size;
                SetSpanU16(span, L.SPAN_ninitialized, ninit + 1);
            }
            SetSpanU16(span, L.SPAN_nallocatable, SpanU16(span, L.SPAN_nallocatable) - 1);
            if (SpanU16(span, L.SPAN_nallocatable) == 0) transfer_first_span(pool, 1, DSA_FULLNESS_CLASSES - 1);
        }
        Pg.Assert(HeldByMe(PoolLock(sizeClass)));
        Release(PoolLock(sizeClass));
        return result;
    }

    /// <summary>ensure_active_superblock: puts a span with free objects at the head of fullness
    /// class 1: re-sorts class 2 by fullness, else borrows from class 2 or 0, else makes a new
    /// superblock (taking a span object from pool 0 and pages under the area lock).</summary>
    private bool ensure_active_superblock(ulong pool, int sizeClass)
    {
        Pg.Assert(HeldByMe(PoolLock(sizeClass)));
        int nmax = Nmax(sizeClass);
        ulong npages = 1;

        for (int fclass = 2; fclass < DSA_FULLNESS_CLASSES - 1; ++fclass)
        {
            ulong spanPointer = PoolSpans(pool, fclass);
            while (DsaPointerLayout.DsaPointerIsValid(spanPointer))
            {
                ulong span = dsa_get_address(spanPointer);
                ulong nextSpanPointer = SpanNext(span);
                int tfclass = (nmax - SpanU16(span, L.SPAN_nallocatable)) * (DSA_FULLNESS_CLASSES - 1) / nmax;
                ulong nextspan = DsaPointerLayout.DsaPointerIsValid(SpanNext(span)) ? dsa_get_address(SpanNext(span)) : 0;
                if (tfclass < fclass)
                {
                    if (PoolSpans(pool, fclass) == spanPointer)
                    {
                        Pg.Assert(!DsaPointerLayout.DsaPointerIsValid(SpanPrev(span)));
                        SetPoolSpans(pool, fclass, SpanNext(span));
                        if (nextspan != 0) SetSpanPrev(nextspan, DsaPointerLayout.InvalidDsaPointer);
                    }
                    else
                    {
                        Pg.Assert(DsaPointerLayout.DsaPointerIsValid(SpanPrev(span)));
                        ulong prevspan = dsa_get_address(SpanPrev(span));
                        SetSpanNext(prevspan, SpanNext(span));
                    }
                    if (nextspan != 0) SetSpanPrev(nextspan, SpanPrev(span));

                    SetSpanNext(span, PoolSpans(pool, tfclass));
                    SetPoolSpans(pool, tfclass, spanPointer);
                    SetSpanPrev(span, DsaPointerLayout.InvalidDsaPointer);
                    if (DsaPointerLayout.DsaPointerIsValid(SpanNext(span)))
                        SetSpanPrev(dsa_get_address(SpanNext(span)), spanPointer);
                    SetSpanU16(span, L.SPAN_fclass, tfclass);
                }
                spanPointer = nextSpanPointer;
            }
            if (DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, 1))) return true;
        }

        Pg.Assert(!DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, 1)));
        for (int fclass = 2; fclass < DSA_FULLNESS_CLASSES - 1; ++fclass)
            if (transfer_first_span(pool, fclass, 1)) return true;
        if (!DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, 1)) && transfer_first_span(pool, 0, 1)) return true;

        // A new superblock; a block of spans describes itself, anything else needs a span object.
        ulong newSpan = 0;
        if (sizeClass != DSA_SCLASS_BLOCK_OF_SPANS)
        {
            newSpan = alloc_object(DSA_SCLASS_BLOCK_OF_SPANS);
            if (!DsaPointerLayout.DsaPointerIsValid(newSpan)) return false;
            npages = DSA_PAGES_PER_SUPERBLOCK;
        }

        Acquire(AreaLock);
        DsaSegmentMap? map = get_best_segment(npages);
        if (map is null)
        {
            map = make_new_segment(npages);
            if (map is null)
            {
                Release(AreaLock);
                // finding D1: PostgreSQL returns without freeing the span object taken above
                if (sizeClass != DSA_SCLASS_BLOCK_OF_SPANS)
                {
                    if (Options.FixSuperblockSpanLeak) dsa_free(newSpan);
                    else LeakedSpanObjects.Add(newSpan);
                }
                return false;
            }
        }
        if (!map.fpm!.Get(npages, out ulong firstPage))
            throw new PgFatalException(FatalLevel.Fatal, $"dsa_allocate could not find {npages} free pages for superblock");
        Release(AreaLock);

        ulong startPointer = P.DSA_MAKE_POINTER(map.Index, firstPage * FpmLayout.FPM_PAGE_SIZE);
        if (sizeClass == DSA_SCLASS_BLOCK_OF_SPANS) newSpan = startPointer;

        init_span(newSpan, pool, startPointer, npages, sizeClass);
        for (ulong i = 0; i < npages; ++i) WrDp(map.pagemap + (firstPage + i) * (ulong)L.W, newSpan);
        return true;
    }

    /// <summary>init_span: a new span at the head of fullness class 1 (pool lock held).</summary>
    private void init_span(ulong spanPointer, ulong pool, ulong start, ulong npages, int sizeClass)
    {
        ulong span = dsa_get_address(spanPointer);
        Pg.Assert(HeldByMe(PoolLock(sizeClass)));
        if (DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, 1)))
            SetSpanPrev(dsa_get_address(PoolSpans(pool, 1)), spanPointer);
        WrDp(span + L.SPAN_pool, PoolToDsaPointer(pool));
        SetSpanNext(span, PoolSpans(pool, 1));
        SetSpanPrev(span, DsaPointerLayout.InvalidDsaPointer);
        SetPoolSpans(pool, 1, spanPointer);

        WrDp(span + L.SPAN_start, start);
        M.WriteU64(span + L.SPAN_npages, npages);
        SetSpanU16(span, L.SPAN_size_class, sizeClass);
        SetSpanU16(span, L.SPAN_ninitialized, 0);
        if (sizeClass == DSA_SCLASS_BLOCK_OF_SPANS)
        {
            // slot 0 is this descriptor
            SetSpanU16(span, L.SPAN_ninitialized, 1);
            SetSpanU16(span, L.SPAN_nallocatable, (int)(FpmLayout.FPM_PAGE_SIZE / (ulong)L.Classes.Size(sizeClass) - 1));
        }
        else if (sizeClass != DSA_SCLASS_SPAN_LARGE)
        {
            SetSpanU16(span, L.SPAN_nallocatable, DSA_SUPERBLOCK_SIZE / L.Classes.Size(sizeClass));
        }
        // A large span's nallocatable is left as the recycled span object held it (and nmax copies
        // it), as dsa.c does: nothing reads them for a large span, but dsa_dump prints them, and
        // PostgreSQL's golden vectors (tools/pg-golden/dsa) show the stale counts of the small span
        // this object described before; writing 0 here made the port's dump differ from dsa.c's.
        SetSpanU16(span, L.SPAN_firstfree, DSA_SPAN_NOTHING_FREE);
        SetSpanU16(span, L.SPAN_nmax, SpanU16(span, L.SPAN_nallocatable));
        SetSpanU16(span, L.SPAN_fclass, 1);
    }

    /// <summary>transfer_first_span: moves the head of fullness class <paramref name="fromclass"/>
    /// to the head of <paramref name="toclass"/>; false if the source list is empty.</summary>
    private bool transfer_first_span(ulong pool, int fromclass, int toclass)
    {
        ulong spanPointer = PoolSpans(pool, fromclass);
        if (!DsaPointerLayout.DsaPointerIsValid(spanPointer)) return false;

        ulong span = dsa_get_address(spanPointer);
        SetPoolSpans(pool, fromclass, SpanNext(span));
        if (DsaPointerLayout.DsaPointerIsValid(SpanNext(span)))
            SetSpanPrev(dsa_get_address(SpanNext(span)), DsaPointerLayout.InvalidDsaPointer);

        SetSpanNext(span, PoolSpans(pool, toclass));
        SetPoolSpans(pool, toclass, spanPointer);
        if (DsaPointerLayout.DsaPointerIsValid(SpanNext(span)))
            SetSpanPrev(dsa_get_address(SpanNext(span)), spanPointer);
        SetSpanU16(span, L.SPAN_fclass, toclass);
        return true;
    }

    // ------------------------------------------------------------------ free

    /// <summary>dsa_free: returns an object to its span (or a large object's pages to its
    /// segment). The pointer is not validated: a double free corrupts the span's free list.</summary>
    public void dsa_free(ulong dp)
    {
        Live();
        check_for_freed_segments();

        DsaSegmentMap map = get_segment_by_index(P.DSA_EXTRACT_SEGMENT_NUMBER(dp));
        ulong pageno = P.DSA_EXTRACT_OFFSET(dp) / FpmLayout.FPM_PAGE_SIZE;
        // unlocked: the caller's object is live, so its span and pagemap entry are stable
        ulong spanPointer = RdDpShared(map.pagemap + pageno * (ulong)L.W);
        ulong span = dsa_get_address(spanPointer);
        ulong spanStart = RdDpShared(span + L.SPAN_start);
        ulong superblock = dsa_get_address(spanStart);
        ulong obj = dsa_get_address(dp);
        int sizeClass = (int)(Rt.SharedRead32(span + L.SPAN_size_class) & 0xffff);
        ulong size = (ulong)L.Classes.Size(sizeClass);

        if (sizeClass == DSA_SCLASS_SPAN_LARGE)
        {
            ulong npages = Rt.SharedRead64(span + L.SPAN_npages);
            if (Options.ClobberFreedMemory) M.Fill(obj, npages * FpmLayout.FPM_PAGE_SIZE, 0x7f);

            Acquire(AreaLock);
            map.fpm!.Put(P.DSA_EXTRACT_OFFSET(spanStart) / FpmLayout.FPM_PAGE_SIZE, npages);
            bool rebinLate = (Options.Canary & DsaCanary.RebinWithoutAreaLock) != 0;
            if (!rebinLate) rebin_segment(map);
            Release(AreaLock);
            if (rebinLate) rebin_segment(map);

            bool unlocked = (Options.Canary & DsaCanary.LargeUnlinkWithoutPoolLock) != 0;
            if (!unlocked) Acquire(PoolLock(DSA_SCLASS_SPAN_LARGE));
            unlink_span(span);
            if (!unlocked) Release(PoolLock(DSA_SCLASS_SPAN_LARGE));
            dsa_free(spanPointer);
            return;
        }

        if (Options.ClobberFreedMemory) M.Fill(obj, size, 0x7f);

        bool pushEarly = (Options.Canary & DsaCanary.FreeListPushBeforePoolLock) != 0;
        if (pushEarly) PushFree(span, obj, superblock, size);
        Acquire(PoolLock(sizeClass));
        Pg.Assert(obj >= superblock);
        Pg.Assert(obj < superblock + DSA_SUPERBLOCK_SIZE);
        Pg.Assert((obj - superblock) % size == 0);
        if (!pushEarly) PushFree(span, obj, superblock, size);
        SetSpanU16(span, L.SPAN_nallocatable, SpanU16(span, L.SPAN_nallocatable) + (Options.FuzzCanary.HasFlag(DsaFuzzCanary.FreeToFullSpanForgetsCount) && SpanU16(span, L.SPAN_nallocatable) == 0 ? 0 : 1));

        if (SpanU16(span, L.SPAN_nallocatable) == 1 && SpanU16(span, L.SPAN_fclass) == DSA_FULLNESS_CLASSES - 1)
        {
            // it was full, in the class no allocation scans: make it findable again
            unlink_span(span);
            add_span_to_fullness_class(span, spanPointer, DSA_FULLNESS_CLASSES - 2);
        }
        else if (SpanU16(span, L.SPAN_nallocatable) == SpanU16(span, L.SPAN_nmax)
                 && (SpanU16(span, L.SPAN_fclass) != 1 || SpanPrev(span) != DsaPointerLayout.InvalidDsaPointer))
        {
            // entirely free and not the active span (keeping that one avoids thrashing)
            destroy_superblock(spanPointer);
        }
        Release(PoolLock(sizeClass));
    }

    /// <summary>Links a freed object at the head of its span's free list (pool lock held).</summary>
    private void PushFree(ulong span, ulong obj, ulong superblock, ulong size)
    {
        M.WriteU16(obj, SpanU16(span, L.SPAN_firstfree));
        SetSpanU16(span, L.SPAN_firstfree, (int)((obj - superblock) / size));
    }

    /// <summary>dsa_trim: destroys every entirely free span in fullness class 1 of every pool,
    /// the active one included (the only path that frees an active span).</summary>
    public void dsa_trim()
    {
        Live();
        for (int sizeClass = L.Classes.DSA_NUM_SIZE_CLASSES - 1; sizeClass >= 0; --sizeClass)
        {
            if (sizeClass == DSA_SCLASS_SPAN_LARGE) continue;
            ulong pool = PoolAddr(sizeClass);
            Acquire(PoolLock(sizeClass));
            ulong spanPointer = PoolSpans(pool, 1);
            while (DsaPointerLayout.DsaPointerIsValid(spanPointer))
            {
                ulong span = dsa_get_address(spanPointer);
                ulong next = SpanNext(span);
                if (SpanU16(span, L.SPAN_nallocatable) == SpanU16(span, L.SPAN_nmax)) destroy_superblock(spanPointer);
                spanPointer = next;
            }
            Release(PoolLock(sizeClass));
        }
    }

    /// <summary>destroy_superblock: gives a span's pages back to its segment's FPM (freeing the
    /// segment if it is now entirely free and not segment 0), then frees the span object.</summary>
    private void destroy_superblock(ulong spanPointer)
    {
        ulong span = dsa_get_address(spanPointer);
        // read before the pages go back: the FPM writes into them, and a block of spans' own
        // descriptor is in its page
        int sizeClass = SpanU16(span, L.SPAN_size_class);
        ulong start = SpanStart(span);
        ulong npages = SpanNpages(span);

        unlink_span(span);

        Acquire(AreaLock);
        check_for_freed_segments_locked();
        DsaSegmentMap map = get_segment_by_index(P.DSA_EXTRACT_SEGMENT_NUMBER(start));
        map.fpm!.Put(P.DSA_EXTRACT_OFFSET(start) / FpmLayout.FPM_PAGE_SIZE, npages);
        if (map.fpm.Largest == HdrU64(map.header, DsaLayout.HDR_usable_pages))
        {
            ulong index = map.Index;
            if (index != 0)
            {
                unlink_segment(map);
                M.WriteU8(map.header + DsaLayout.HDR_freed, 1);
                ulong segSize = HdrU64(map.header, DsaLayout.HDR_size);
                ulong total = Ctl(L.CTL_total_segment_size);
                Pg.Assert(total >= segSize);
                SetCtl(L.CTL_total_segment_size, total - segSize);
                Dsm.dsm_unpin_segment(Shmem.DsmBackend.dsm_segment_handle(map.segment!));
                Dsm.dsm_detach(map.segment!);
                M.WriteU32(control + DsaLayout.CTL_segment_handles + 4 * index, Shmem.DsmConstants.DSM_HANDLE_INVALID);
                SetCtl(L.CTL_freed_segment_counter, Ctl(L.CTL_freed_segment_counter) + 1);
                map.Clear();
            }
        }
        if (map.header != 0) rebin_segment(map);
        Release(AreaLock);

        if (sizeClass != DSA_SCLASS_BLOCK_OF_SPANS) dsa_free(spanPointer);
    }

    /// <summary>unlink_span: removes a span from its fullness-class list (its pool's lock held).</summary>
    private void unlink_span(ulong span)
    {
        ulong next = SpanNext(span), prev = SpanPrev(span);
        if (DsaPointerLayout.DsaPointerIsValid(next)) SetSpanPrev(dsa_get_address(next), prev);
        if (DsaPointerLayout.DsaPointerIsValid(prev)) SetSpanNext(dsa_get_address(prev), next);
        else SetPoolSpans(dsa_get_address(SpanPool(span)), SpanU16(span, L.SPAN_fclass), next);
    }

    /// <summary>add_span_to_fullness_class: pushes a span at the head of a class list.</summary>
    private void add_span_to_fullness_class(ulong span, ulong spanPointer, int fclass)
    {
        ulong pool = dsa_get_address(SpanPool(span));
        if (DsaPointerLayout.DsaPointerIsValid(PoolSpans(pool, fclass)))
            SetSpanPrev(dsa_get_address(PoolSpans(pool, fclass)), spanPointer);
        SetSpanPrev(span, DsaPointerLayout.InvalidDsaPointer);
        SetSpanNext(span, PoolSpans(pool, fclass));
        SetPoolSpans(pool, fclass, spanPointer);
        SetSpanU16(span, L.SPAN_fclass, fclass);
    }
}
