// Tests of PgBufferCache: rows (NULLs for unused buffers, values from tag and state), the locked
// read through a backend, the summary and usage counts, and psql-style formatting.
using Allocator.Buffers;
using Allocator.Storage;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public class PgBufferCacheTests
{
    [Fact]
    public void Rows_ReportTagAndState_NullsForUnusedBuffers()
    {
        var p = new MiniPool();
        BufferBackends.Pin(p.Pins[0], p.Desc(1));
        BufferBackends.Pin(p.Pins[1], p.Desc(1));
        p.SetState(2, p.State(2) | BM_DIRTY);
        // tagged but not valid (a read that failed): NULLs, as the extension shows it
        p.Assign(7, MiniPool.Tag(9), BM_TAG_VALID);

        IReadOnlyList<BufferCacheRow> rows = PgBufferCache.Rows(p.Descs);
        Assert.Equal(MiniPool.N, rows.Count);
        Assert.Equal(new BufferCacheRow(2, 16384, DEFAULTTABLESPACE_OID, 5, 0, 1, false, 3, 2), rows[1]); // each first pin bumps the usage count
        Assert.Equal(true, rows[2].isdirty);
        Assert.Equal(new BufferCacheRow(8, null, null, null, null, null, null, null, null), rows[7]);
        Assert.Null(rows[MiniPool.N - 1].relfilenode);

        // through a backend: same rows, every header unlocked afterwards
        Assert.Equal(rows, PgBufferCache.Rows(p.Pins[0].Backend, p.Descs));
        for (int i = 0; i < MiniPool.N; i++) Assert.Equal(0u, p.State(i) & BM_LOCKED);
        p.Pins[0].UnpinBuffer(p.Desc(1));
        p.Pins[1].UnpinBuffer(p.Desc(1));
    }

    [Fact]
    public void Summary_AndUsageCounts()
    {
        var p = new MiniPool();
        BufferBackends.Pin(p.Pins[0], p.Desc(0)); // usage 1 -> 2
        p.SetState(3, p.State(3) | BM_DIRTY);
        BufferCacheSummary s = PgBufferCache.Summary(p.Descs);
        Assert.Equal(new BufferCacheSummary(MiniPool.Used, MiniPool.N - MiniPool.Used, 1, 1, 7.0 / 6.0), s);
        Assert.Null(PgBufferCache.Summary(new BufferDescriptors(4)).usagecount_avg); // nothing used: NULL average

        IReadOnlyList<BufferCacheUsageCount> u = PgBufferCache.UsageCounts(p.Descs);
        Assert.Equal(6, u.Count);
        Assert.Equal(new BufferCacheUsageCount(0, MiniPool.N - MiniPool.Used, 0, 0), u[0]);
        Assert.Equal(new BufferCacheUsageCount(1, MiniPool.Used - 1, 1, 0), u[1]);
        Assert.Equal(new BufferCacheUsageCount(2, 1, 0, 1), u[2]);
        p.Pins[0].UnpinBuffer(p.Desc(0));
    }

    [Fact]
    public void Format_LooksLikePsql()
    {
        var rows = new[]
        {
            new BufferCacheRow(1, 16384, 1663, 5, 0, 0, true, 5, 1),
            new BufferCacheRow(2, null, null, null, null, null, null, null, null),
        };
        string expected =
            " bufferid | relfilenode | reltablespace | reldatabase | relforknumber | relblocknumber | isdirty | usagecount | pinning_backends\n" +
            "----------+-------------+---------------+-------------+---------------+----------------+---------+------------+------------------\n" +
            "        1 |       16384 |          1663 |           5 |             0 |              0 | t       |          5 |                1\n" +
            "        2 |             |               |             |               |                |         |            |\n" +
            "(2 rows)\n";
        Assert.Equal(expected, PgBufferCache.Format(rows));
        Assert.EndsWith("(1 row)\n", PgBufferCache.Format(rows, onlyUsed: true));

        string summary = PgBufferCache.Format(new BufferCacheSummary(3, 13, 1, 0, 1.5));
        Assert.Equal(
            " buffers_used | buffers_unused | buffers_dirty | buffers_pinned | usagecount_avg\n" +
            "--------------+----------------+---------------+----------------+----------------\n" +
            "            3 |             13 |             1 |              0 |            1.5\n" +
            "(1 row)\n", summary);
    }
    [Fact]
    public void ShowBuffers_OverAPool()
    {
        var g = new BufMgrBackends(1);
        g.CreateRel(BufMgrBackends.RelA, 3);
        BufMgrDropTests.Modify(g[0], BufMgrBackends.RelA, 1, 1);
        BufMgrDropTests.Read(g[0], BufMgrBackends.RelA, 2);
        int pinned = g[0].ReadBuffer(BufMgrBackends.Rel(BufMgrBackends.RelA), ForkNumber.MAIN_FORKNUM, 2);
        string shown = PgBufferCache.Format(PgBufferCache.Rows(g.Pool), onlyUsed: true);
        string[] lines = shown.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length); // header, rule, two rows, count
        Assert.Equal("(2 rows)", lines[^1]);
        Assert.Matches(@"^ +\d+ \|       16384 \|          1663 \|           5 \|             0 \|              1 \| t       \|          1 \|                0$", lines[2]);
        Assert.Matches(@"\|              2 \| f       \|          2 \|                1$", lines[3]);
        Assert.Equal(PgBufferCache.Rows(g.Pool), PgBufferCache.Rows(g[0]));
        Assert.Equal(new BufferCacheSummary(2, 14, 1, 1, 1.5), PgBufferCache.Summary(g[0]));
        g[0].ReleaseBuffer(pinned);
    }
}
