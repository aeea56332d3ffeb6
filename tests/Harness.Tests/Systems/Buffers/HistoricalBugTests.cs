// Regression scenarios for buffer-manager bugs PostgreSQL really had (researched in its history;
// each names the commit that fixed it). Each scenario drives the path the bug was on and checks the
// fixed behaviour: through the runner (model and invariants after every op) where the op language
// reaches the path, on the port directly where the check needs a flag the model does not see.
// The bugs that need interleavings inside operations belong to the exploration issue.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Harness.Systems.Buffers.Oracle;
using Harness.Systems.Buffers.Properties;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Tests.Systems.Buffers;

public sealed class HistoricalBugTests
{
    private static void RunOk(string ops)
    {
        var trace = new StringWriter();
        BufferRunResult r = new BufferRunner(new BufferRunOptions(BufferProperties.Workload)).Run(BufferOpText.Instance.ParseLines(ops), trace);
        Assert.True(r.Outcome.Kind == OutcomeKind.Ok, $"{r.Outcome}\n{trace}");
    }

    private static readonly BufferRelation Rel = new(new RelFileLocator(DEFAULTTABLESPACE_OID, 5, 16384));

    /// <summary>A pool of 16 buffers over a relation of <paramref name="blocks"/> initialised pages, and two backends.</summary>
    private static (BufferPool Pool, BufMgr B0, BufMgr B1) Pool(int blocks = 4)
    {
        var pool = new BufferPool(new BufferPoolOptions(NBuffers: 16, BlckSz: 1024, MaxBackends: 2));
        pool.Storage.Create(Rel.Locator, ForkNumber.MAIN_FORKNUM);
        var page = new byte[1024];
        for (uint b = 0; b < blocks; b++)
        {
            Array.Clear(page);
            PageHeader.PageInit(page);
            PageChecksum.SetInplace(page, b);
            pool.Storage.Extend(Rel.Locator, ForkNumber.MAIN_FORKNUM, b, page);
        }
        return (pool, pool.Attach(0, m => new SequentialSyncRuntime(m)), pool.Attach(1, m => new SequentialSyncRuntime(m)));
    }

    private static uint State(BufferPool pool, int buffer) => pool.InitMemory.ReadU32(pool.Descriptors.GetBufferDescriptorOfBuffer(buffer).StateAddr);

    /// <summary>e656657f2b (17beta1): RBM_ZERO_AND_LOCK zeroed a page that was already valid, under
    /// the feet of readers holding only a pin. Fixed: a valid page is locked, not zeroed (the runner
    /// checks the page right after ReadBufferExtended returns).</summary>
    [Fact]
    public void E656657f2b_zero_and_lock_keeps_a_valid_page()
    {
        RunOk("""
            b0 read r0/1
            b0 modify #0 = 4711
            b1 read-zero r0/1 = 99
            b0 inspect #0
            """);
    }

    /// <summary>7e4911b2ae (9.1.0-9.1.2): a normal checkpoint wrote unlogged pages; 64e196b6ef: an
    /// end-of-recovery checkpoint did not. Fixed: a normal checkpoint writes exactly the dirty pages
    /// of WAL-logged relations, a shutdown one every dirty page (checked after each checkpoint op).</summary>
    [Fact]
    public void E7e4911b2ae_64e196b6ef_checkpoints_write_exactly_their_pages()
    {
        RunOk("""
            b0 read r2/0
            b0 modify #0 = 1
            b0 read r0/0
            b0 modify #1 = 2
            b0 release #1
            checkpoint
            b0 modify #0 = 3
            checkpoint shutdown
            b0 inspect #0
            """);
    }

    /// <summary>9cf6033281 (9.6.0-9.6.2): pins through a ring strategy raised the usage count like
    /// ordinary pins, so ring buffers stopped being cheap to evict. Fixed: never above 1.</summary>
    [Fact]
    public void E9cf6033281_ring_pins_keep_the_usage_count_at_most_one()
    {
        var (pool, b0, b1) = Pool();
        BufferAccessStrategy? ring0 = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_BULKREAD, pool.Descriptors, pool.BlckSz);
        BufferAccessStrategy? ring1 = BufferAccessStrategy.GetAccessStrategy(BufferAccessStrategyType.BAS_VACUUM, pool.Descriptors, pool.BlckSz);
        int buf = 0;
        for (int i = 0; i < 8; i++)
        {
            buf = (i % 2 == 0 ? b0 : b1).ReadBufferExtended(Rel, ForkNumber.MAIN_FORKNUM, 2, ReadBufferMode.RBM_NORMAL, i % 2 == 0 ? ring0 : ring1);
            (i % 2 == 0 ? b0 : b1).ReleaseBuffer(buf);
        }
        Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(State(pool, buf)));
        // an ordinary pin still counts up
        buf = b0.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, 2);
        b0.ReleaseBuffer(buf);
        Assert.Equal(2u, BUF_STATE_GET_USAGECOUNT(State(pool, buf)));
    }

    /// <summary>cef01c3355 (8.1devel) and d25fbf9f3e (9.5 alphas): dropping a relation whose buffer we
    /// pin ourselves looped forever in InvalidateBuffer (the second one by checking the wrong buffer's
    /// private count). Fixed: ERROR "buffer is pinned in InvalidateBuffer" (a sequential run would
    /// otherwise throw SimBlockedException or spin).</summary>
    [Fact]
    public void Cef01c3355_d25fbf9f3e_dropping_our_own_pinned_buffer_is_an_error()
    {
        var (_, b0, _) = Pool();
        int buf = b0.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, 3);
        var e = Assert.Throws<PgErrorException>(() => b0.DropRelationBuffers(Rel, [ForkNumber.MAIN_FORKNUM], [0]));
        Assert.Equal("buffer is pinned in InvalidateBuffer", e.Message);
        b0.AbortCurrentTransaction();
        Assert.Equal(0, b0.GetPrivateRefCount(buf));
    }

    /// <summary>c787c952bc (19 development): the I/O-ending flag update applied BM_IO_ERROR before
    /// clearing it, so a failed I/O left no BM_IO_ERROR behind. PostgreSQL 17's TerminateBufferIO
    /// clears first: after a failed read the buffer is not valid, has BM_IO_ERROR and no I/O in
    /// progress, and the next read succeeds; after a failed write it stays dirty with BM_IO_ERROR,
    /// and a second failure logs PostgreSQL's "Multiple failures" WARNING (21d7c05a5c fixed an
    /// inverted assertion on exactly that path in 16devel).</summary>
    [Fact]
    public void C787c952bc_21d7c05a5c_failed_io_leaves_BM_IO_ERROR_and_a_usable_buffer()
    {
        var (pool, b0, _) = Pool();
        pool.Storage.Faults.ArmNextFitting(StorageFaultKind.ReadError);
        Assert.Throws<PgErrorException>(() => b0.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, 1));
        b0.AbortCurrentTransaction();
        // pg_buffercache shows no tag for a buffer that is not valid: look at the descriptors
        int failed = Enumerable.Range(1, pool.NBuffers)
            .Single(b => BufferDescriptors.ReadTag(pool.InitMemory, pool.Descriptors.GetBufferDescriptorOfBuffer(b)).BlockNum == 1);
        uint s = State(pool, failed);
        Assert.True((s & BM_IO_ERROR) != 0 && (s & (BM_VALID | BM_IO_IN_PROGRESS)) == 0, $"state 0x{s:x8}");
        int buf = b0.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, 1);
        Assert.Equal(failed, buf);
        s = State(pool, buf);
        Assert.True((s & BM_VALID) != 0 && (s & BM_IO_ERROR) == 0, $"state 0x{s:x8}");

        // a failed write, twice
        b0.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        b0.MarkBufferDirty(buf);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            pool.Storage.Faults.ArmNextFitting(StorageFaultKind.WriteError);
            Assert.Throws<PgErrorException>(() => b0.FlushOneBuffer(buf));
            b0.AbortCurrentTransaction();
            s = State(pool, buf);
            Assert.True((s & (BM_DIRTY | BM_VALID | BM_IO_ERROR)) == (BM_DIRTY | BM_VALID | BM_IO_ERROR) && (s & BM_IO_IN_PROGRESS) == 0, $"state 0x{s:x8}");
            buf = b0.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, 1);
            b0.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        }
        Assert.Contains(pool.Elog.Messages, m => m.Text.Contains("Multiple failures --- write error might be permanent", StringComparison.Ordinal));
        b0.FlushOneBuffer(buf);
        Assert.Equal(0u, State(pool, buf) & (BM_DIRTY | BM_IO_ERROR));
    }

    /// <summary>304160c3e2 (8.0.0-8.1.1): extending a relation where a buffer for the new block was
    /// left behind (by a failed extension) mishandled the leftover. Fixed: the leftover is adopted
    /// through the clear-valid/StartBufferIO loop, and the block comes out right.</summary>
    [Fact]
    public void E304160c3e2_extension_after_a_failed_extension()
    {
        RunOk("""
            fault write-error
            b0 extend r1
            b0 extend r1
            b0 modify #0 = 31
            b1 extend r1
            b0 inspect #0
            b0 commit
            crash
            b1 read r1/10
            b1 inspect #0
            """);
    }
}
