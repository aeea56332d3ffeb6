// PgBufferCache: the pg_buffercache extension (contrib/pg_buffercache/pg_buffercache_pages.c,
// PostgreSQL 17): pg_buffercache_pages as Rows, pg_buffercache_summary as Summary,
// pg_buffercache_usage_counts as UsageCounts, and Format, which prints rows the way psql prints the
// view (the harness's `show buffers`).
//
// Rows reads each descriptor under its header lock, as the extension does, so each row is
// self-consistent (the whole set is not a snapshot: no partition lock is taken). Through a backend
// it takes the lock through that backend's seam; through the pool (at quiescence, from a checker or
// a command between operations) it reads the pool's own mapping, where nobody can hold the lock.
// A buffer that is not BM_VALID|BM_TAG_VALID, or whose block is InvalidBlockNumber, gets NULLs in
// every column but bufferid, as in the extension. Summary and UsageCounts read the state words
// without the lock, as the extension does.
//
// Column names: the extension's view calls the usage count column usagecount (the C code's tuple
// descriptor says usage_count; the SQL view's name wins, since that is what users see).
#pragma warning disable CA1707 // PostgreSQL's names
using System.Globalization;
using System.Text;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

/// <summary>One row of pg_buffercache (null = SQL NULL).</summary>
public readonly record struct BufferCacheRow(
    int bufferid, uint? relfilenode, uint? reltablespace, uint? reldatabase, short? relforknumber,
    long? relblocknumber, bool? isdirty, short? usagecount, int? pinning_backends);

/// <summary>pg_buffercache_summary's one row; usagecount_avg is NULL when no buffer is used.</summary>
public readonly record struct BufferCacheSummary(
    int buffers_used, int buffers_unused, int buffers_dirty, int buffers_pinned, double? usagecount_avg);

/// <summary>One row of pg_buffercache_usage_counts.</summary>
public readonly record struct BufferCacheUsageCount(int usage_count, int buffers, int dirty, int pinned);

public static partial class PgBufferCache
{
    public static readonly string[] Columns =
    {
        "bufferid", "relfilenode", "reltablespace", "reldatabase", "relforknumber", "relblocknumber",
        "isdirty", "usagecount", "pinning_backends",
    };

    /// <summary>pg_buffercache_pages at quiescence, reading the pool's own mapping.</summary>
    public static IReadOnlyList<BufferCacheRow> Rows(BufferPool pool) => Rows(pool.Descriptors);

    /// <summary>pg_buffercache_pages run by <paramref name="backend"/> (headers locked through its seam).</summary>
    public static IReadOnlyList<BufferCacheRow> Rows(BufMgr backend) => Rows(backend.Backend, backend.Pool.Descriptors);

    /// <summary>pg_buffercache_summary over the pool, at quiescence.</summary>
    public static BufferCacheSummary Summary(BufferPool pool) => Summary(pool.Descriptors);

    /// <summary>pg_buffercache_summary run by <paramref name="backend"/> (atomic reads through its seam).</summary>
    public static BufferCacheSummary Summary(BufMgr backend) =>
        Summary(backend.Pool.Descriptors, d => BufferDescriptors.ReadState(backend.Backend.Runtime, d));

    /// <summary>pg_buffercache_usage_counts over the pool, at quiescence.</summary>
    public static IReadOnlyList<BufferCacheUsageCount> UsageCounts(BufferPool pool) => UsageCounts(pool.Descriptors);

    /// <summary>pg_buffercache_pages at quiescence, reading <paramref name="descs"/>' own mapping.</summary>
    public static IReadOnlyList<BufferCacheRow> Rows(BufferDescriptors descs)
    {
        SimMemory m = descs.InitMemory;
        var rows = new BufferCacheRow[descs.NBuffers];
        for (int i = 0; i < descs.NBuffers; i++)
        {
            BufferDesc d = descs.GetBufferDescriptor(i);
            rows[i] = MakeRow(i, m.ReadU32(d.StateAddr), BufferDescriptors.ReadTag(m, d));
        }
        return rows;
    }

    /// <summary>pg_buffercache_pages run by backend <paramref name="b"/>: each header locked through its seam.</summary>
    public static IReadOnlyList<BufferCacheRow> Rows(SyncBackend b, BufferDescriptors descs)
    {
        var rows = new BufferCacheRow[descs.NBuffers];
        for (int i = 0; i < descs.NBuffers; i++)
        {
            BufferDesc d = descs.GetBufferDescriptor(i);
            uint buf_state = BufHdrLock.LockBufHdr(b, d);
            BufferTag tag = BufferDescriptors.ReadTag(b.Memory, d);
            BufHdrLock.UnlockBufHdr(b, d, buf_state);
            rows[i] = MakeRow(i, buf_state, tag);
        }
        return rows;
    }

    private static BufferCacheRow MakeRow(int bufId, uint buf_state, BufferTag tag)
    {
        bool isvalid = (buf_state & BM_VALID) != 0 && (buf_state & BM_TAG_VALID) != 0;
        if (tag.BlockNum == InvalidBlockNumber || !isvalid)
            return new BufferCacheRow(bufId + 1, null, null, null, null, null, null, null, null);
        return new BufferCacheRow(bufId + 1, tag.RelNumber, tag.SpcOid, tag.DbOid, (short)tag.ForkNum,
            tag.BlockNum, (buf_state & BM_DIRTY) != 0, (short)BUF_STATE_GET_USAGECOUNT(buf_state),
            (int)BUF_STATE_GET_REFCOUNT(buf_state));
    }

    /// <summary>pg_buffercache_summary: unlocked reads of every state word.</summary>
    public static BufferCacheSummary Summary(BufferDescriptors descs, Func<BufferDesc, uint>? readState = null)
    {
        SimMemory m = descs.InitMemory;
        readState ??= d => m.ReadU32(d.StateAddr);
        int used = 0, unused = 0, dirty = 0, pinned = 0;
        long usageTotal = 0;
        for (int i = 0; i < descs.NBuffers; i++)
        {
            uint s = readState(descs.GetBufferDescriptor(i));
            if ((s & BM_VALID) != 0)
            {
                used++;
                usageTotal += BUF_STATE_GET_USAGECOUNT(s);
                if ((s & BM_DIRTY) != 0) dirty++;
            }
            else
            {
                unused++;
            }
            if (BUF_STATE_GET_REFCOUNT(s) > 0) pinned++;
        }
        return new BufferCacheSummary(used, unused, dirty, pinned, used != 0 ? (double)usageTotal / used : null);
    }

    /// <summary>pg_buffercache_usage_counts: per usage count 0..BM_MAX_USAGE_COUNT, unlocked reads.
    /// A usage count above the cap (corruption) would index past the C array; here it is clamped
    /// into the last row rather than faulting (BufMgrCheck's B1 reports it).</summary>
    public static IReadOnlyList<BufferCacheUsageCount> UsageCounts(BufferDescriptors descs)
    {
        SimMemory m = descs.InitMemory;
        int k = (int)BM_MAX_USAGE_COUNT + 1;
        var counts = new int[k];
        var dirty = new int[k];
        var pinned = new int[k];
        for (int i = 0; i < descs.NBuffers; i++)
        {
            uint s = m.ReadU32(descs.GetBufferDescriptor(i).StateAddr);
            int uc = Math.Min((int)BUF_STATE_GET_USAGECOUNT(s), k - 1);
            counts[uc]++;
            if ((s & BM_DIRTY) != 0) dirty[uc]++;
            if (BUF_STATE_GET_REFCOUNT(s) > 0) pinned[uc]++;
        }
        var r = new BufferCacheUsageCount[k];
        for (int i = 0; i < k; i++) r[i] = new BufferCacheUsageCount(i, counts[i], dirty[i], pinned[i]);
        return r;
    }

    /// <summary>The rows as psql prints them: centred headers, numbers right-aligned, booleans as t/f
    /// left-aligned, NULL as empty, then "(N rows)". <paramref name="onlyUsed"/> leaves out the
    /// all-NULL rows of unused buffers (as "WHERE relfilenode IS NOT NULL" would).</summary>
    public static string Format(IReadOnlyList<BufferCacheRow> rows, bool onlyUsed = false)
    {
        var cells = new List<string[]>();
        foreach (BufferCacheRow r in rows)
        {
            if (onlyUsed && r.relfilenode is null) continue;
            cells.Add(new[]
            {
                Num(r.bufferid), Num(r.relfilenode), Num(r.reltablespace), Num(r.reldatabase), Num(r.relforknumber),
                Num(r.relblocknumber), r.isdirty is bool b ? (b ? "t" : "f") : "", Num(r.usagecount), Num(r.pinning_backends),
            });
        }
        int nc = Columns.Length;
        var width = new int[nc];
        for (int c = 0; c < nc; c++) width[c] = Columns[c].Length;
        foreach (string[] row in cells)
            for (int c = 0; c < nc; c++) width[c] = Math.Max(width[c], row[c].Length);

        var sb = new StringBuilder();
        for (int c = 0; c < nc; c++)
        {
            int pad = width[c] - Columns[c].Length;
            sb.Append(c == 0 ? " " : " | ").Append(' ', pad / 2).Append(Columns[c]).Append(' ', pad - pad / 2);
        }
        sb.Append('\n');
        for (int c = 0; c < nc; c++) sb.Append(c == 0 ? "" : "+").Append('-', width[c] + 2);
        sb.Append('\n');
        foreach (string[] row in cells)
        {
            for (int c = 0; c < nc; c++)
            {
                sb.Append(c == 0 ? " " : " | ");
                bool left = c == 6; // booleans are left-aligned by psql
                if (left) sb.Append(row[c]).Append(' ', width[c] - row[c].Length);
                else sb.Append(' ', width[c] - row[c].Length).Append(row[c]);
            }
            // psql trims nothing, but trailing blanks of an all-NULL row are noise in a log
            int end = sb.Length;
            while (end > 0 && sb[end - 1] == ' ') end--;
            sb.Length = end;
            sb.Append('\n');
        }
        sb.Append(cells.Count == 1 ? "(1 row)" : $"({cells.Count} rows)").Append('\n');
        return sb.ToString();
    }

    /// <summary>The summary as psql prints its one row.</summary>
    public static string Format(BufferCacheSummary s)
    {
        string[] h = { "buffers_used", "buffers_unused", "buffers_dirty", "buffers_pinned", "usagecount_avg" };
        string[] v =
        {
            Num(s.buffers_used), Num(s.buffers_unused), Num(s.buffers_dirty), Num(s.buffers_pinned),
            s.usagecount_avg is double a ? a.ToString("0.################", CultureInfo.InvariantCulture) : "",
        };
        var sb = new StringBuilder();
        for (int c = 0; c < h.Length; c++)
        {
            int w = Math.Max(h[c].Length, v[c].Length), pad = w - h[c].Length;
            sb.Append(c == 0 ? " " : " | ").Append(' ', pad / 2).Append(h[c]).Append(' ', pad - pad / 2);
        }
        sb.Append('\n');
        for (int c = 0; c < h.Length; c++) sb.Append(c == 0 ? "" : "+").Append('-', Math.Max(h[c].Length, v[c].Length) + 2);
        sb.Append('\n');
        for (int c = 0; c < h.Length; c++)
        {
            int w = Math.Max(h[c].Length, v[c].Length);
            sb.Append(c == 0 ? " " : " | ").Append(' ', w - v[c].Length).Append(v[c]);
        }
        sb.Append("\n(1 row)\n");
        return sb.ToString();
    }

    private static string Num<T>(T? v) where T : struct, IFormattable =>
        v is T x ? x.ToString(null, CultureInfo.InvariantCulture) : "";

    private static string Num<T>(T v) where T : struct, IFormattable => v.ToString(null, CultureInfo.InvariantCulture);
}
