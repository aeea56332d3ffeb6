// FreePageManager.Cleanup: shrinking the btree and giving its spare pages back (freepage.c:
// FreePageBtreeCleanup, FreePageBtreeRecycle, FreePageBtreeGetRecycled).
//
// Pages the btree no longer uses go on the recycle list (a span leader with npages 1, pushed at the
// head); splits and new roots take them from there first. After a Get, and after a Put that
// merged, Cleanup collapses one-key roots (a leaf root turns back into the singleton), turns a
// two-key leaf root whose only gap is the root page itself into one singleton run, and then tries
// to put recycled pages back as free pages with soft inserts, stopping at the first one that would
// need a split.
//
// Finding F2 (spec FPM8 does not hold): the soft put of a recycled page can merge the two runs
// around it and remove a key, leaving a one-key root that the (already finished) collapse loop does
// not see, so a one-key root can survive a Get. Harmless (one page stays in the btree until the
// next Cleanup); FreePageManagerCheck reports FPM8 only when asked to.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    /// <summary>FreePageBtreeCleanup: the largest run created (0 if none).</summary>
    private ulong BtreeCleanup()
    {
        ulong @base = Base;
        ulong maxContiguous = 0;

        while (!_rel.IsNull(_m, Address + _l.OFF_btree_root))
        {
            ulong root = btree_root;
            ulong nused = Nused(root);
            if (nused == 1)
            {
                Pg.Assert(btree_depth > 0, "fpm->btree_depth > 0");
                --btree_depth;
                if (PageMagic(root) == FREE_PAGE_LEAF_MAGIC)
                {
                    // The last run moves back into the struct.
                    btree_root = 0;
                    ulong k0 = _l.Key(root, 0);
                    singleton_first_page = KeyFirst(k0);
                    singleton_npages = KeyNpages(k0);
                }
                else
                {
                    Pg.Assert(PageMagic(root) == FREE_PAGE_INTERNAL_MAGIC, "root->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
                    _rel.Write(_m, Address + _l.OFF_btree_root, _rel.Read(_m, _l.Key(root, 0) + _l.OFF_key_second));
                    ulong newroot = btree_root;
                    _rel.Store(_m, @base, newroot + _l.OFF_hdr_parent, 0);
                }
                BtreeRecycle(PointerToPage(@base, root));
            }
            else if (nused == 2 && PageMagic(root) == FREE_PAGE_LEAF_MAGIC)
            {
                ulong k0 = _l.Key(root, 0), k1 = _l.Key(root, 1);
                ulong endOfFirst = Sz(KeyFirst(k0) + KeyNpages(k0));
                ulong startOfSecond = KeyFirst(k1);
                if (Sz(endOfFirst + 1) == startOfSecond)
                {
                    ulong rootPage = PointerToPage(@base, root);
                    if (endOfFirst == rootPage)
                    {
                        // The root page is the only gap between the two runs: all three become
                        // one singleton run, and the root page stops being a btree page.
                        PopSpanLeader(KeyFirst(k0));
                        PopSpanLeader(KeyFirst(k1));
                        singleton_first_page = KeyFirst(k0);
                        singleton_npages = Sz(KeyNpages(k0) + KeyNpages(k1) + 1);
                        btree_depth = 0;
                        btree_root = 0;
                        PushSpanLeader(singleton_first_page, singleton_npages);
                        Pg.Assert(maxContiguous == 0, "max_contiguous_pages == 0");
                        maxContiguous = singleton_npages;
                    }
                }
                break;
            }
            else break;
        }

        // Give recycled pages back while that needs no split; only the head is ever tried again
        // after a refusal (the page is pushed back and the loop ends).
        while (btree_recycle_count > 0)
        {
            ulong btp = BtreeGetRecycled();
            ulong firstPage = PointerToPage(@base, btp);
            ulong contiguous = PutInternal(firstPage, 1, soft: true);
            if (contiguous == 0)
            {
                BtreeRecycle(firstPage);
                break;
            }
            if (contiguous > maxContiguous) maxContiguous = contiguous;
        }
        return maxContiguous;
    }

    /// <summary>FreePageBtreeGetRecycled: pop the head of the recycle list for use as a btree page.</summary>
    private ulong BtreeGetRecycled()
    {
        ulong @base = Base;
        ulong victim = btree_recycle;
        Pg.Assert(victim != 0, "victim != NULL");
        ulong newhead = SpanNext(@base, victim);
        if (newhead != 0) _rel.Write(_m, newhead + _l.OFF_span_prev, _rel.Read(_m, victim + _l.OFF_span_prev));
        btree_recycle = newhead;
        Pg.Assert((victim - @base) % FPM_PAGE_SIZE == 0, "fpm_pointer_is_page_aligned(base, victim)");
        btree_recycle_count--;
        return victim;
    }

    /// <summary>FreePageBtreeRecycle: push page <paramref name="pageno"/> on the recycle list.</summary>
    private void BtreeRecycle(ulong pageno)
    {
        ulong @base = Base;
        ulong head = btree_recycle;
        ulong span = PageToPointer(@base, pageno);
        _m.WriteU32(span + _l.OFF_span_magic, FREE_PAGE_SPAN_LEADER_MAGIC);
        WrSize(span + _l.OFF_span_npages, 1);
        _rel.Store(_m, @base, span + _l.OFF_span_next, head);
        _rel.Store(_m, @base, span + _l.OFF_span_prev, 0);
        if (head != 0) _rel.Store(_m, @base, head + _l.OFF_span_prev, span);
        btree_recycle = span;
        btree_recycle_count++;
    }
}
