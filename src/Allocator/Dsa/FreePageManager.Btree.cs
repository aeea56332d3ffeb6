// FreePageManager.Btree: the btree of free runs kept in free pages (freepage.c:
// FreePageBtreeSearch, FreePageBtreeSearchInternal/Leaf, FreePageBtreeInsertInternal/Leaf,
// FreePageBtreeAdjustAncestorKeys, FreePageBtreeRemove, FreePageBtreeRemovePage,
// FreePageBtreeConsolidate, FreePageBtreeFindLeftSibling/RightSibling, FreePageBtreeFirstKey,
// FreePageBtreeSplitPage, FreePageBtreeUpdateParentPointers, and the split loop of
// FreePageManagerPutInternal).
//
// A btree page is one 4 KiB page: {magic, nused, parent} then keys. Leaf keys are the free runs
// {first_page, npages} in page order; internal keys are {first_page, child}, first_page being the
// child's first key. Every non-root page's first key equals its downlink's key.
//
// Finding F1 (a leak in PostgreSQL): FreePageBtreeRemovePage, when the page to remove (or the
// chain of single-key ancestors it climbs) reaches the root, clears btree_root and btree_depth and
// returns without recycling the root page. The root page is then in no free run, on no list, and
// not handed out: one page of the managed range is lost for good. Reached by an exact-size Get of
// the only key of a one-key root (a one-key root survives a Put that did not merge, e.g. the
// singleton-to-btree switch whose root took the last free page). FpmOptions.FixRootPageLeak
// recycles the page instead.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    /// <summary>FreePageBtreeSearchResult: the leaf and index of the key (or of where it would go),
    /// whether it is there, and how many new pages inserting a key there would need.</summary>
    internal readonly record struct BtreeSearchResult(ulong Page, ulong Index, bool Found, ulong SplitPages);

    // ------------------------------------------------------------------ page accessors

    internal uint PageMagic(ulong btp) => _m.ReadU32(btp + _l.OFF_hdr_magic);
    internal ulong Nused(ulong btp) => RdSize(btp + _l.OFF_hdr_nused);
    private void SetNused(ulong btp, ulong n) => WrSize(btp + _l.OFF_hdr_nused, n);
    internal ulong Parent(ulong @base, ulong btp) => _rel.Access(_m, @base, btp + _l.OFF_hdr_parent);
    internal ulong KeyFirst(ulong key) => RdSize(key + _l.OFF_key_first_page);
    internal ulong KeyNpages(ulong key) => RdSize(key + _l.OFF_key_second);
    private void SetKeyNpages(ulong key, ulong n) => WrSize(key + _l.OFF_key_second, n);
    internal ulong InternalChild(ulong @base, ulong btp, ulong i) => _rel.Access(_m, @base, _l.Key(btp, i) + _l.OFF_key_second);

    /// <summary>memmove of <paramref name="count"/> keys within or between pages.</summary>
    private void MoveKeys(ulong dstPage, ulong dstIndex, ulong srcPage, ulong srcIndex, ulong count)
    {
        if (count == 0) return;
        _m.Copy(_l.Key(dstPage, dstIndex), _l.Key(srcPage, srcIndex), count * _l.SIZEOF_Key);
    }

    // ------------------------------------------------------------------ search

    /// <summary>FreePageBtreeSearch.</summary>
    private BtreeSearchResult BtreeSearch(ulong firstPage)
    {
        ulong @base = Base;
        ulong btp = btree_root;
        ulong splitPages = 1;
        if (btp == 0) return new BtreeSearchResult(0, 0, false, splitPages);

        while (PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC)
        {
            ulong index = BtreeSearchInternal(btp, firstPage);
            ulong nused = Nused(btp);
            bool exact = index < nused && KeyFirst(_l.Key(btp, index)) == firstPage;

            // Without an exact match, descend left of the insertion point, so the key lands at the
            // high end of the child that covers it.
            if (!exact && index > 0) --index;

            if (nused >= _l.FPM_ITEMS_PER_INTERNAL_PAGE)
            {
                Pg.Assert(nused == _l.FPM_ITEMS_PER_INTERNAL_PAGE, "btp->hdr.nused == FPM_ITEMS_PER_INTERNAL_PAGE");
                splitPages++;
            }
            else splitPages = 0;

            Pg.Assert(index < nused, "index < btp->hdr.nused");
            ulong child = InternalChild(@base, btp, index);
            Pg.Assert(Parent(@base, child) == btp, "relptr_access(base, child->hdr.parent) == btp");
            btp = child;
        }

        ulong leafNused = Nused(btp);
        if (leafNused >= _l.FPM_ITEMS_PER_LEAF_PAGE)
        {
            Pg.Assert(leafNused == _l.FPM_ITEMS_PER_INTERNAL_PAGE, "btp->hdr.nused == FPM_ITEMS_PER_INTERNAL_PAGE");
            splitPages++;
        }
        else splitPages = 0;

        ulong i = BtreeSearchLeaf(btp, firstPage);
        bool found = i < leafNused && KeyFirst(_l.Key(btp, i)) == firstPage;
        return new BtreeSearchResult(btp, i, found, splitPages);
    }

    /// <summary>FreePageBtreeSearchInternal: index of the first key >= firstPage, or nused.</summary>
    private ulong BtreeSearchInternal(ulong btp, ulong firstPage)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
        ulong high = Nused(btp);
        Pg.Assert(high > 0 && high <= _l.FPM_ITEMS_PER_INTERNAL_PAGE, "high > 0 && high <= FPM_ITEMS_PER_INTERNAL_PAGE");
        return BinarySearch(btp, high, firstPage);
    }

    /// <summary>FreePageBtreeSearchLeaf: as BtreeSearchInternal, on a leaf.</summary>
    private ulong BtreeSearchLeaf(ulong btp, ulong firstPage)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_LEAF_MAGIC, "btp->hdr.magic == FREE_PAGE_LEAF_MAGIC");
        ulong high = Nused(btp);
        Pg.Assert(high > 0 && high <= _l.FPM_ITEMS_PER_LEAF_PAGE, "high > 0 && high <= FPM_ITEMS_PER_LEAF_PAGE");
        return BinarySearch(btp, high, firstPage);
    }

    private ulong BinarySearch(ulong btp, ulong high, ulong firstPage)
    {
        ulong low = 0;
        while (low < high)
        {
            ulong mid = (low + high) / 2;
            ulong val = KeyFirst(_l.Key(btp, mid));
            if (firstPage == val) return mid;
            if (firstPage < val) high = mid;
            else low = mid + 1;
        }
        return low;
    }

    /// <summary>FreePageBtreeFirstKey.</summary>
    private ulong BtreeFirstKey(ulong btp)
    {
        Pg.Assert(Nused(btp) > 0, "btp->hdr.nused > 0");
        if (PageMagic(btp) != FREE_PAGE_LEAF_MAGIC)
            Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
        return KeyFirst(_l.Key(btp, 0));
    }

    // ------------------------------------------------------------------ insert

    /// <summary>FreePageBtreeInsertInternal (there must be room).</summary>
    private void BtreeInsertInternal(ulong @base, ulong btp, ulong index, ulong firstPage, ulong child)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
        ulong nused = Nused(btp);
        Pg.Assert(nused < _l.FPM_ITEMS_PER_INTERNAL_PAGE, "btp->hdr.nused < FPM_ITEMS_PER_INTERNAL_PAGE");
        Pg.Assert(index <= nused, "index <= btp->hdr.nused");
        MoveKeys(btp, index + 1, btp, index, nused - index);
        ulong key = _l.Key(btp, index);
        WrSize(key + _l.OFF_key_first_page, firstPage);
        _rel.Store(_m, @base, key + _l.OFF_key_second, child);
        SetNused(btp, nused + 1);
    }

    /// <summary>FreePageBtreeInsertLeaf (there must be room).</summary>
    private void BtreeInsertLeaf(ulong btp, ulong index, ulong firstPage, ulong npages)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_LEAF_MAGIC, "btp->hdr.magic == FREE_PAGE_LEAF_MAGIC");
        ulong nused = Nused(btp);
        Pg.Assert(nused < _l.FPM_ITEMS_PER_LEAF_PAGE, "btp->hdr.nused < FPM_ITEMS_PER_LEAF_PAGE");
        Pg.Assert(index <= nused, "index <= btp->hdr.nused");
        MoveKeys(btp, index + 1, btp, index, nused - index);
        ulong key = _l.Key(btp, index);
        WrSize(key + _l.OFF_key_first_page, firstPage);
        WrSize(key + _l.OFF_key_second, npages);
        SetNused(btp, nused + 1);
    }

    /// <summary>FreePageBtreeAdjustAncestorKeys: after key 0 of <paramref name="btp"/> changed,
    /// carry the new value up while the downlink is key 0 of its parent. The downlink is at the
    /// parent's search index or one before it, because the key moved without passing another.</summary>
    private void BtreeAdjustAncestorKeys(ulong btp)
    {
        ulong @base = Base;
        ulong nused = Nused(btp);
        Pg.Assert(nused > 0, "btp->hdr.nused > 0");
        if (PageMagic(btp) == FREE_PAGE_LEAF_MAGIC)
            Pg.Assert(nused <= _l.FPM_ITEMS_PER_LEAF_PAGE, "btp->hdr.nused <= FPM_ITEMS_PER_LEAF_PAGE");
        else
        {
            Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
            Pg.Assert(nused <= _l.FPM_ITEMS_PER_INTERNAL_PAGE, "btp->hdr.nused <= FPM_ITEMS_PER_INTERNAL_PAGE");
        }
        ulong firstPage = KeyFirst(_l.Key(btp, 0));
        ulong child = btp;

        for (;;)
        {
            ulong parent = Parent(@base, child);
            if (parent == 0) break;
            ulong s = BtreeSearchInternal(parent, firstPage);
            ulong pn = Nused(parent);
            if (s >= pn)
            {
                Pg.Assert(s == pn, "s == parent->hdr.nused");
                --s;
            }
            else if (InternalChild(@base, parent, s) != child)
            {
                Pg.Assert(s > 0, "s > 0");
                --s;
            }
            Pg.Assert(s < pn, "s < parent->hdr.nused");
            Pg.Assert(InternalChild(@base, parent, s) == child, "child == check");

            WrSize(_l.Key(parent, s) + _l.OFF_key_first_page, firstPage);
            if (s > 0) break;
            child = parent;
        }
    }

    // ------------------------------------------------------------------ remove

    /// <summary>FreePageBtreeRemove: delete a leaf key; the page goes if it was its last key.</summary>
    private void BtreeRemove(ulong btp, ulong index)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_LEAF_MAGIC, "btp->hdr.magic == FREE_PAGE_LEAF_MAGIC");
        ulong nused = Nused(btp);
        Pg.Assert(index < nused, "index < btp->hdr.nused");

        if (nused == 1)
        {
            BtreeRemovePage(btp);
            return;
        }

        --nused;
        SetNused(btp, nused);
        if (index < nused) MoveKeys(btp, index, btp, index + 1, nused - index);
        if (index == 0) BtreeAdjustAncestorKeys(btp);
        BtreeConsolidate(btp);
    }

    /// <summary>FreePageBtreeRemovePage: take a page (whose keys the caller has moved or dropped)
    /// out of the tree, with every ancestor that would be left empty, and recycle them.</summary>
    private void BtreeRemovePage(ulong btp)
    {
        ulong @base = Base;
        ulong parent;
        for (;;)
        {
            parent = Parent(@base, btp);
            if (parent == 0)
            {
                // The root goes: the tree is empty. PostgreSQL does not recycle this page (F1).
                btree_root = 0;
                btree_depth = 0;
                Pg.Assert(singleton_first_page == 0, "fpm->singleton_first_page == 0");
                Pg.Assert(singleton_npages == 0, "fpm->singleton_npages == 0");
                if (_opt.FixRootPageLeak) BtreeRecycle(PointerToPage(@base, btp));
                return;
            }
            if (Nused(parent) > 1) break;
            BtreeRecycle(PointerToPage(@base, btp));
            btp = parent;
        }

        // Delete the downlink (a parent is internal, but the C code handles a leaf parent too).
        ulong firstPage = BtreeFirstKey(btp);
        ulong index;
        ulong pn = Nused(parent);
        if (PageMagic(parent) == FREE_PAGE_LEAF_MAGIC)
            index = BtreeSearchLeaf(parent, firstPage);
        else
            index = BtreeSearchInternal(parent, firstPage);
        Pg.Assert(index < pn, "index < parent->hdr.nused");
        if (index < pn - 1) MoveKeys(parent, index, parent, index + 1, pn - index - 1);
        SetNused(parent, pn - 1);
        Pg.Assert(pn - 1 > 0, "parent->hdr.nused > 0");

        BtreeRecycle(PointerToPage(@base, btp));
        if (index == 0) BtreeAdjustAncestorKeys(parent);
        BtreeConsolidate(parent);
    }

    /// <summary>FreePageBtreeConsolidate: a page under a third full merges with a sibling whose
    /// keys fit: the right sibling's keys move here, or else this page's keys move left (which
    /// leaves the ancestors' keys right).</summary>
    private void BtreeConsolidate(ulong btp)
    {
        ulong @base = Base;
        ulong max;
        bool leaf = PageMagic(btp) == FREE_PAGE_LEAF_MAGIC;
        if (leaf) max = _l.FPM_ITEMS_PER_LEAF_PAGE;
        else
        {
            Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
            max = _l.FPM_ITEMS_PER_INTERNAL_PAGE;
        }
        if (Nused(btp) >= max / 3) return;

        ulong np = BtreeFindRightSibling(@base, btp);
        if (np != 0 && Nused(btp) + Nused(np) <= max)
        {
            ulong n = Nused(btp);
            MoveKeys(btp, n, np, 0, Nused(np));
            SetNused(btp, n + Nused(np));
            if (!leaf) BtreeUpdateParentPointers(@base, btp);
            BtreeRemovePage(np);
            return;
        }

        np = BtreeFindLeftSibling(@base, btp);
        if (np != 0 && Nused(btp) + Nused(np) <= max)
        {
            ulong n = Nused(np);
            MoveKeys(np, n, btp, 0, Nused(btp));
            SetNused(np, n + Nused(btp));
            if (!leaf) BtreeUpdateParentPointers(@base, np);
            BtreeRemovePage(btp);
        }
    }

    /// <summary>FreePageBtreeFindLeftSibling: climb until a step left is possible, then descend
    /// the rightmost edge back to the same level.</summary>
    private ulong BtreeFindLeftSibling(ulong @base, ulong btp)
    {
        ulong p = btp;
        int levels = 0;
        for (;;)
        {
            ulong firstPage = BtreeFirstKey(p);
            p = Parent(@base, p);
            if (p == 0) return 0;
            ulong index = BtreeSearchInternal(p, firstPage);
            if (index > 0)
            {
                Pg.Assert(KeyFirst(_l.Key(p, index)) == firstPage, "p->u.internal_key[index].first_page == first_page");
                p = InternalChild(@base, p, index - 1);
                break;
            }
            Pg.Assert(index == 0, "index == 0");
            ++levels;
        }
        while (levels > 0)
        {
            Pg.Assert(PageMagic(p) == FREE_PAGE_INTERNAL_MAGIC, "p->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
            p = InternalChild(@base, p, Nused(p) - 1);
            --levels;
        }
        Pg.Assert(PageMagic(p) == PageMagic(btp), "p->hdr.magic == btp->hdr.magic");
        return p;
    }

    /// <summary>FreePageBtreeFindRightSibling: climb until a step right is possible, then descend
    /// the leftmost edge back to the same level.</summary>
    private ulong BtreeFindRightSibling(ulong @base, ulong btp)
    {
        ulong p = btp;
        int levels = 0;
        for (;;)
        {
            ulong firstPage = BtreeFirstKey(p);
            p = Parent(@base, p);
            if (p == 0) return 0;
            ulong index = BtreeSearchInternal(p, firstPage);
            if (index < Nused(p) - 1)
            {
                Pg.Assert(KeyFirst(_l.Key(p, index)) == firstPage, "p->u.internal_key[index].first_page == first_page");
                p = InternalChild(@base, p, index + 1);
                break;
            }
            Pg.Assert(index == Nused(p) - 1, "index == p->hdr.nused - 1");
            ++levels;
        }
        while (levels > 0)
        {
            Pg.Assert(PageMagic(p) == FREE_PAGE_INTERNAL_MAGIC, "p->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
            p = InternalChild(@base, p, 0);
            --levels;
        }
        Pg.Assert(PageMagic(p) == PageMagic(btp), "p->hdr.magic == btp->hdr.magic");
        return p;
    }

    // ------------------------------------------------------------------ split

    /// <summary>FreePageBtreeSplitPage: a recycled page becomes the right sibling and takes the top
    /// floor(nused/2) keys; the caller adds its downlink.</summary>
    private ulong BtreeSplitPage(ulong btp)
    {
        ulong @base = Base;
        ulong sib = BtreeGetRecycled();
        uint magic = PageMagic(btp);
        _m.WriteU32(sib + _l.OFF_hdr_magic, magic);
        ulong moved = Nused(btp) / 2;
        SetNused(sib, moved);
        _rel.Write(_m, sib + _l.OFF_hdr_parent, _rel.Read(_m, btp + _l.OFF_hdr_parent));
        ulong kept = Nused(btp) - moved;
        SetNused(btp, kept);
        MoveKeys(sib, 0, btp, kept, moved);
        if (magic != FREE_PAGE_LEAF_MAGIC)
        {
            Pg.Assert(magic == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
            BtreeUpdateParentPointers(@base, sib);
        }
        return sib;
    }

    /// <summary>FreePageBtreeUpdateParentPointers: point every child of an internal page at it.</summary>
    private void BtreeUpdateParentPointers(ulong @base, ulong btp)
    {
        Pg.Assert(PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC, "btp->hdr.magic == FREE_PAGE_INTERNAL_MAGIC");
        ulong n = Nused(btp);
        for (ulong i = 0; i < n; ++i)
            _rel.Store(_m, @base, InternalChild(@base, btp, i) + _l.OFF_hdr_parent, btp);
    }

    /// <summary>The split loop of FreePageManagerPutInternal: split the full leaf, insert the key
    /// in the half it belongs to, and carry the new sibling's downlink up, splitting each full
    /// ancestor and finally the root. The recycle list holds enough pages (the caller made sure).</summary>
    private void BtreeSplitInsert(ulong leaf, ulong firstPage, ulong npages)
    {
        ulong @base = Base;
        ulong splitTarget = leaf;
        ulong child = 0;
        ulong key = firstPage;

        for (;;)
        {
            ulong parent = Parent(@base, splitTarget);
            ulong sib = BtreeSplitPage(splitTarget);

            // The pending insertion (the key itself first, then a downlink) fits in one half now.
            ulong into = key < KeyFirst(_l.Key(sib, 0)) ? splitTarget : sib;
            ulong index;
            if (child == 0)
            {
                index = BtreeSearchLeaf(into, key);
                BtreeInsertLeaf(into, index, key, npages);
            }
            else
            {
                index = BtreeSearchInternal(into, key);
                BtreeInsertInternal(@base, into, index, key, child);
                _rel.Store(_m, @base, child + _l.OFF_hdr_parent, into);
            }
            if (index == 0 && into == splitTarget) BtreeAdjustAncestorKeys(splitTarget);

            if (parent == 0)
            {
                // The root split: a new internal root over the two halves.
                ulong newroot = BtreeGetRecycled();
                _m.WriteU32(newroot + _l.OFF_hdr_magic, FREE_PAGE_INTERNAL_MAGIC);
                SetNused(newroot, 2);
                _rel.Store(_m, @base, newroot + _l.OFF_hdr_parent, 0);
                ulong k0 = _l.Key(newroot, 0), k1 = _l.Key(newroot, 1);
                WrSize(k0 + _l.OFF_key_first_page, BtreeFirstKey(splitTarget));
                _rel.Store(_m, @base, k0 + _l.OFF_key_second, splitTarget);
                _rel.Store(_m, @base, splitTarget + _l.OFF_hdr_parent, newroot);
                WrSize(k1 + _l.OFF_key_first_page, BtreeFirstKey(sib));
                _rel.Store(_m, @base, k1 + _l.OFF_key_second, sib);
                _rel.Store(_m, @base, sib + _l.OFF_hdr_parent, newroot);
                btree_root = newroot;
                btree_depth++;
                break;
            }

            key = KeyFirst(_l.Key(sib, 0));
            if (Nused(parent) < _l.FPM_ITEMS_PER_INTERNAL_PAGE)
            {
                ulong pi = BtreeSearchInternal(parent, key);
                BtreeInsertInternal(@base, parent, pi, key, sib);
                _rel.Store(_m, @base, sib + _l.OFF_hdr_parent, parent);
                if (pi == 0) BtreeAdjustAncestorKeys(parent);
                break;
            }

            child = sib;
            splitTarget = parent;
        }
    }
}
