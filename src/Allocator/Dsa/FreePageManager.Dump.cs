// FreePageManager.Dump: FreePageManagerDump, FreePageManagerDumpBtree and FreePageManagerDumpSpans
// of freepage.c, producing the same text: the metadata line, the btree (one line per page, with the
// actual and expected parent when they disagree) or the singleton, the recycle list, and the
// non-empty freelists, each span suffixed with its size when it is not the list's nominal size.
//
// Divergences: check_stack_depth becomes a depth bound (a corrupt tree with a cycle would recurse
// forever); crossing it raises the ERROR check_stack_depth would. A span list is followed for at
// most DumpMaxSpans links (C would loop forever on a cycle), then the line ends with " ...".
using System.Globalization;
using System.Text;
using Allocator.Common;
using static Allocator.Dsa.FpmLayout;

namespace Allocator.Dsa;

public sealed partial class FreePageManager
{
    private const int DumpMaxLevel = 64;
    private const int DumpMaxSpans = 1 << 20;

    public string Dump()
    {
        ulong @base = Base;
        var buf = new StringBuilder();
        IFormatProvider inv = CultureInfo.InvariantCulture;

        buf.Append(inv, $"metadata: self {_rel.Offset(_rel.Read(_m, Address + _l.OFF_self))} max contiguous pages = {contiguous_pages}\n");

        if (btree_depth > 0)
        {
            buf.Append(inv, $"btree depth {btree_depth}:\n");
            DumpBtree(@base, btree_root, 0, 0, buf);
        }
        else if (singleton_npages > 0)
            buf.Append(inv, $"singleton: {singleton_first_page}({singleton_npages})\n");

        ulong recycle = btree_recycle;
        if (recycle != 0)
        {
            buf.Append("btree recycle:");
            DumpSpans(@base, recycle, 1, buf);
        }

        bool any = false;
        for (ulong f = 0; f < FPM_NUM_FREELISTS; ++f)
        {
            if (FreelistIsNull(f)) continue;
            if (!any)
            {
                buf.Append("freelists:\n");
                any = true;
            }
            buf.Append(inv, $"  {f + 1}:");
            DumpSpans(@base, FreelistHead(f), f + 1, buf);
        }
        return buf.ToString();
    }

    private void DumpBtree(ulong @base, ulong btp, ulong parent, int level, StringBuilder buf)
    {
        IFormatProvider inv = CultureInfo.InvariantCulture;
        if (level > DumpMaxLevel) throw new PgErrorException("stack depth limit exceeded");
        ulong pageno = PointerToPage(@base, btp);
        ulong checkParent = Parent(@base, btp);
        bool internalPage = PageMagic(btp) == FREE_PAGE_INTERNAL_MAGIC;
        buf.Append(inv, $"  {pageno}@{level} {(internalPage ? 'i' : 'l')}");
        if (parent != checkParent)
            buf.Append(inv, $" [actual parent {PointerToPage(@base, checkParent)}, expected {PointerToPage(@base, parent)}]");
        buf.Append(':');
        ulong n = Nused(btp);
        for (ulong i = 0; i < n; ++i)
        {
            ulong key = _l.Key(btp, i);
            if (internalPage)
                buf.Append(inv, $" {KeyFirst(key)}->{_rel.Offset(_rel.Read(_m, key + _l.OFF_key_second)) / FPM_PAGE_SIZE}");
            else
                buf.Append(inv, $" {KeyFirst(key)}({KeyNpages(key)})");
        }
        buf.Append('\n');
        if (internalPage)
            for (ulong i = 0; i < n; ++i)
                DumpBtree(@base, InternalChild(@base, btp, i), btp, level + 1, buf);
    }

    private void DumpSpans(ulong @base, ulong span, ulong expectedPages, StringBuilder buf)
    {
        IFormatProvider inv = CultureInfo.InvariantCulture;
        int links = 0;
        while (span != 0)
        {
            if (++links > DumpMaxSpans)
            {
                buf.Append(" ...");
                break;
            }
            ulong n = SpanNpages(span);
            if (n != expectedPages) buf.Append(inv, $" {PointerToPage(@base, span)}({n})");
            else buf.Append(inv, $" {PointerToPage(@base, span)}");
            span = SpanNext(@base, span);
        }
        buf.Append('\n');
    }
}
