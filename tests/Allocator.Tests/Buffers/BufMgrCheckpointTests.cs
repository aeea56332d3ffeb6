// Tests of BufMgr.Checkpoint: BufferSync writes exactly the buffers dirty (and permanent, unless
// shutdown / flush-all) at its start, in sorted order; SyncOneBuffer's result bits; BgBufferSync
// cleaning reusable dirty buffers ahead of the clock hand, its lap and hibernation, and its
// bgwriter_lru_maxpages cap; and a crash after a checkpoint whose replay recovers every page whose
// WAL was flushed.
using Allocator.Buffers;
using Allocator.Storage;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrCheckpointTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private static readonly RelFileLocator RelA = BufMgrBackends.RelA;
    private static readonly RelFileLocator RelB = BufMgrBackends.RelB;
    private static readonly RelFileLocator RelT = new(1700, 5, 16390); // another tablespace

    private static int BufferOf(BufMgrBackends g, RelFileLocator rel, uint blk) =>
        PgBufferCache.Rows(g.Pool).Single(r => r.relfilenode == rel.RelNumber && r.reltablespace == rel.SpcOid && r.relblocknumber == blk).bufferid;

    /// <summary>At quiescence: set a buffer's usage count (as clock sweeps would have brought it down).</summary>
    private static void SetUsage(BufMgrBackends g, int buffer, uint uc)
    {
        ulong a = g.Desc(buffer).StateAddr;
        uint s = g.Pool.InitMemory.ReadU32(a);
        g.Pool.InitMemory.WriteU32(a, (s & ~BUF_USAGECOUNT_MASK) | (uc << BUF_USAGECOUNT_SHIFT));
    }

    /// <summary>A WAL-logged change, as an access method makes it: exclusive lock, change, mark dirty,
    /// insert the record (a full-page image here), set the page LSN.</summary>
    private static ulong ModifyLogged(BufMgrBackends g, BufMgr b, RelFileLocator rel, uint blk, byte version)
    {
        int buf = b.ReadBuffer(BufMgrBackends.Rel(rel), Main, blk);
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong page = b.BufferGetPage(buf);
        b.Backend.Memory.WriteU8(page + PageHeader.SizeOfPageHeaderData + 1, version);
        b.MarkBufferDirty(buf);
        ulong lsn;
        lock (g.Pool.StorageLock) lsn = g.Pool.Wal.XLogInsertFullPageImage(rel, Main, blk, b.ReadPage(buf));
        PageHeader.PageSetLSN(b.Backend.Memory.Span(page, PageHeader.SizeOfPageHeaderData), lsn);
        b.UnlockReleaseBuffer(buf);
        return lsn;
    }

    [Fact]
    public void BufferSync_WritesExactlyThePermanentPagesDirtyAtItsStart_InSortedOrder()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 4);
        g.CreateRel(RelB, 2);
        g.CreateRel(RelT, 2);
        // read in an order unlike the sort order
        BufMgrDropTests.Modify(b, RelT, 1, 5);
        BufMgrDropTests.Modify(b, RelA, 3, 1);
        BufMgrDropTests.Read(b, RelA, 1);
        BufMgrDropTests.Modify(b, RelB, 0, 2, permanent: false); // unlogged
        BufMgrDropTests.Modify(b, RelA, 0, 1);
        BufMgrDropTests.Modify(b, RelA, 2, 1);

        ulong ops = g.Pool.Storage.Faults.OperationCount;
        b.BufferSync(0);
        Assert.Equal(4, b.LastCheckpointBuffersToScan);
        Assert.Equal(4, b.LastCheckpointBuffersWritten);
        Assert.Equal(ops + 4, g.Pool.Storage.Faults.OperationCount); // exactly four writes
        Assert.Equal(new byte[] { 1, 0, 1, 1 }, new uint[] { 0, 1, 2, 3 }.Select(i => BufMgrDropTests.DiskVersion(g, RelA, i)).ToArray());
        Assert.Equal(5, BufMgrDropTests.DiskVersion(g, RelT, 1));
        Assert.Equal(0, BufMgrDropTests.DiskVersion(g, RelB, 0)); // not permanent: not this checkpoint's business
        Assert.Equal(1, PgBufferCache.Summary(g.Pool).buffers_dirty);

        // CkptBufferIds holds the sorted list: default tablespace first, blocks ascending, then 1700
        var m = g.Pool.InitMemory;
        var items = Enumerable.Range(0, 4).Select(i =>
        {
            ulong a = g.Pool.CkptBufferIds + (ulong)i * BufferPool.SIZEOF_CkptSortItem;
            return (Ts: m.ReadU32(a), Rel: m.ReadU32(a + 4), Block: m.ReadU32(a + 12), BufId: (int)m.ReadU32(a + 16));
        }).ToArray();
        Assert.Equal(new[] { (1663u, 16384u, 0u), (1663u, 16384u, 2u), (1663u, 16384u, 3u), (1700u, 16390u, 1u) },
            items.Select(x => (x.Ts, x.Rel, x.Block)).ToArray());
        Assert.Equal(BufferOf(g, RelA, 2) - 1, items[1].BufId);
        BufMgrDropTests.AssertHealthy(g);

        // nothing dirty and permanent: nothing to do
        b.BufferSync(0);
        Assert.Equal(0, b.LastCheckpointBuffersToScan);

        // a shutdown checkpoint writes unlogged pages too
        b.BufferSync(BufMgr.CHECKPOINT_IS_SHUTDOWN);
        Assert.Equal(2, BufMgrDropTests.DiskVersion(g, RelB, 0));
        Assert.Equal(0, PgBufferCache.Summary(g.Pool).buffers_dirty);
        BufMgrDropTests.AssertHealthy(g);
    }

    [Fact]
    public void BufferSync_FlushAll_WritesUnloggedPages()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelB, 2);
        BufMgrDropTests.Modify(b, RelB, 0, 3, permanent: false);
        BufMgrDropTests.Modify(b, RelB, 1, 3, permanent: false);
        b.BufferSync(BufMgr.CHECKPOINT_FLUSH_ALL);
        Assert.Equal(2, b.LastCheckpointBuffersWritten);
        Assert.Equal(3, BufMgrDropTests.DiskVersion(g, RelB, 1));
        Assert.Equal(0x0010, BufMgr.CHECKPOINT_FLUSH_ALL); // PostgreSQL 17's value
        BufMgrDropTests.AssertHealthy(g);
    }

    /// <summary>Between BufferSync's marking and its writing, another backend dirties a clean page
    /// and writes one of the marked pages itself: the checkpoint writes neither (the first was not
    /// dirty at its start, the second lost BM_CHECKPOINT_NEEDED when it was written).</summary>
    [Fact]
    public void BufferSync_OnlyPagesDirtyAtItsStart_AndSkipsOnesWrittenMeanwhile()
    {
        var g = new BufMgrBackends(0);
        g.CreateRel(RelA, 4);
        BufMgr? other = null;
        bool armed = false, fired = false;
        ulong lastStateWord = g.Pool.Descriptors.GetBufferDescriptor(g.Pool.NBuffers - 1).StateAddr;
        BufMgr ckpt = g.Pool.Attach(0, mem => new HookRuntime(new Allocator.Sync.ProductionSyncRuntime(mem, g.Pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                // phase 1 ends with the unlock of the last buffer's header
                if (!armed || fired || addr != lastStateWord) return;
                fired = true;
                BufMgrDropTests.Modify(other!, RelA, 3, 9); // dirtied after the marking
                int buf = other!.ReadBuffer(BufMgrBackends.Rel(RelA), Main, 1);
                Assert.NotEqual(0u, g.State(buf) & BM_CHECKPOINT_NEEDED);
                other.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
                other.FlushOneBuffer(buf);                  // a marked page written by someone else
                Assert.Equal(0u, g.State(buf) & BM_CHECKPOINT_NEEDED);
                other.UnlockReleaseBuffer(buf);
            },
        });
        other = g.Pool.Attach(1);
        BufMgrDropTests.Modify(other, RelA, 0, 1);
        BufMgrDropTests.Modify(other, RelA, 1, 1);
        BufMgrDropTests.Modify(other, RelA, 2, 1);
        BufMgrDropTests.Read(other, RelA, 3);

        ulong ops = g.Pool.Storage.Faults.OperationCount;
        armed = true;
        ckpt.BufferSync(0);
        Assert.True(fired);
        Assert.Equal(3, ckpt.LastCheckpointBuffersToScan);
        Assert.Equal(2, ckpt.LastCheckpointBuffersWritten);            // blocks 0 and 2
        Assert.Equal(ops + 1 + 2, g.Pool.Storage.Faults.OperationCount); // other's write of block 1, then 0 and 2
        Assert.Equal(0, BufMgrDropTests.DiskVersion(g, RelA, 3));        // dirtied after the start: not written
        Assert.Equal(1, PgBufferCache.Summary(g.Pool).buffers_dirty);
        Assert.Empty(BufMgrCheck.Check(g.Pool, new[] { ckpt, other }, quiescent: true));
    }

    /// <summary>A write ERROR in the middle of a checkpoint: the failed buffer keeps
    /// BM_CHECKPOINT_NEEDED (and stays dirty), the abort path cleans up the checkpointer, no checkpoint
    /// record is logged, and the next checkpoint writes what is left.</summary>
    [Fact]
    public void BufferSync_WriteError_LeavesTheFlag_AndTheNextCheckpointFinishes()
    {
        var faults = new StorageFaults();
        var g = new BufMgrBackends(2, faults: faults);
        BufMgr ckpt = g[0], user = g[1];
        g.CreateRel(RelA, 3);
        for (uint i = 0; i < 3; i++) ModifyLogged(g, user, RelA, i, 1);
        ulong before = g.Pool.Wal.CheckpointLsn;

        faults.At(faults.OperationCount + 1, StorageFaultKind.WriteError); // the second write fails
        var e = Assert.Throws<Allocator.Common.PgErrorException>(() => ckpt.CreateCheckPoint(0));
        Assert.StartsWith("could not write blocks 1..1", e.Message);
        ckpt.AbortCurrentTransaction();
        Assert.Equal(before, g.Pool.Wal.CheckpointLsn);
        int failed = BufferOf(g, RelA, 1);
        Assert.Equal(BM_DIRTY | BM_CHECKPOINT_NEEDED | BM_IO_ERROR, g.State(failed) & (BM_DIRTY | BM_CHECKPOINT_NEEDED | BM_IO_ERROR));
        Assert.Equal(1, BufMgrDropTests.DiskVersion(g, RelA, 0));
        Assert.Equal(0, BufMgrDropTests.DiskVersion(g, RelA, 1));
        BufMgrDropTests.AssertHealthy(g);

        ckpt.CreateCheckPoint(0);
        Assert.Equal(2, ckpt.LastCheckpointBuffersWritten);
        Assert.NotEqual(before, g.Pool.Wal.CheckpointLsn);
        Assert.Equal(0, PgBufferCache.Summary(g.Pool).buffers_dirty);
        Assert.Equal(0u, g.State(failed) & (BM_CHECKPOINT_NEEDED | BM_IO_ERROR));
        BufMgrDropTests.AssertHealthy(g);
    }

    [Fact]
    public void SyncOneBuffer_ResultBits()
    {
        var g = new BufMgrBackends(2);
        BufMgr b = g[0];
        g.CreateRel(RelA, 4);
        BufMgrDropTests.Read(b, RelA, 0);       // clean
        BufMgrDropTests.Modify(b, RelA, 1, 1);  // dirty
        BufMgrDropTests.Modify(b, RelA, 2, 1);  // dirty, will be pinned
        BufMgrDropTests.Modify(b, RelA, 3, 1);  // dirty, recently used
        int clean = BufferOf(g, RelA, 0), dirty = BufferOf(g, RelA, 1), pinned = BufferOf(g, RelA, 2), used = BufferOf(g, RelA, 3);
        foreach (int x in new[] { clean, dirty, pinned }) SetUsage(g, x, 0);
        BufMgrBackends.Pin(g[1], g.Desc(pinned));
        int unused = Enumerable.Range(1, g.Pool.NBuffers).First(x => (g.State(x) & BM_TAG_VALID) == 0);

        Assert.Equal(BufMgr.BUF_REUSABLE, b.SyncOneBuffer(clean - 1, true));
        Assert.Equal(BufMgr.BUF_REUSABLE, b.SyncOneBuffer(unused - 1, true));
        Assert.Equal(BufMgr.BUF_WRITTEN | BufMgr.BUF_REUSABLE, b.SyncOneBuffer(dirty - 1, true));
        Assert.Equal(1, BufMgrDropTests.DiskVersion(g, RelA, 1));
        Assert.Equal(0u, g.State(dirty) & BM_DIRTY);
        Assert.Equal(0, b.SyncOneBuffer(pinned - 1, true)); // not a replacement candidate: skipped
        Assert.Equal(0, b.SyncOneBuffer(used - 1, true));
        Assert.Equal(0, BufMgrDropTests.DiskVersion(g, RelA, 2));
        Assert.Equal(0, BufMgrDropTests.DiskVersion(g, RelA, 3));
        Assert.Equal(BufMgr.BUF_WRITTEN, b.SyncOneBuffer(pinned - 1, false)); // the checkpoint's way: written anyway
        Assert.Equal(BufMgr.BUF_WRITTEN, b.SyncOneBuffer(used - 1, false));
        Assert.Equal(1, BufMgrDropTests.DiskVersion(g, RelA, 2));
        Assert.Equal(0, b.SyncOneBuffer(clean - 1, false) & BufMgr.BUF_WRITTEN);
        g[1].ReleaseBuffer(pinned);
        Assert.Empty(b.Owner.Pins);
        BufMgrDropTests.AssertHealthy(g);
    }

    [Fact]
    public void BgBufferSync_CleansReusableDirtyBuffersAheadOfTheHand_ThenHibernates()
    {
        var g = new BufMgrBackends(2);
        BufMgr bgw = g[0], user = g[1];
        int n = g.Pool.NBuffers;
        g.CreateRel(RelA, (uint)n);
        for (uint i = 0; i < n; i++)
        {
            if (i < 8) BufMgrDropTests.Modify(user, RelA, i, 1);
            else BufMgrDropTests.Read(user, RelA, i);
        }
        // the clock hand has passed blocks 0..3 and 8..11 (usage 0); block 3 is pinned
        foreach (uint i in new uint[] { 0, 1, 2, 3, 8, 9, 10, 11 }) SetUsage(g, BufferOf(g, RelA, i), 0);
        int pinned = BufferOf(g, RelA, 3);
        BufMgrBackends.Pin(user, g.Desc(pinned));

        // first round: n allocations happened, so it scans a whole lap from the hand
        Assert.False(bgw.BgBufferSync());
        BgWriterState st = bgw.BgWriter;
        Assert.Equal(n, st.LastBufsToLap);
        Assert.Equal(n, st.LastScanned);
        Assert.Equal(3, st.LastWritten);
        Assert.Equal(3, st.buf_written_clean);
        Assert.Equal(n, st.buf_alloc);
        for (uint i = 0; i < 8; i++)
            Assert.Equal(i < 3 ? 1 : 0, BufMgrDropTests.DiskVersion(g, RelA, i)); // only the reusable dirty ones
        Assert.Equal(1u, st.next_passes); // it lapped the hand: one pass ahead

        // no allocations since: nothing to lap, hibernation allowed
        Assert.True(bgw.BgBufferSync());
        Assert.Equal(0, bgw.BgWriter.LastBufsToLap);
        user.ReleaseBuffer(pinned);
        BufMgrDropTests.AssertHealthy(g);
    }

    /// <summary>PostgreSQL quirk, reproduced: BgBufferSync's Assert(strategy_delta &gt;= 0) is reachable.
    /// Backend A draws clock ticket NBuffers (it must fold the hand) and is delayed; B ticks NBuffers
    /// more times, and its ticket 2*NBuffers folds the hand first, counting one pass where two
    /// happened. The position StrategySyncStart reports goes back by NBuffers (spec F4's accepted
    /// corner case) and the bgwriter's delta is negative. Once A folds, the count is right again.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BgBufferSync_ClockWrapCornerCase_TripsPostgresAssert(bool assertEnabled)
    {
        var pool = new BufferPool(new BufferPoolOptions(16, 1024, 3));
        int n = pool.NBuffers;
        HookRuntime? hooked = null;
        BufMgr a = pool.Attach(0, mem => hooked = new HookRuntime(new Allocator.Sync.ProductionSyncRuntime(mem, pool.Kernel, 1)));
        HookRuntime hook = hooked!;
        BufMgr b = pool.Attach(1), w = pool.Attach(2);
        w.BgWriter.AssertStrategyDelta = assertEnabled;
        StrategyControl sc = pool.Strategy;
        void Tick(BufMgr x) => Freelist.ClockSweepTick(x.Backend, sc);

        for (int i = 0; i < n; i++) Tick(b);       // tickets 0..N-1
        w.BgBufferSync();                           // position: 1 pass, buffer 0
        Assert.Equal(1u, w.BgWriter.prev_strategy_passes);

        Exception? tripped = null;
        bool fired = false;
        hook.AfterFetchAdd = (addr, old) =>
        {
            if (fired || addr != sc.NextVictimBufferAddr || old != (uint)n) return;
            fired = true;                           // A holds ticket N and has not folded yet
            for (int i = 0; i < n - 1; i++) Tick(b); // tickets N+1..2N-1
            w.BgBufferSync();                       // 2 passes, buffer 0
            Tick(b);                                // ticket 2N folds first: completePasses 1
            Assert.Equal(1u, sc.CompletePasses(pool.InitMemory));
            tripped = Record.Exception(() => w.BgBufferSync()); // 1 pass, buffer 1: back by N-1
        };
        Tick(a);
        Assert.True(fired);
        if (assertEnabled)
        {
            var e = Assert.IsType<Allocator.Common.AssertionFailureException>(tripped);
            Assert.Contains("strategy_delta >= 0", e.Message);
        }
        else
        {
            Assert.Null(tripped);
        }
        // A's fold counts the second pass: the position is consistent again
        Assert.Equal(2u, sc.CompletePasses(pool.InitMemory));
        Assert.Empty(FreelistCheck.Check(sc));
        Assert.Empty(BufMgrCheck.Check(pool, new[] { a, b, w }, quiescent: true));
    }

    [Fact]
    public void BgBufferSync_StopsAtLruMaxpages_AndCanBeTurnedOff()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 6);
        for (uint i = 0; i < 6; i++)
        {
            BufMgrDropTests.Modify(b, RelA, i, 1);
            SetUsage(g, BufferOf(g, RelA, i), 0);
        }
        b.BgWriter.bgwriter_lru_maxpages = 2;
        b.BgBufferSync();
        Assert.Equal(2, b.BgWriter.LastWritten);
        Assert.Equal(1, b.BgWriter.maxwritten_clean);
        Assert.Equal(4, PgBufferCache.Summary(g.Pool).buffers_dirty);

        b.BgWriter.bgwriter_lru_maxpages = 0;
        Assert.True(b.BgBufferSync());
        Assert.False(b.BgWriter.saved_info_valid);
        Assert.Equal(4, PgBufferCache.Summary(g.Pool).buffers_dirty);
        BufMgrDropTests.AssertHealthy(g);
    }

    [Fact]
    public void CrashAfterCheckpoint_RedoRecoversEveryFlushedPage()
    {
        var g = new BufMgrBackends(2);
        BufMgr ckpt = g[0], user = g[1];
        g.CreateRel(RelA, 8);
        for (uint i = 0; i < 8; i++) ModifyLogged(g, user, RelA, i, 1);

        ulong redo = ckpt.CreateCheckPoint(0);
        Assert.Equal(redo, g.Pool.Wal.CheckpointRedo);
        Assert.Equal(8, ckpt.LastCheckpointBuffersWritten);
        Assert.Equal(0, PgBufferCache.Summary(g.Pool).buffers_dirty);

        // after the checkpoint: blocks 0..3 changed again; WAL flushed only through block 1's change
        ulong l0 = ModifyLogged(g, user, RelA, 0, 2);
        ulong l1 = ModifyLogged(g, user, RelA, 1, 2);
        ModifyLogged(g, user, RelA, 2, 2);
        // block 3's change is written out by the bgwriter-style flush, which forces its WAL first
        ModifyLogged(g, user, RelA, 3, 3);
        lock (g.Pool.StorageLock) g.Pool.Wal.XLogFlush(l1);
        Assert.True(l0 < l1);
        int b3 = BufferOf(g, RelA, 3);
        SetUsage(g, b3, 0);
        Assert.Equal(BufMgr.BUF_WRITTEN | BufMgr.BUF_REUSABLE, ckpt.SyncOneBuffer(b3 - 1, true));
        // block 2's record is now durable too (it precedes block 3's); a later change of block 5 is not
        ModifyLogged(g, user, RelA, 5, 4);
        BufMgrDropTests.AssertHealthy(g);

        // crash: shared buffers are gone, only disk and the flushed WAL remain
        g.Pool.Wal.Crash();
        RedoResult res = g.Pool.Wal.Redo(g.Pool.Storage);
        Assert.Equal(redo, res.RedoStart);

        var expected = new byte[] { 2, 2, 2, 3, 1, 1, 1, 1 };
        for (uint i = 0; i < 8; i++)
        {
            byte[] d = g.Pool.Storage.PeekBlock(RelA, Main, i);
            Assert.True(PageChecksum.PageIsVerified(d, i, true, out _), $"block {i} does not verify");
            Assert.Equal(expected[i], d[PageHeader.SizeOfPageHeaderData + 1]);
        }
    }
    /// <summary>Real threads: two backends change random blocks (each change WAL-logged as a full-page
    /// image under the exclusive lock, evictions writing dirty victims), one runs checkpoints, one the
    /// bgwriter. Then the pool passes the checker, the machine crashes with only part of the WAL
    /// flushed, and replay from the last checkpoint brings every block to its last durable change.</summary>
    [Theory]
    [InlineData(7UL)]
    [InlineData(8UL)]
    public void ConcurrentCheckpointsAndBgwriter_CrashAndRedo_RecoverEveryDurableChange(ulong seed)
    {
        const int Blocks = 24, ChangesPerModifier = 150;
        var g = new BufMgrBackends(4);
        g.CreateRel(RelA, Blocks);
        var changes = new System.Collections.Concurrent.ConcurrentQueue<(uint Block, byte Version, ulong Lsn)>();
        int modifiersLeft = 2;

        List<string> errors = g.RunThreads((me, b) =>
        {
            if (me >= 2)
            {
                var rng = new Allocator.Common.Prng(Allocator.Common.Prng.Derive(seed, (ulong)me));
                for (int k = 0; k < ChangesPerModifier; k++)
                {
                    uint blk = (uint)rng.Index(Blocks);
                    int buf = b.ReadBuffer(BufMgrBackends.Rel(RelA), Main, blk);
                    b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
                    ulong page = b.BufferGetPage(buf);
                    ulong vaddr = page + PageHeader.SizeOfPageHeaderData + 1;
                    byte v = (byte)(b.Backend.Memory.ReadU8(vaddr) + 1);
                    b.Backend.Memory.WriteU8(vaddr, v);
                    b.MarkBufferDirty(buf);
                    ulong lsn;
                    lock (g.Pool.StorageLock) lsn = g.Pool.Wal.XLogInsertFullPageImage(RelA, Main, blk, b.ReadPage(buf));
                    PageHeader.PageSetLSN(b.Backend.Memory.Span(page, PageHeader.SizeOfPageHeaderData), lsn);
                    changes.Enqueue((blk, v, lsn));
                    b.UnlockReleaseBuffer(buf);
                    if (rng.Chance(1, 10)) lock (g.Pool.StorageLock) g.Pool.Wal.XLogFlush(lsn); // a commit
                }
                Interlocked.Decrement(ref modifiersLeft);
            }
            else
            {
                // checkpointer (0) and bgwriter (1) work until the modifiers are done; the bgwriter
                // runs as in a production build (see BgBufferSync_ClockWrapCornerCase_TripsPostgresAssert)
                b.BgWriter.AssertStrategyDelta = false;
                int rounds = 0;
                while (Volatile.Read(ref modifiersLeft) > 0 || rounds < 2)
                {
                    if (me == 0) b.CreateCheckPoint(0);
                    else b.BgBufferSync();
                    rounds++;
                }
            }
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        BufMgrDropTests.AssertHealthy(g);

        // crash with WAL flushed to the middle of what was inserted since the last flush
        ulong flushed;
        lock (g.Pool.StorageLock)
        {
            var wal = g.Pool.Wal;
            wal.XLogFlush(wal.FlushedLsn + (wal.InsertLsn - wal.FlushedLsn) / 2);
            flushed = wal.FlushedLsn;
            wal.Crash();
            wal.Redo(g.Pool.Storage);
        }

        var durable = new byte[Blocks];
        var durableLsn = new ulong[Blocks];
        foreach (var (blk, v, lsn) in changes)
            if (lsn <= flushed && lsn > durableLsn[blk]) (durable[blk], durableLsn[blk]) = (v, lsn);
        for (uint i = 0; i < Blocks; i++)
        {
            byte[] d = g.Pool.Storage.PeekBlock(RelA, Main, i);
            Assert.True(PageChecksum.PageIsVerified(d, i, true, out _), $"block {i} does not verify");
            Assert.Equal(durable[i], d[PageHeader.SizeOfPageHeaderData + 1]);
        }
    }
}
