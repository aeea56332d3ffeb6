// Tests of BufMgr.Drop: dropping discards dirty pages and only the requested forks and blocks
// (scan and lookup paths), dropping a database, the own-pin ERROR, InvalidateBuffer waiting for
// another backend's write on real threads, flushing a relation or a database, and
// EvictUnpinnedBuffer (a dirty buffer is written first; the freed buffer is not on the free list).
// Every test ends with the whole-pool checker at quiescence.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrDropTests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private const ForkNumber Fsm = ForkNumber.FSM_FORKNUM;
    private static readonly RelFileLocator RelA = BufMgrBackends.RelA;
    private static readonly RelFileLocator RelB = BufMgrBackends.RelB;
    private static readonly RelFileLocator RelOtherDb = new(DEFAULTTABLESPACE_OID, 6, 16384);

    /// <summary>Reads block <paramref name="blk"/>, sets its version byte under an exclusive lock and
    /// marks it dirty (no WAL: the tests here do not crash).</summary>
    internal static void Modify(BufMgr b, RelFileLocator rel, uint blk, byte version, ForkNumber fork = Main, bool permanent = true)
    {
        int buf = b.ReadBuffer(BufMgrBackends.Rel(rel, permanent), fork, blk);
        b.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        b.Backend.Memory.WriteU8(b.BufferGetPage(buf) + PageHeader.SizeOfPageHeaderData + 1, version);
        b.MarkBufferDirty(buf);
        b.UnlockReleaseBuffer(buf);
    }

    internal static void Read(BufMgr b, RelFileLocator rel, uint blk, ForkNumber fork = Main) =>
        b.ReleaseBuffer(b.ReadBuffer(BufMgrBackends.Rel(rel), fork, blk));

    internal static byte DiskVersion(BufMgrBackends g, RelFileLocator rel, uint blk, ForkNumber fork = Main) =>
        g.Pool.Storage.PeekBlock(rel, fork, blk)[PageHeader.SizeOfPageHeaderData + 1];

    /// <summary>The (rel, fork, block) of every buffer holding a valid page, from pg_buffercache.</summary>
    internal static HashSet<(uint Rel, uint Db, short Fork, long Block)> Cached(BufMgrBackends g) =>
        PgBufferCache.Rows(g.Pool).Where(r => r.relfilenode is not null)
            .Select(r => (r.relfilenode!.Value, r.reldatabase!.Value, r.relforknumber!.Value, r.relblocknumber!.Value)).ToHashSet();

    internal static void AssertHealthy(BufMgrBackends g)
    {
        Assert.True(g.B.All(b => b.Owner.IOs.Count == 0 && b.Owner.Pins.Count == 0), "a resource owner still holds something");
        List<string> e = BufMgrCheck.Check(g.Pool, g.B, quiescent: true);
        // BufMgrBackends.CheckAll minus its DynaHash.Check on the creator's HTAB, which does not know
        // the element batches other backends' attachments carved out (BufMgrCheck judges those)
        e.AddRange(BufferCheck.Check(g.Pool.Descriptors, g.B.Select(b => (BufferPins?)b.Pins).ToArray(), final: true)
            .Where(x => x.StartsWith("P2:", StringComparison.Ordinal)));
        SyncBackend?[] procs = g.B.Select(b => (SyncBackend?)b.Backend).ToArray();
        e.AddRange(LWLockCheck.Check(g.Pool.Sync, procs, final: true));
        for (int i = 0; i < g.Pool.NBuffers; i++)
            e.AddRange(ConditionVariable.Check(g.Pool.InitMemory, g.Pool.Sync, g.Pool.BufferDescriptorGetIOCV(i), procs, $"buf[{i}].io_cv"));
        Assert.True(e.Count == 0, string.Join("\n", e));
    }

    private static void CreateFork(BufMgrBackends g, RelFileLocator rel, ForkNumber fork, uint nblocks)
    {
        g.Pool.Storage.Create(rel, fork);
        for (uint b = 0; b < nblocks; b++) g.Pool.Storage.Extend(rel, fork, b, g.MakePage(b, 0));
    }

    [Fact]
    public void DropRelation_DiscardsDirtyPages_WithoutWriting()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 4);
        g.CreateRel(RelB, 2);
        for (uint i = 0; i < 4; i++) Modify(b, RelA, i, 7);
        Modify(b, RelB, 1, 9);
        int freeBefore = g.Pool.Strategy.FirstFreeBuffer(g.Pool.InitMemory);

        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u });

        var cached = Cached(g);
        Assert.DoesNotContain(cached, c => c.Rel == RelA.RelNumber);
        Assert.Contains((RelB.RelNumber, 5u, (short)0, 1L), cached);
        for (uint i = 0; i < 4; i++) Assert.Equal(0, DiskVersion(g, RelA, i)); // never written
        Assert.Equal(1, PgBufferCache.Summary(g.Pool).buffers_dirty);          // RelB's page is still dirty
        // the dropped buffers went to the front of the free list
        Assert.NotEqual(freeBefore, g.Pool.Strategy.FirstFreeBuffer(g.Pool.InitMemory));
        AssertHealthy(g);
        // re-reading finds the disk's version
        int buf = b.ReadBuffer(BufMgrBackends.Rel(RelA), Main, 2);
        Assert.Equal(0, b.ReadPage(buf)[PageHeader.SizeOfPageHeaderData + 1]);
        b.ReleaseBuffer(buf);
    }

    [Fact]
    public void DropRelation_OneForkFromABlockOn()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 6);
        CreateFork(g, RelA, Fsm, 3);
        for (uint i = 0; i < 6; i++) Modify(b, RelA, i, 1);
        for (uint i = 0; i < 3; i++) Read(b, RelA, i, Fsm);

        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 3u });
        var cached = Cached(g);
        for (uint i = 0; i < 6; i++) Assert.Equal(i < 3, cached.Contains((RelA.RelNumber, 5u, (short)0, (long)i)));
        for (uint i = 0; i < 3; i++) Assert.Contains((RelA.RelNumber, 5u, (short)1, (long)i), cached);

        // two forks at once, each from its own block
        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Fsm, Main }, new[] { 1u, 2u });
        cached = Cached(g);
        Assert.Equal(new[] { (0L, (short)0), (0L, (short)1), (1L, (short)0) },
            cached.Select(c => (c.Block, c.Fork)).OrderBy(x => x).ToArray());
        g.Pool.Storage.Truncate(RelA, Main, 2);
        g.Pool.Storage.Truncate(RelA, Fsm, 1);
        AssertHealthy(g);
    }

    [Fact]
    public void DropRelation_LookupPath_WhenSizesAreKnown()
    {
        // 128 buffers: BUF_DROP_FULL_SCAN_THRESHOLD is 4
        var g = new BufMgrBackends(1, nbuffers: 128);
        BufMgr b = g[0];
        Assert.Equal(4, b.BUF_DROP_FULL_SCAN_THRESHOLD);
        g.CreateRel(RelA, 6);
        for (uint i = 0; i < 6; i++) Modify(b, RelA, i, 1);

        // the size is known to be 4 (as if truncated on disk already): the lookup path visits
        // blocks 1..3 only, so the buffers of blocks 4 and 5 survive, exactly as in PostgreSQL,
        // where the cached size is trusted
        g.Pool.Storage.Truncate(RelA, Main, 4);
        b.RelationSizesCached = true;
        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 1u });
        Assert.Equal(new long[] { 0, 4, 5 }, Cached(g).Select(c => c.Block).OrderBy(x => x).ToArray());

        // too many blocks for the lookup (4 >= threshold): the scan finds them all
        g.Pool.Storage.Truncate(RelA, Main, 0);
        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u }); // 0 blocks: lookup, finds nothing
        Assert.Equal(3, Cached(g).Count);
        b.RelationSizesCached = false;
        b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u });
        Assert.Empty(Cached(g));
        AssertHealthy(g);
    }

    [Fact]
    public void DropDatabase_DropsOnlyThatDatabase()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 3);
        g.CreateRel(RelOtherDb, 3);
        for (uint i = 0; i < 3; i++)
        {
            Modify(b, RelA, i, 2);
            Modify(b, RelOtherDb, i, 3);
        }
        b.DropDatabaseBuffers(5);
        var cached = Cached(g);
        Assert.Equal(3, cached.Count);
        Assert.All(cached, c => Assert.Equal(6u, c.Db));
        Assert.Equal(0, DiskVersion(g, RelA, 0));
        g.Pool.Storage.Unlink(RelA);
        AssertHealthy(g);
    }

    [Fact]
    public void InvalidateBuffer_OwnPin_IsAnError_AndLeavesNoLockHeld()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 2);
        int buf = b.ReadBuffer(BufMgrBackends.Rel(RelA), Main, 1);
        var e = Assert.Throws<PgErrorException>(() => b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u }));
        Assert.Equal("buffer is pinned in InvalidateBuffer", e.Message);
        Assert.Equal(0, b.Backend.LWLocks.NumHeld); // the partition lock was released before the ERROR
        Assert.Equal(0u, g.State(buf) & BM_LOCKED);
        b.AbortCurrentTransaction();
        AssertHealthy(g);
    }

    [Fact]
    public void InvalidateBuffer_WaitsForAnotherBackendsWrite_RealThreads()
    {
        var g = new BufMgrBackends(2);
        BufMgr dropper = g[0], writer = g[1];
        g.CreateRel(RelA, 2);
        Modify(writer, RelA, 1, 5);
        int buf = writer.ReadBuffer(BufMgrBackends.Rel(RelA), Main, 1);
        BufferDesc d = g.Desc(buf);
        writer.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        Assert.True(writer.StartBufferIO(d, forInput: false, nowait: false)); // a write is under way

        Exception? failure = null;
        var t = new Thread(() =>
        {
            try { dropper.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u }); }
            catch (Exception ex) { failure = ex; }
        });
        t.Start();
        // the dropper must end up asleep on the buffer's I/O condition variable
        Assert.True(SpinWait.SpinUntil(() => !ConditionVariable.Wakeup(g.Pool.InitMemory, g.Pool.BufferDescriptorGetIOCV(buf - 1)).IsEmpty, 30_000),
            "the dropper never waited for the I/O");
        Assert.True(t.IsAlive);
        Assert.NotEqual(0u, g.State(buf) & BM_TAG_VALID);

        // finish the write (as FlushBuffer would), then let go of the buffer
        byte[] page = writer.ReadPage(buf);
        PageChecksum.SetInplace(page, 1);
        lock (g.Pool.StorageLock) g.Pool.Storage.Write(RelA, Main, 1, page);
        writer.TerminateBufferIO(d, clearDirty: true, 0, forgetOwner: true);
        writer.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        writer.ReleaseBuffer(buf);

        Assert.True(t.Join(30_000), "the dropper did not finish");
        Assert.Null(failure);
        Assert.Equal(0u, g.State(buf) & BM_TAG_VALID);
        Assert.Empty(Cached(g));
        Assert.Equal(5, DiskVersion(g, RelA, 1)); // the write completed before the drop
        AssertHealthy(g);
    }

    [Fact]
    public void FlushRelationBuffers_WritesThatRelationsDirtyPagesOnly()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 3);
        g.CreateRel(RelB, 3);
        CreateFork(g, RelA, Fsm, 1);
        for (uint i = 0; i < 3; i++)
        {
            Modify(b, RelA, i, 4);
            Modify(b, RelB, i, 6);
        }
        Modify(b, RelA, 0, 8, Fsm);
        Read(b, RelA, 0); // a pin and release do not clean it

        b.FlushRelationBuffers(BufMgrBackends.Rel(RelA));
        for (uint i = 0; i < 3; i++)
        {
            Assert.Equal(4, DiskVersion(g, RelA, i));
            Assert.Equal(0, DiskVersion(g, RelB, i));
        }
        Assert.Equal(8, DiskVersion(g, RelA, 0, Fsm)); // every fork
        Assert.Equal(3, PgBufferCache.Summary(g.Pool).buffers_dirty);
        Assert.Empty(b.Owner.Pins);
        AssertHealthy(g);
    }

    [Fact]
    public void FlushDatabaseBuffers_WritesThatDatabaseOnly()
    {
        var g = new BufMgrBackends(1);
        BufMgr b = g[0];
        g.CreateRel(RelA, 2);
        g.CreateRel(RelOtherDb, 2);
        Modify(b, RelA, 1, 3);
        Modify(b, RelOtherDb, 1, 3);
        b.FlushDatabaseBuffers(6);
        Assert.Equal(3, DiskVersion(g, RelOtherDb, 1));
        Assert.Equal(0, DiskVersion(g, RelA, 1));
        Assert.Equal(1, PgBufferCache.Summary(g.Pool).buffers_dirty);
        AssertHealthy(g);
    }

    [Fact]
    public void EvictUnpinnedBuffer_WritesADirtyBufferFirst_AndKeepsItOffTheFreeList()
    {
        var g = new BufMgrBackends(2);
        BufMgr b = g[0];
        g.CreateRel(RelA, 2);
        Modify(b, RelA, 1, 9);
        int buf = PgBufferCache.Rows(g.Pool).Single(r => r.relblocknumber == 1).bufferid;
        BufferDesc d = g.Desc(buf);

        // pinned by someone: refused
        BufMgrBackends.Pin(g[1], d);
        Assert.False(b.EvictUnpinnedBuffer(buf));
        g[1].ReleaseBuffer(buf);

        Assert.True(b.EvictUnpinnedBuffer(buf));
        Assert.Equal(9, DiskVersion(g, RelA, 1));
        Assert.Equal(0u, g.State(buf) & (BM_TAG_VALID | BM_VALID | BM_DIRTY));
        Assert.Equal(FREENEXT_NOT_IN_LIST, BufferDescriptors.ReadFreeNext(g.Pool.InitMemory, d));
        Assert.Empty(b.Owner.Pins);

        // not valid any more: refused
        Assert.False(b.EvictUnpinnedBuffer(buf));
        AssertHealthy(g);
        Assert.Throws<PgErrorException>(() => b.EvictUnpinnedBuffer(g.Pool.NBuffers + 1));
    }
    /// <summary>Real threads: backend 0 loads, dirties and drops relation A over and over while two
    /// backends churn relation B through the pool (evicting and writing A's pages) and a bgwriter
    /// writes whatever it finds (pinning A's buffers while InvalidateBuffer wants them). After each
    /// drop no buffer holds a page of A; at the end the pool passes the checker.</summary>
    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    public void DropWhileOthersEvictAndWrite_RealThreads(ulong seed)
    {
        const uint BlocksA = 10, BlocksB = 30;
        var g = new BufMgrBackends(4);
        g.CreateRel(RelA, BlocksA);
        g.CreateRel(RelB, BlocksB);
        int dropperLeft = 1;
        List<string> errors = g.RunThreads((me, b) =>
        {
            var rng = new Prng(Prng.Derive(seed, (ulong)me));
            if (me == 0)
            {
                for (int round = 0; round < 25; round++)
                {
                    for (uint i = 0; i < BlocksA; i++)
                    {
                        if (rng.Chance(1, 2)) Modify(b, RelA, i, (byte)round);
                        else Read(b, RelA, i);
                    }
                    b.DropRelationBuffers(BufMgrBackends.Rel(RelA), new[] { Main }, new[] { 0u });
                    for (int k = 0; k < g.Pool.NBuffers; k++)
                    {
                        BufferDesc d = g.Desc(k + 1);
                        uint st = g.Pool.InitMemory.ReadU32(d.StateAddr);
                        BufferTag t = BufferDescriptors.ReadTag(g.Pool.InitMemory, d);
                        if ((st & BM_TAG_VALID) != 0 && t.RelNumber == RelA.RelNumber)
                            throw new InvalidOperationException($"round {round}: buffer {k + 1} still holds block {t.BlockNum} of A");
                    }
                }
                Interlocked.Decrement(ref dropperLeft);
            }
            else if (me == 3)
            {
                b.BgWriter.AssertStrategyDelta = false; // see BufMgrCheckpointTests' clock-wrap quirk
                while (Volatile.Read(ref dropperLeft) > 0)
                {
                    for (int k = 0; k < g.Pool.NBuffers; k++) b.SyncOneBuffer(k, false);
                    b.BgBufferSync();
                }
            }
            else
            {
                while (Volatile.Read(ref dropperLeft) > 0)
                {
                    uint blk = (uint)rng.Index((int)BlocksB);
                    if (rng.Chance(1, 3)) Modify(b, RelB, blk, (byte)me);
                    else Read(b, RelB, blk);
                }
            }
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.DoesNotContain(Cached(g), c => c.Rel == RelA.RelNumber);
        AssertHealthy(g);
    }
}
