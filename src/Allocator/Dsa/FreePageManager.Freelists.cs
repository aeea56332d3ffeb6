// FreePageManager.Freelists: the span leaders and the size-segregated freelists of freepage.c
// (FreePagePushSpanLeader, FreePagePopSpanLeader; struct FreePageSpanLeader).
//
// A span leader sits in the first page of every free run (and of every recycled btree page):
// {magic, npages, prev, next}. Freelist f holds the runs with min(npages, 129) - 1 == f, so lists
// 0..127 are exact sizes and list 128 collects everything of 129 pages or more. Pushes go to the
// head; the lists are doubly linked through relptrs.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    internal uint SpanMagic(ulong span) => _m.ReadU32(span + _l.OFF_span_magic);
    internal ulong SpanNpages(ulong span) => RdSize(span + _l.OFF_span_npages);
    internal ulong SpanNext(ulong @base, ulong span) => _rel.Access(_m, @base, span + _l.OFF_span_next);
    internal ulong SpanPrev(ulong @base, ulong span) => _rel.Access(_m, @base, span + _l.OFF_span_prev);

    /// <summary>The freelist a run of <paramref name="npages"/> belongs on: Min(npages, 129) - 1
    /// (wrapping for 0, as Size arithmetic does).</summary>
    internal ulong ListFor(ulong npages) => Sz(Math.Min(npages, (ulong)FPM_NUM_FREELISTS) - 1);

    /// <summary>FreePagePopSpanLeader: unlink the leader of the run at <paramref name="pageno"/>.</summary>
    private void PopSpanLeader(ulong pageno)
    {
        ulong @base = Base;
        ulong span = PageToPointer(@base, pageno);
        ulong next = SpanNext(@base, span);
        ulong prev = SpanPrev(@base, span);
        if (next != 0) _rel.Write(_m, next + _l.OFF_span_prev, _rel.Read(_m, span + _l.OFF_span_prev));
        if (prev != 0) _rel.Write(_m, prev + _l.OFF_span_next, _rel.Read(_m, span + _l.OFF_span_next));
        else
        {
            ulong f = ListFor(SpanNpages(span));
            Pg.Assert(_rel.Offset(_rel.Read(_m, _l.Freelist(Address, f))) == Sz(pageno * FPM_PAGE_SIZE),
                "relptr_offset(fpm->freelist[f]) == pageno * FPM_PAGE_SIZE");
            _rel.Write(_m, _l.Freelist(Address, f), _rel.Read(_m, span + _l.OFF_span_next));
        }
    }

    /// <summary>FreePagePushSpanLeader: write a leader at <paramref name="firstPage"/> and push it
    /// on the head of its freelist.</summary>
    private void PushSpanLeader(ulong firstPage, ulong npages)
    {
        ulong @base = Base;
        ulong f = ListFor(npages);
        ulong head = FreelistHead(f);
        ulong span = PageToPointer(@base, firstPage);
        _m.WriteU32(span + _l.OFF_span_magic, FREE_PAGE_SPAN_LEADER_MAGIC);
        WrSize(span + _l.OFF_span_npages, npages);
        _rel.Store(_m, @base, span + _l.OFF_span_next, head);
        _rel.Store(_m, @base, span + _l.OFF_span_prev, 0);
        if (head != 0) _rel.Store(_m, @base, head + _l.OFF_span_prev, span);
        _rel.Store(_m, @base, _l.Freelist(Address, f), span);
    }
}
