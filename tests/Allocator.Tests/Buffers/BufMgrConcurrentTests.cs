// Two to four backends on real threads (production runtime) reading, dirtying (WAL-logged, under
// the exclusive content lock), hint-dirtying and evicting in a small pool, with a relation larger
// than the pool so that dirty victims are written back and re-read all the time. Each block
// carries a counter bumped under its exclusive lock; every bump must survive (no lost write, no
// stale read), and the checkers must be clean at the end.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Xunit;
using static Allocator.Tests.Buffers.BufMgrBackends;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrConcurrentTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private const int CounterOff = PageHeader.SizeOfPageHeaderData + 4;

    [Theory]
    [InlineData(2, 16, 24, 1)]
    [InlineData(3, 16, 40, 2)]
    [InlineData(4, 16, 40, 3)]
    public void Backends_ReadDirtyEvict_NoLostUpdates(int n, int nbuffers, int nblocks, ulong seed)
    {
        var g = new BufMgrBackends(n, nbuffers);
        g.CreateRel(RelA, (uint)nblocks);
        const int Ops = 400;
        var bumps = new int[nblocks];
        BufferAccessStrategy?[] rings = new BufferAccessStrategy?[n];
        List<string> errors = g.RunThreads((me, b) =>
        {
            var rng = new Prng(Prng.Derive(seed, (ulong)me));
            BufferAccessStrategy? ring = me == n - 1 ? BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, g.Pool.Descriptors, g.Pool.BlckSz) : null;
            rings[me] = ring;
            for (int i = 0; i < Ops; i++)
            {
                uint blk = (uint)rng.Index(nblocks);
                int op = rng.Index(10);
                int buf = b.ReadBufferExtended(Rel(RelA), Main, blk, ReadBufferMode.RBM_NORMAL, op < 3 ? ring : null);
                ulong page = b.BufferGetPage(buf);
                if (op < 6)
                {
                    b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
                    if (b.Backend.Memory.ReadU8(page + PageHeader.SizeOfPageHeaderData) != (byte)blk)
                        throw new InvalidOperationException($"block {blk} read into buffer {buf} shows block {b.Backend.Memory.ReadU8(page + PageHeader.SizeOfPageHeaderData)}");
                    if (op == 5)
                    {
                        b.Backend.Memory.WriteU8(page + 200, (byte)(me + 1)); // a hint
                        b.MarkBufferDirtyHint(buf, true);
                    }
                    b.UnlockReleaseBuffer(buf);
                }
                else
                {
                    b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
                    uint c = b.Backend.Memory.ReadU32(page + CounterOff);
                    b.Backend.Memory.WriteU32(page + CounterOff, c + 1);
                    ulong lsn;
                    lock (g.Pool.StorageLock) lsn = g.Pool.Wal.Advance(64);
                    PageHeader.PageSetLSN(b.Backend.Memory.Span(page, 24), lsn);
                    b.MarkBufferDirty(buf);
                    Interlocked.Increment(ref bumps[blk]);
                    if (op == 9) b.FlushOneBuffer(buf);
                    b.UnlockReleaseBuffer(buf);
                }
            }
            b.CommitTransaction();
        });
        Assert.Empty(errors);
        Assert.DoesNotContain(g.Pool.Elog.Messages, m => m.Level == ElogLevel.Warning);
        Assert.Empty(g.CheckAll(final: true, rings: rings));

        // every bump is there, whether the page is resident or was written back
        BufMgr a = g[0];
        for (uint blk = 0; blk < nblocks; blk++)
        {
            int buf = a.ReadBuffer(Rel(RelA), Main, blk);
            Assert.Equal((uint)bumps[blk], a.Backend.Memory.ReadU32(a.BufferGetPage(buf) + CounterOff));
            a.ReleaseBuffer(buf);
        }
        // and the disk never holds a page whose LSN is beyond the flushed WAL
        for (uint blk = 0; blk < nblocks; blk++)
        {
            byte[] disk = g.Pool.Storage.PeekBlock(RelA, Main, blk);
            Assert.True(PageHeader.PageGetLSN(disk) <= g.Pool.Wal.FlushedLsn);
            Assert.True(PageChecksum.PageIsVerified(disk, blk, true, out _));
        }
        Assert.Empty(g.CheckAll(final: true, rings: rings));
    }

    /// <summary>The same workload with read and write errors scheduled throughout: each ERROR is
    /// followed by AbortCurrentTransaction (pins, in-progress I/Os and content locks released, waiters
    /// on a failed read woken to retry it). Failed writes keep the page dirty in memory, so still no
    /// bump may be lost; at the end nothing is pinned, locked or in progress.</summary>
    [Theory]
    [InlineData(2, 11)]
    [InlineData(4, 12)]
    public void Backends_WithIoErrors_AbortAndRecover(int n, ulong seed)
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(n, 16, faults: faults);
        g.CreateRel(RelA, 32);
        ulong created = faults.OperationCount;
        // from here on, roughly one operation in seven fails (a read or a write, whichever it fits)
        for (ulong op = created + 3; op < created + 2500; op += 7)
            faults.At(op, op % 2 == 0 ? StorageFaultKind.ReadError : StorageFaultKind.WriteError);
        faults.At(created + 2501, StorageFaultKind.ShortRead);
        const int Ops = 300;
        var bumps = new int[32];
        int aborted = 0;
        List<string> errors = g.RunThreads((me, b) =>
        {
            var rng = new Prng(Prng.Derive(seed, (ulong)me));
            for (int i = 0; i < Ops; i++)
            {
                uint blk = (uint)rng.Index(32);
                int op = rng.Index(10);
                try
                {
                    int buf = b.ReadBuffer(Rel(RelA), Main, blk);
                    ulong page = b.BufferGetPage(buf);
                    if (op < 5)
                    {
                        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
                        if (b.Backend.Memory.ReadU8(page + PageHeader.SizeOfPageHeaderData) != (byte)blk)
                            throw new InvalidOperationException($"block {blk} shows the wrong page");
                        b.UnlockReleaseBuffer(buf);
                    }
                    else
                    {
                        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
                        uint c = b.Backend.Memory.ReadU32(page + CounterOff);
                        b.Backend.Memory.WriteU32(page + CounterOff, c + 1);
                        b.MarkBufferDirty(buf);
                        Interlocked.Increment(ref bumps[blk]);
                        if (op >= 8) b.FlushOneBuffer(buf);
                        b.UnlockReleaseBuffer(buf);
                    }
                }
                catch (PgErrorException)
                {
                    Interlocked.Increment(ref aborted);
                    b.AbortCurrentTransaction();
                }
            }
            b.CommitTransaction();
        });
        Assert.Empty(errors);
        Assert.True(aborted > 0, "no fault fired");
        Assert.True(faults.Injected.Count > 0);
        Assert.Empty(g.CheckAll(final: true));
        Assert.True(faults.OperationCount > created);

        // the latest version of each block: the resident valid page if there is one (it may be dirty,
        // a failed write among its causes), else the disk; read at quiescence, without I/O (more
        // faults are scheduled)
        for (uint blk = 0; blk < 32; blk++)
        {
            var tag = new BufferTag(RelA.SpcOid, RelA.DbOid, RelA.RelNumber, Main, blk);
            int id = g.Pool.Table.BufTableLookup(tag, BufTable.BufTableHashCode(tag));
            uint counter;
            if (id >= 0 && (g.State(id + 1) & BufferConstants.BM_VALID) != 0)
                counter = g.Pool.InitMemory.ReadU32(g.Pool.BufHdrGetBlock(id) + CounterOff);
            else
                counter = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(g.Pool.Storage.PeekBlock(RelA, Main, blk).AsSpan(CounterOff));
            Assert.Equal((uint)bumps[blk], counter);
        }
        Assert.Empty(g.CheckAll(final: true));
    }
}
