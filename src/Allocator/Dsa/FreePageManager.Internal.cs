// FreePageManager.Internal: the two workhorses of freepage.c, FreePageManagerGetInternal (best-fit
// take from the freelists, then fix the singleton or the btree) and FreePageManagerPutInternal
// (store a run, merging it with the run before and/or after it, growing the btree when a new key
// does not fit), including the soft mode Cleanup uses to give recycled pages back without growing
// the btree (the fix of 7215efdc00).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    private const string BtreeCorrupt = "free page manager btree is corrupt";

    /// <summary>FreePageManagerGetInternal.</summary>
    private bool GetInternal(ulong npages, out ulong firstPage)
    {
        ulong @base = Base;
        ulong victim = 0;
        ulong f;
        firstPage = 0;

        // Best fit: the first non-empty list at or above the request's size class. Lists below 128
        // hold one size only, so their head will do; list 128 is searched for the smallest run that
        // fits, stopping at an exact match. A list 128 with nothing big enough still ends the search.
        for (f = ListFor(npages); f < FPM_NUM_FREELISTS; ++f)
        {
            if (FreelistIsNull(f)) continue;
            if (f < FPM_NUM_FREELISTS - 1)
                victim = FreelistHead(f);
            else
            {
                ulong candidate = FreelistHead(f);
                do
                {
                    ulong cn = SpanNpages(candidate);
                    if (cn >= npages && (victim == 0 || SpanNpages(victim) > cn))
                    {
                        victim = candidate;
                        if (cn == npages) break;
                    }
                    candidate = SpanNext(@base, candidate);
                } while (candidate != 0);
            }
            break;
        }

        if (victim == 0) return false;

        // Unlink the victim from its list.
        Pg.Assert(SpanMagic(victim) == FREE_PAGE_SPAN_LEADER_MAGIC, "victim->magic == FREE_PAGE_SPAN_LEADER_MAGIC");
        ulong prev = SpanPrev(@base, victim);
        ulong next = SpanNext(@base, victim);
        if (prev != 0) _rel.Write(_m, prev + _l.OFF_span_next, _rel.Read(_m, victim + _l.OFF_span_next));
        else _rel.Write(_m, _l.Freelist(Address, f), _rel.Read(_m, victim + _l.OFF_span_next));
        if (next != 0) _rel.Write(_m, next + _l.OFF_span_prev, _rel.Read(_m, victim + _l.OFF_span_prev));
        ulong victimPage = PointerToPage(@base, victim);
        ulong victimNpages = SpanNpages(victim);

        // The cached largest may now be stale: the victim was a largest run from the big list (there
        // may be no other of its size), or it emptied the exact-size list of the largest size.
        if (f == FPM_NUM_FREELISTS - 1 && victimNpages == contiguous_pages)
            contiguous_pages_dirty = true;
        else if (f + 1 == contiguous_pages && FreelistIsNull(f))
            contiguous_pages_dirty = true;

        if (_rel.IsNull(_m, Address + _l.OFF_btree_root))
        {
            // Singleton mode: the victim is the one run kept in the struct.
            Pg.Assert(victimPage == singleton_first_page, "victim_page == fpm->singleton_first_page");
            Pg.Assert(victimNpages == singleton_npages, "victim->npages == fpm->singleton_npages");
            Pg.Assert(victimNpages >= npages, "victim->npages >= npages");
            singleton_first_page = Sz(singleton_first_page + npages);
            singleton_npages = Sz(singleton_npages - npages);
            if (singleton_npages > 0) PushSpanLeader(singleton_first_page, singleton_npages);
        }
        else
        {
            // Btree mode: an exact fit loses its key; otherwise the key moves up past the pages
            // taken and the remainder gets a leader of its own.
            BtreeSearchResult result = BtreeSearch(victimPage);
            Pg.Assert(result.Found, "result.found");
            if (victimNpages == npages)
                BtreeRemove(result.Page, result.Index);
            else
            {
                Pg.Assert(victimNpages > npages, "victim->npages > npages");
                ulong key = _l.Key(result.Page, result.Index);
                Pg.Assert(RdSize(key + _l.OFF_key_second) == victimNpages, "key->npages == victim->npages");
                WrSize(key + _l.OFF_key_first_page, Sz(RdSize(key + _l.OFF_key_first_page) + npages));
                WrSize(key + _l.OFF_key_second, Sz(RdSize(key + _l.OFF_key_second) - npages));
                if (result.Index == 0) BtreeAdjustAncestorKeys(result.Page);
                PushSpanLeader(Sz(victimPage + npages), Sz(victimNpages - npages));
            }
        }

        firstPage = PointerToPage(@base, victim);
        return true;
    }

    /// <summary>FreePageManagerPutInternal: the size of the run the pages ended up in, or 0 if a
    /// soft insert was refused because it would have needed a new btree page.</summary>
    private ulong PutInternal(ulong firstPage, ulong npages, bool soft)
    {
        ulong @base = Base;
        Pg.Assert(npages > 0, "npages > 0");

        if (btree_depth == 0)
        {
            ulong sfirst = singleton_first_page, snpages = singleton_npages;
            if (snpages == 0)
            {
                singleton_first_page = firstPage;
                singleton_npages = npages;
                PushSpanLeader(firstPage, npages);
                return singleton_npages;
            }
            if (Sz(sfirst + snpages) == firstPage)
            {
                // Extends the singleton at its end.
                singleton_npages = Sz(snpages + npages);
                PopSpanLeader(sfirst);
                PushSpanLeader(sfirst, singleton_npages);
                return singleton_npages;
            }
            if (Sz(firstPage + npages) == sfirst)
            {
                // Extends the singleton at its start.
                PopSpanLeader(sfirst);
                singleton_first_page = firstPage;
                singleton_npages = Sz(snpages + npages);
                PushSpanLeader(singleton_first_page, singleton_npages);
                return singleton_npages;
            }

            // A second, separate run: the btree must exist now. Its root is a recycled page if there
            // is one; a soft insert may not take a fresh page; otherwise the root is the first page
            // of the singleton run itself (the only free run there is).
            ulong root;
            if (!_rel.IsNull(_m, Address + _l.OFF_btree_recycle))
                root = BtreeGetRecycled();
            else if (soft)
                return 0;
            else if (GetInternal(1, out ulong rootPage))
                root = PageToPointer(@base, rootPage);
            else
                throw new PgFatalException(FatalLevel.Fatal, BtreeCorrupt);

            _m.WriteU32(root + _l.OFF_hdr_magic, FREE_PAGE_LEAF_MAGIC);
            SetNused(root, 1);
            _rel.Store(_m, @base, root + _l.OFF_hdr_parent, 0);
            ulong k0 = _l.Key(root, 0);
            WrSize(k0 + _l.OFF_key_first_page, singleton_first_page);
            WrSize(k0 + _l.OFF_key_second, singleton_npages);
            btree_root = root;
            singleton_first_page = 0;
            singleton_npages = 0;
            btree_depth = 1;

            // If the root took the last free page, key 0 describes an empty run: replace it with the
            // run being put and stop (the root then has one key and no Cleanup follows).
            if (RdSize(k0 + _l.OFF_key_second) == 0)
            {
                WrSize(k0 + _l.OFF_key_first_page, firstPage);
                WrSize(k0 + _l.OFF_key_second, npages);
                PushSpanLeader(firstPage, npages);
                return npages;
            }
        }

        BtreeSearchResult result = BtreeSearch(firstPage);
        Pg.Assert(!result.Found, "!result.found");
        ulong prevkey = 0, nextkey = 0;
        ulong np;
        ulong nindex;
        if (result.Index > 0) prevkey = _l.Key(result.Page, result.Index - 1);
        if (result.Index < Nused(result.Page))
        {
            np = result.Page;
            nindex = result.Index;
            nextkey = _l.Key(result.Page, result.Index);
        }
        else
        {
            np = BtreeFindRightSibling(@base, result.Page);
            nindex = 0;
            if (np != 0) nextkey = _l.Key(np, 0);
        }

        // Merge into the run before, and possibly the run after too.
        if (prevkey != 0 && Sz(KeyFirst(prevkey) + KeyNpages(prevkey)) >= firstPage)
        {
            bool removeNext = false;
            Pg.Assert(Sz(KeyFirst(prevkey) + KeyNpages(prevkey)) == firstPage, "prevkey->first_page + prevkey->npages == first_page");
            SetKeyNpages(prevkey, Sz(firstPage - KeyFirst(prevkey) + npages));

            if (nextkey != 0 && _opt.Canary != FpmCanary.PutForgetsNextMerge
                && Sz(KeyFirst(prevkey) + KeyNpages(prevkey)) >= KeyFirst(nextkey))
            {
                Pg.Assert(Sz(KeyFirst(prevkey) + KeyNpages(prevkey)) == KeyFirst(nextkey), "prevkey->first_page + prevkey->npages == nextkey->first_page");
                SetKeyNpages(prevkey, Sz(KeyFirst(nextkey) - KeyFirst(prevkey) + KeyNpages(nextkey)));
                PopSpanLeader(KeyFirst(nextkey));
                removeNext = true;
            }

            PopSpanLeader(KeyFirst(prevkey));
            PushSpanLeader(KeyFirst(prevkey), KeyNpages(prevkey));
            ulong merged = KeyNpages(prevkey);

            // Removing a key may restructure pages (and move prevkey), so it comes last; until
            // then prev and next overlap in the tree, which removal does not look at.
            if (removeNext) BtreeRemove(np, nindex);
            return merged;
        }

        // Merge into the run after.
        if (nextkey != 0 && Sz(firstPage + npages) >= KeyFirst(nextkey))
        {
            Pg.Assert(Sz(firstPage + npages) == KeyFirst(nextkey), "first_page + npages == nextkey->first_page");
            ulong newpages = Sz(KeyFirst(nextkey) - firstPage + KeyNpages(nextkey));
            PopSpanLeader(KeyFirst(nextkey));
            PushSpanLeader(firstPage, newpages);
            WrSize(nextkey + _l.OFF_key_first_page, firstPage);
            SetKeyNpages(nextkey, newpages);
            if (nindex == 0) BtreeAdjustAncestorKeys(np);
            return KeyNpages(nextkey);
        }

        // A new key is needed; if the leaf is full, split it and as many ancestors as needed.
        if (result.SplitPages > 0)
        {
            if (soft) return 0;

            if (result.SplitPages > btree_recycle_count)
            {
                // Take the missing pages from the free runs now, onto the recycle list; that can
                // reshape the tree, so search again. Taking pages never fills a page, so the split
                // can only have become shallower.
                ulong pagesNeeded = result.SplitPages - btree_recycle_count;
                for (ulong i = 0; i < pagesNeeded; ++i)
                {
                    if (!GetInternal(1, out ulong recyclePage))
                        throw new PgFatalException(FatalLevel.Fatal, BtreeCorrupt);
                    BtreeRecycle(recyclePage);
                }
                result = BtreeSearch(firstPage);
                Pg.Assert(result.SplitPages <= btree_recycle_count, "result.split_pages <= fpm->btree_recycle_count");
            }

            if (result.SplitPages > 0)
            {
                BtreeSplitInsert(result.Page, firstPage, npages);
                PushSpanLeader(firstPage, npages);
                return npages;
            }
        }

        Pg.Assert(Nused(result.Page) < _l.FPM_ITEMS_PER_LEAF_PAGE, "result.page->hdr.nused < FPM_ITEMS_PER_LEAF_PAGE");
        BtreeInsertLeaf(result.Page, result.Index, firstPage, npages);
        if (result.Index == 0) BtreeAdjustAncestorKeys(result.Page);
        PushSpanLeader(firstPage, npages);
        return npages;
    }
}
