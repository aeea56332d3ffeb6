// Tests of Storage/SimWal.cs: LSN growth, XLogFlush/XLogNeedsFlush, the failure text for a flush
// past the inserted WAL, a crash keeping exactly the flushed part, and the write-ahead rule as
// FlushPage applies it together with SimStorage.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Xunit;

namespace Allocator.Tests.Storage;

public class SimWalTests
{
    private static readonly RelFileLocator Rel = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384);
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    [Fact]
    public void Advance_GrowsByMaxAlignedSizes()
    {
        var w = new SimWal(1000);
        Assert.Equal(1008UL, w.Advance(3));
        Assert.Equal(1032UL, w.Advance(24));
        Assert.Equal(1032UL, w.InsertLsn);
        Assert.Equal(1000UL, w.FlushedLsn);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Advance(0));
    }

    [Fact]
    public void Flush_AndNeedsFlush()
    {
        var w = new SimWal();
        ulong a = w.Advance(100), b = w.Advance(100);
        Assert.True(w.XLogNeedsFlush(a));
        w.XLogFlush(a);
        Assert.Equal(a, w.FlushedLsn);
        Assert.False(w.XLogNeedsFlush(a));
        Assert.True(w.XLogNeedsFlush(b));
        w.XLogFlush(a - 8); // already durable: no-op
        Assert.Equal(1, w.FlushCount);
        w.XLogFlush(b);
        Assert.Equal(b, w.FlushedLsn);
    }

    [Fact]
    public void Flush_PastInsert_FlushesAllThenErrors()
    {
        var w = new SimWal(0x1_0000_0000UL);
        ulong a = w.Advance(16);
        var e = Assert.Throws<PgErrorException>(() => w.XLogFlush(0x2_0000_0040UL));
        Assert.Equal("xlog flush request 2/40 is not satisfied --- flushed only to 1/10", e.Message);
        Assert.Equal(a, w.FlushedLsn);
    }

    [Fact]
    public void Crash_KeepsExactlyTheFlushedPart()
    {
        var w = new SimWal();
        ulong a = w.Advance(40);
        w.XLogFlush(a);
        w.Advance(40);
        w.Advance(8);
        w.Crash();
        Assert.Equal(a, w.InsertLsn);
        Assert.Equal(a, w.FlushedLsn);
        Assert.Equal(a + 16, w.Advance(16));
    }

    [Fact]
    public void WriteAheadRule_Assertion()
    {
        var w = new SimWal(0x100);
        var page = new byte[1024];
        PageHeader.PageInit(page);
        ulong lsn = w.Advance(64);
        PageHeader.PageSetLSN(page, lsn);
        var e = Assert.Throws<AssertionFailureException>(() => w.AssertWriteAheadRule(page));
        Assert.Contains("page LSN 0/140 <= flushed WAL 0/100", e.Message);
        w.XLogFlush(lsn);
        w.AssertWriteAheadRule(page);
    }

    [Fact]
    public void FlushPage_FlushesWalFirst_ChecksumsACopy_Writes()
    {
        var s = new SimStorage(1024, checksumsEnabled: true);
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 2);
        var w = new SimWal();
        var page = new byte[1024];
        PageHeader.PageInit(page);
        page[600] = 0x42;
        ulong lsn = w.Advance(200);
        w.Advance(50); // a later record that need not be flushed
        PageHeader.PageSetLSN(page, lsn);

        w.FlushPage(s, Rel, Main, 1, page, permanent: true);
        Assert.Equal(lsn, w.FlushedLsn);
        Assert.Equal(0, PageHeader.GetChecksum(page)); // caller's page untouched
        var back = new byte[1024];
        Assert.False(s.ReadVerified(Rel, Main, 1, back));
        Assert.Equal(PageChecksum.Compute(page, 1), PageHeader.GetChecksum(back));

        // Unlogged (not permanent) pages do not force WAL.
        PageHeader.PageSetLSN(page, w.Advance(8));
        w.FlushPage(s, Rel, Main, 0, page, permanent: false);
        Assert.Equal(lsn, w.FlushedLsn);
    }

    [Fact]
    public void CrashAfterFlushPage_DiskAndWalAgree()
    {
        var f = new StorageFaults();
        var s = new SimStorage(1024, true, f);
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 1);
        var w = new SimWal();
        var page = new byte[1024];
        PageHeader.PageInit(page);
        PageHeader.PageSetLSN(page, w.Advance(100));
        f.Next(StorageFaultKind.Crash);
        Assert.Throws<SimCrashException>(() => w.FlushPage(s, Rel, Main, 0, page, permanent: true));
        w.Crash();
        // WAL reached disk before the data write was attempted; the data page did not.
        Assert.Equal(PageHeader.PageGetLSN(page), w.FlushedLsn);
        Assert.True(PageHeader.IsAllZeros(s.PeekBlock(Rel, Main, 0)));
    }
}
