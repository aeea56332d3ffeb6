// FreePageManager: a port of PostgreSQL 17's free page manager (src/backend/utils/mmgr/freepage.c,
// src/include/utils/freepage.h): FreePageManagerInitialize, FreePageManagerGet,
// FreePageManagerPut, FreePageManagerLargestContiguous, FreePageManagerUpdateLargest and
// fpm_segment_base, on simulated memory.
//
// The object is a thin view: every field of struct FreePageManager, every span leader and every
// btree page lives in simulated memory at the offsets of FpmLayout, so a stray write corrupts what
// it would corrupt in C. Pages are numbered from the base the manager was initialised with
// (page n is at base + 4096 n); the base is recomputed from the self relptr on every use, as
// fpm_segment_base does. Pointers are ulong simulated addresses, 0 being NULL.
//
// Partial files: FreePageManager.Internal.cs (GetInternal, PutInternal), .Btree.cs (search,
// insert, split, remove, consolidate, siblings), .Cleanup.cs (cleanup and the recycle list),
// .Freelists.cs (span leaders), .Dump.cs (FreePageManagerDump); FreePageManagerCheck.cs walks it.
//
// Concurrency: PostgreSQL calls the free page manager only under the lock of whatever owns it (the
// DSA area lock), so every access here is a plain SimMemory access, not a seam (ISyncRuntime) one.
//
// Divergences: Assert is Pg.Assert (always on); elog(FATAL) is PgFatalException. FPM_EXTRA_ASSERTS'
// counter exists when the layout has it; its asserts run only with FpmOptions.AssertExtra. Size
// arithmetic wraps at the profile's width.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    private readonly SimMemory _m;
    private readonly FpmLayout _l;
    private readonly RelPtr _rel;
    private readonly FpmOptions _opt;

    /// <summary>A view of the FreePageManager struct at <paramref name="address"/>.</summary>
    public FreePageManager(SimMemory memory, ulong address, FpmLayout layout, FpmOptions? options = null)
    {
        _m = memory;
        Address = address;
        _l = layout;
        _rel = layout.Rel;
        _opt = options ?? FpmOptions.Default;
        if (_opt.AssertExtra && !layout.ExtraAsserts)
            throw new ArgumentException("AssertExtra needs a layout with the FPM_EXTRA_ASSERTS counter", nameof(options));
    }

    public ulong Address { get; }
    public SimMemory Memory => _m;
    public FpmLayout Layout => _l;
    public FpmOptions Options => _opt;

    /// <summary>FreePageManagerInitialize: an empty manager at <paramref name="address"/> whose
    /// pointers are relative to <paramref name="base"/>.</summary>
    public static FreePageManager Initialize(SimMemory memory, ulong address, ulong @base, FpmLayout layout, FpmOptions? options = null)
    {
        var fpm = new FreePageManager(memory, address, layout, options);
        RelPtr rel = layout.Rel;
        rel.Store(memory, @base, address + layout.OFF_self, address);
        rel.Store(memory, @base, address + layout.OFF_btree_root, 0);
        rel.Store(memory, @base, address + layout.OFF_btree_recycle, 0);
        memory.WriteU32(address + layout.OFF_btree_depth, 0);
        memory.WriteU32(address + layout.OFF_btree_recycle_count, 0);
        fpm.singleton_first_page = 0;
        fpm.singleton_npages = 0;
        fpm.contiguous_pages = 0;
        fpm.contiguous_pages_dirty = true;
        if (layout.ExtraAsserts) fpm.free_pages = 0;
        for (ulong f = 0; f < FPM_NUM_FREELISTS; f++)
            rel.Store(memory, @base, layout.Freelist(address, f), 0);
        return fpm;
    }

    // ------------------------------------------------------------------ fields

    /// <summary>fpm_segment_base: the address relptrs are relative to.</summary>
    public ulong Base => Address - _rel.Offset(_rel.Read(_m, Address + _l.OFF_self));

    internal ulong RdSize(ulong at) => _l.Word == 8 ? _m.ReadU64(at) : _m.ReadU32(at);

    internal void WrSize(ulong at, ulong v)
    {
        if (_l.Word == 8) _m.WriteU64(at, v);
        else _m.WriteU32(at, (uint)v);
    }

    /// <summary>Size arithmetic as C does it at the profile's width.</summary>
    private ulong Sz(ulong v) => v & _l.SizeMask;

    internal ulong btree_root
    {
        get => _rel.Access(_m, Base, Address + _l.OFF_btree_root);
        set => _rel.Store(_m, Base, Address + _l.OFF_btree_root, value);
    }

    internal ulong btree_recycle
    {
        get => _rel.Access(_m, Base, Address + _l.OFF_btree_recycle);
        set => _rel.Store(_m, Base, Address + _l.OFF_btree_recycle, value);
    }

    internal uint btree_depth
    {
        get => _m.ReadU32(Address + _l.OFF_btree_depth);
        set => _m.WriteU32(Address + _l.OFF_btree_depth, value);
    }

    internal uint btree_recycle_count
    {
        get => _m.ReadU32(Address + _l.OFF_btree_recycle_count);
        set => _m.WriteU32(Address + _l.OFF_btree_recycle_count, value);
    }

    internal ulong singleton_first_page
    {
        get => RdSize(Address + _l.OFF_singleton_first_page);
        set => WrSize(Address + _l.OFF_singleton_first_page, value);
    }

    internal ulong singleton_npages
    {
        get => RdSize(Address + _l.OFF_singleton_npages);
        set => WrSize(Address + _l.OFF_singleton_npages, value);
    }

    internal ulong contiguous_pages
    {
        get => RdSize(Address + _l.OFF_contiguous_pages);
        set => WrSize(Address + _l.OFF_contiguous_pages, value);
    }

    internal bool contiguous_pages_dirty
    {
        get => _m.ReadU8(Address + _l.OFF_contiguous_pages_dirty) != 0;
        set => _m.WriteU8(Address + _l.OFF_contiguous_pages_dirty, value ? (byte)1 : (byte)0);
    }

    internal ulong free_pages
    {
        get => RdSize(Address + _l.OFF_free_pages);
        set => WrSize(Address + _l.OFF_free_pages, value);
    }

    internal bool FreelistIsNull(ulong f) => _rel.IsNull(_m, _l.Freelist(Address, f));

    internal ulong FreelistHead(ulong f) => _rel.Access(_m, Base, _l.Freelist(Address, f));

    /// <summary>fpm_page_to_pointer.</summary>
    internal ulong PageToPointer(ulong @base, ulong page) => @base + Sz(FPM_PAGE_SIZE * page);

    /// <summary>fpm_pointer_to_page.</summary>
    internal ulong PointerToPage(ulong @base, ulong ptr) => Sz(ptr - @base) / FPM_PAGE_SIZE;

    // ------------------------------------------------------------------ public API

    /// <summary>fpm_largest: the cached size of the largest run a Get could take.</summary>
    public ulong Largest => contiguous_pages;

    /// <summary>FreePageManagerGet: takes the first <paramref name="npages"/> pages of the
    /// best-fitting free run. False when no run is long enough (and for npages == 0).</summary>
    public bool Get(ulong npages, out ulong firstPage)
    {
        bool result = GetInternal(npages, out firstPage);

        // Taking pages can let Cleanup put a recycled page back, which may join two runs into one
        // larger than any before; the cached largest must see it.
        ulong cleaned = BtreeCleanup();
        if (contiguous_pages < cleaned) contiguous_pages = cleaned;

        UpdateLargest();

        if (_l.ExtraAsserts)
        {
            if (result)
            {
                if (_opt.AssertExtra) Pg.Assert(free_pages >= npages, "fpm->free_pages >= npages");
                free_pages = Sz(free_pages - npages);
            }
            if (_opt.AssertExtra)
            {
                Pg.Assert(free_pages == SumFreePages(), "fpm->free_pages == sum_free_pages(fpm)");
                Pg.Assert(contiguous_pages == LargestContiguous(), "fpm->contiguous_pages == FreePageManagerLargestContiguous(fpm)");
            }
        }
        return result;
    }

    /// <summary>FreePageManagerPut: gives back <paramref name="npages"/> pages from
    /// <paramref name="firstPage"/>, merging with free neighbours.</summary>
    public void Put(ulong firstPage, ulong npages)
    {
        Pg.Assert(npages > 0, "npages > 0");

        ulong contiguous = PutInternal(firstPage, npages, soft: false);

        // Only a merge can have opened a cleanup opportunity.
        if (contiguous > npages)
        {
            ulong cleaned = BtreeCleanup();
            if (cleaned > contiguous) contiguous = cleaned;
        }

        if (contiguous_pages < contiguous) contiguous_pages = contiguous;

        // PutInternal may have taken pages for the btree and dirtied the cached value.
        UpdateLargest();

        if (_l.ExtraAsserts)
        {
            free_pages = Sz(free_pages + npages);
            if (_opt.AssertExtra)
            {
                Pg.Assert(free_pages == SumFreePages(), "fpm->free_pages == sum_free_pages(fpm)");
                Pg.Assert(contiguous_pages == LargestContiguous(), "fpm->contiguous_pages == FreePageManagerLargestContiguous(fpm)");
            }
        }
    }

    /// <summary>FreePageManagerLargestContiguous: the largest run, read off the freelists.</summary>
    public ulong LargestContiguous()
    {
        ulong @base = Base;
        ulong largest = 0;
        if (!FreelistIsNull(FPM_NUM_FREELISTS - 1))
        {
            ulong candidate = FreelistHead(FPM_NUM_FREELISTS - 1);
            do
            {
                ulong n = SpanNpages(candidate);
                if (n > largest) largest = n;
                candidate = SpanNext(@base, candidate);
            } while (candidate != 0);
        }
        else
        {
            ulong f = FPM_NUM_FREELISTS - 1;
            do
            {
                --f;
                if (!FreelistIsNull(f))
                {
                    largest = f + 1;
                    break;
                }
            } while (f > 0);
        }
        return largest;
    }

    /// <summary>FreePageManagerUpdateLargest: recompute the cached largest if it was marked dirty.</summary>
    private void UpdateLargest()
    {
        if (!contiguous_pages_dirty) return;
        contiguous_pages = LargestContiguous();
        contiguous_pages_dirty = false;
    }

    /// <summary>sum_free_pages (FPM_EXTRA_ASSERTS): pages on the freelists, in the btree and on the
    /// recycle list.</summary>
    internal ulong SumFreePages()
    {
        ulong @base = Base;
        ulong sum = 0;
        for (ulong f = 0; f < FPM_NUM_FREELISTS; f++)
        {
            if (FreelistIsNull(f)) continue;
            ulong c = FreelistHead(f);
            do
            {
                sum = Sz(sum + SpanNpages(c));
                c = SpanNext(@base, c);
            } while (c != 0);
        }
        if (btree_depth > 0) sum += CountBtreePages(@base, btree_root);
        for (ulong r = btree_recycle; r != 0; r = SpanNext(@base, r))
        {
            Pg.Assert(SpanNpages(r) == 1, "recycle->npages == 1");
            ++sum;
        }
        return sum;
    }

    private ulong CountBtreePages(ulong @base, ulong btp)
    {
        uint magic = PageMagic(btp);
        Pg.Assert(magic == FREE_PAGE_INTERNAL_MAGIC || magic == FREE_PAGE_LEAF_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC || btp->hdr.magic == FREE_PAGE_LEAF_MAGIC");
        ulong sum = 1;
        if (magic == FREE_PAGE_INTERNAL_MAGIC)
        {
            ulong n = Nused(btp);
            for (ulong i = 0; i < n; i++) sum += CountBtreePages(@base, InternalChild(@base, btp, i));
        }
        return sum;
    }
}
