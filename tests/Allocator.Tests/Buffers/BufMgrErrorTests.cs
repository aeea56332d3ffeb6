// Read errors and damaged pages (spec §6.1 step 4, §7.4, §16.5): an I/O error or a checksum
// failure is an ERROR after which the abort path leaves the buffer not valid with BM_IO_ERROR and
// the next read starts afresh; RBM_ZERO_ON_ERROR and zero_damaged_pages zero a damaged page with
// a WARNING instead; a torn page (a crash mid-write) fails verification.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Xunit;
using static Allocator.Buffers.BufferConstants;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrErrorTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    [Fact]
    public void ReadFault_IsAnError_AbortLeavesItInvalidWithIoError_AndTheNextReadSucceeds()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 3);
        BufMgr a = g[0];
        faults.Next(StorageFaultKind.ReadError);
        var e = Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 1));
        Assert.Equal("could not read blocks 1..1 in file \"base/5/16384\": Input/output error", e.Message);
        Assert.Single(a.Owner.IOs);
        a.AbortCurrentTransaction();
        var tag = new BufferTag(RelA.SpcOid, RelA.DbOid, RelA.RelNumber, Main, 1);
        int buf = g.Pool.Table.BufTableLookup(tag, BufTable.BufTableHashCode(tag)) + 1;
        Assert.Equal(BM_TAG_VALID | BM_IO_ERROR | BM_PERMANENT, g.State(buf) & BUF_FLAG_MASK);
        Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(g.State(buf)));
        Assert.Empty(g.CheckAll(final: true));

        int again = a.ReadBuffer(Rel(RelA), Main, 1);
        Assert.Equal(buf, again);
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, g.State(buf) & BUF_FLAG_MASK);
        Assert.Equal(((byte)1, (byte)0), g.Marker(buf));
        a.ReleaseBuffer(again);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ShortRead_IsAnError()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 1);
        faults.Next(StorageFaultKind.ShortRead);
        var e = Assert.Throws<PgErrorException>(() => g[0].ReadBuffer(Rel(RelA), Main, 0));
        Assert.Equal("could not read blocks 0..0 in file \"base/5/16384\": read only 512 of 1024 bytes", e.Message);
        g[0].AbortCurrentTransaction();
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void BitFlip_FailsTheChecksum_Error_ThenZeroOnErrorZeroesIt()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0];
        faults.Next(StorageFaultKind.BitFlip); // the stored block rots for good
        var e = Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 1));
        Assert.Equal("invalid page in block 1 of relation base/5/16384", e.Message);
        Assert.Contains(g.Pool.Elog.Messages, m => m.Level == ElogLevel.Warning && m.Text.StartsWith("page verification failed, calculated checksum", StringComparison.Ordinal));
        a.AbortCurrentTransaction();
        Assert.Empty(g.CheckAll(final: true));

        // plain reads keep failing
        Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 1));
        a.AbortCurrentTransaction();

        int buf = a.ReadBufferExtended(Rel(RelA), Main, 1, ReadBufferMode.RBM_ZERO_ON_ERROR, null);
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, g.State(buf) & BUF_FLAG_MASK);
        Assert.Contains(g.Pool.Elog.Messages, m => m.Text == "invalid page in block 1 of relation base/5/16384; zeroing out page");
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ZeroDamagedPages_ZeroesDamagedPages_AndReadsBeyondEofAsZeros()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults, zeroDamaged: true);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        faults.Next(StorageFaultKind.BitFlip);
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        a.ReleaseBuffer(buf);
        buf = a.ReadBuffer(Rel(RelA), Main, 5);
        Assert.True(PageHeader.IsAllZeros(a.ReadPage(buf)));
        Assert.Equal(1u, a.RelationGetNumberOfBlocks(Rel(RelA), Main));
        a.ReleaseBuffer(buf);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void TornPage_FailsVerification()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(1, faults: faults);
        g.CreateRel(RelA, 1);
        BufMgr a = g[0];
        int buf = a.ReadBuffer(Rel(RelA), Main, 0);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        a.Backend.Memory.Fill(a.BufferGetPage(buf) + 512, 512, 0xEE); // a change in the second sector only
        a.Backend.Memory.WriteU8(a.BufferGetPage(buf) + 100, 0x11);   // and one in the first
        a.MarkBufferDirty(buf);
        faults.Next(StorageFaultKind.TornWrite);
        Assert.Throws<SimCrashException>(() => a.FlushOneBuffer(buf));
        byte[] disk = g.Pool.Storage.PeekBlock(RelA, Main, 0);
        Assert.False(PageChecksum.PageIsVerified(disk, 0, true, out bool checksumFailure));
        Assert.True(checksumFailure);

        // after the "restart" a fresh pool over the same disk image would fail the read the same way
        var h = new BufMgrBackends(1);
        h.Pool.Storage.Create(RelA, Main);
        h.Pool.Storage.Extend(RelA, Main, 0, disk);
        var e = Assert.Throws<PgErrorException>(() => h[0].ReadBuffer(Rel(RelA), Main, 0));
        Assert.Equal("invalid page in block 0 of relation base/5/16384", e.Message);
        h[0].AbortCurrentTransaction();
        Assert.Empty(h.CheckAll(final: true));
    }

    [Fact]
    public void AnotherBackendWaitingOnAFailedRead_TakesOverTheRead()
    {
        // a second backend pinned the buffer while the first's read was failing; it waits on the
        // I/O CV, the abort wakes it, and it owns the retry
        var faults = new StorageFaults();
        var g = new BufMgrBackends(2, faults: faults);
        g.CreateRel(RelA, 2);
        BufMgr a = g[0], b = g[1];
        faults.Next(StorageFaultKind.ReadError);
        Assert.Throws<PgErrorException>(() => a.ReadBuffer(Rel(RelA), Main, 0));
        // a's read is still "in progress" (the ERROR has not been cleaned up yet)
        int bufB = 0;
        var t = new Thread(() => bufB = b.ReadBuffer(Rel(RelA), Main, 0));
        t.Start();
        ulong cv = g.Pool.BufferDescriptorGetIOCV(0);
        for (int i = 0; i < 10_000 && Allocator.Sync.ConditionVariable.Wakeup(g.Pool.InitMemory, cv).IsEmpty; i++) Thread.Sleep(1);
        Assert.False(Allocator.Sync.ConditionVariable.Wakeup(g.Pool.InitMemory, cv).IsEmpty);
        a.AbortCurrentTransaction();
        Assert.True(t.Join(30_000));
        Assert.Equal(((byte)0, (byte)0), g.Marker(bufB));
        Assert.Equal(0u, g.State(bufB) & BM_IO_ERROR);
        b.ReleaseBuffer(bufB);
        Assert.Empty(g.CheckAll(final: true));
    }
}
