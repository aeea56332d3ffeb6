// The buffer pool's shared layout (InitBufferPool) and the I/O state machine (StartBufferIO,
// TerminateBufferIO, WaitIO, AbortBufferIO) with the resource owner, single-threaded and with a
// second backend waiting on the I/O condition variable on a real thread.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrIoTests
{
    private static readonly BufferTag Tag0 = new(DEFAULTTABLESPACE_OID, 5, 16384, ForkNumber.MAIN_FORKNUM, 0);

    [Fact]
    public void InitBufferPool_Layout()
    {
        var g = new BufMgrBackends(2, nbuffers: 32);
        BufferPool p = g.Pool;
        Assert.True(p.Shmem.ShmemAddrIsValid(p.Descriptors.Base));
        Assert.True(p.Shmem.ShmemAddrIsValid(p.BufHdrGetBlock(31) + (ulong)p.BlckSz - 1));
        Assert.True(p.Shmem.ShmemAddrIsValid(p.BufferDescriptorGetIOCV(31)));
        Assert.True(p.Shmem.ShmemAddrIsValid(p.Strategy.Address));
        Assert.Equal(p.Descriptors.Base, p.Shmem.ShmemInitStruct(BufferPool.DescriptorsName, 32 * 64, out bool f1));
        Assert.True(f1);
        Assert.Equal(p.BufferBlocks, p.Shmem.ShmemInitStruct(BufferPool.BlocksName, 32UL * (ulong)p.BlckSz, out bool f2));
        Assert.True(f2);
        Assert.Equal(0UL, p.BufferBlocks % ShmemSegmentLine);
        for (int i = 0; i < 32; i++)
        {
            Assert.True(ConditionVariable.Wakeup(p.InitMemory, p.BufferDescriptorGetIOCV(i)).IsEmpty);
            Assert.Equal((uint)i, p.InitMemory.ReadU32(p.Descriptors.GetBufferDescriptor(i).BufIdAddr));
        }
        Assert.Equal(BufferPool.MappingTranche, p.Sync.LWLockName(p.BufMappingPartitionLock(12345)));
        Assert.Equal(p.Sync.GetLWLock((int)(12345u % 128)), p.BufMappingPartitionLock(12345));
        Assert.Equal(3, p.Sync.NumProcs); // MaxBackends + 1
        Assert.Equal(0, p.Strategy.FirstFreeBuffer(p.InitMemory));
        Assert.Empty(g.CheckAll(final: true));
        // every backend sees the same shared bytes at the same addresses
        g[0].Backend.Memory.WriteU32(p.BufHdrGetBlock(3), 0xabcdef);
        Assert.Equal(0xabcdefu, g[1].Backend.Memory.ReadU32(p.BufHdrGetBlock(3)));
        Assert.Throws<InvalidOperationException>(() => p.Attach(1));
    }

    private const ulong ShmemSegmentLine = Allocator.Shmem.ShmemSegment.PG_CACHE_LINE_SIZE;

    [Fact]
    public void StandaloneDescriptors_StillOwnTheirRegion()
    {
        var d = new BufferDescriptors(8);
        Assert.Equal(BufferDescriptors.DefaultBase, d.Base);
        Assert.Equal(8 * 64, d.Backing.Length);
    }

    [Fact]
    public void StartBufferIO_Input_ClaimsOnce_AndTerminateMakesItValid()
    {
        var g = new BufMgrBackends(2);
        BufMgr a = g[0], b = g[1];
        g.Install(1, Tag0, 0);
        BufferDesc d = g.Desc(1);
        BufMgrBackends.Pin(a, d);
        BufMgrBackends.Pin(b, d);

        Assert.True(a.StartBufferIO(d, forInput: true, nowait: false));
        Assert.Equal(new[] { 1 }, a.Owner.IOs);
        Assert.NotEqual(0u, g.State(1) & BM_IO_IN_PROGRESS);
        Assert.False(b.StartBufferIO(d, forInput: true, nowait: true)); // in progress elsewhere
        Assert.Empty(b.Owner.IOs);

        a.TerminateBufferIO(d, clearDirty: false, BM_VALID, forgetOwner: true);
        Assert.Empty(a.Owner.IOs);
        uint s = g.State(1);
        Assert.Equal(0u, s & BM_IO_IN_PROGRESS);
        Assert.NotEqual(0u, s & BM_VALID);
        Assert.False(b.StartBufferIO(d, forInput: true, nowait: false)); // already valid: nothing to do

        a.ReleaseBuffer(1);
        b.ReleaseBuffer(1);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void StartBufferIO_Output_OnlyWhenDirty_AndJustDirtiedKeepsItDirty()
    {
        var g = new BufMgrBackends(1);
        BufMgr a = g[0];
        g.Install(1, Tag0, BM_VALID);
        BufferDesc d = g.Desc(1);
        BufMgrBackends.Pin(a, d);
        Assert.False(a.StartBufferIO(d, forInput: false, nowait: false)); // clean: nothing to write

        uint s = BufHdrLock.LockBufHdr(a.Backend, d);
        BufHdrLock.UnlockBufHdr(a.Backend, d, s | BM_DIRTY | BM_CHECKPOINT_NEEDED | BM_IO_ERROR);
        Assert.True(a.StartBufferIO(d, forInput: false, nowait: false));
        // re-dirtied during the write
        s = BufHdrLock.LockBufHdr(a.Backend, d);
        BufHdrLock.UnlockBufHdr(a.Backend, d, s | BM_JUST_DIRTIED);
        a.TerminateBufferIO(d, clearDirty: true, 0, forgetOwner: true);
        s = g.State(1);
        Assert.NotEqual(0u, s & BM_DIRTY);
        Assert.NotEqual(0u, s & BM_CHECKPOINT_NEEDED);
        Assert.Equal(0u, s & BM_IO_ERROR); // a finished I/O clears an earlier failure

        // written without interference: clean, checkpoint flag gone
        s = BufHdrLock.LockBufHdr(a.Backend, d);
        BufHdrLock.UnlockBufHdr(a.Backend, d, s & ~BM_JUST_DIRTIED);
        Assert.True(a.StartBufferIO(d, forInput: false, nowait: false));
        a.TerminateBufferIO(d, clearDirty: true, 0, forgetOwner: true);
        s = g.State(1);
        Assert.Equal(0u, s & (BM_DIRTY | BM_CHECKPOINT_NEEDED | BM_IO_IN_PROGRESS));
        Assert.NotEqual(0u, s & BM_VALID);
        a.ReleaseBuffer(1);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void TerminateBufferIO_SetFlagBitsAfterTheClears_KeepsIoError()
    {
        var g = new BufMgrBackends(1);
        BufMgr a = g[0];
        g.Install(1, Tag0, 0);
        BufferDesc d = g.Desc(1);
        BufMgrBackends.Pin(a, d);
        Assert.True(a.StartBufferIO(d, true, false));
        a.TerminateBufferIO(d, false, BM_IO_ERROR, forgetOwner: true);
        Assert.NotEqual(0u, g.State(1) & BM_IO_ERROR);
        a.ReleaseBuffer(1);
    }

    [Fact]
    public void AbortBufferIO_FailedRead_LeavesItInvalidWithIoError_AndTheNextReaderRetries()
    {
        var g = new BufMgrBackends(2);
        BufMgr a = g[0], b = g[1];
        g.Install(1, Tag0, 0);
        BufferDesc d = g.Desc(1);
        BufMgrBackends.Pin(a, d);
        Assert.True(a.StartBufferIO(d, true, false));
        // the read fails with an ERROR; the abort path cleans up
        a.AbortCurrentTransaction();
        Assert.Empty(a.Owner.IOs);
        Assert.Empty(a.Owner.Pins);
        uint s = g.State(1);
        Assert.Equal(0u, s & (BM_IO_IN_PROGRESS | BM_VALID));
        Assert.NotEqual(0u, s & BM_IO_ERROR);
        Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(s));
        // the next reader owns a fresh read, and its success clears the error
        BufMgrBackends.Pin(b, d);
        Assert.True(b.StartBufferIO(d, true, false));
        b.TerminateBufferIO(d, false, BM_VALID, true);
        s = g.State(1);
        Assert.Equal(BM_VALID, s & (BM_VALID | BM_IO_ERROR));
        b.ReleaseBuffer(1);
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void AbortBufferIO_FailedWrite_StaysDirty_AndARepeatWarns()
    {
        var g = new BufMgrBackends(1);
        BufMgr a = g[0];
        g.Install(1, Tag0, BM_VALID | BM_DIRTY);
        BufferDesc d = g.Desc(1);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            BufMgrBackends.Pin(a, d);
            Assert.True(a.StartBufferIO(d, false, false));
            a.AbortCurrentTransaction();
            uint s = g.State(1);
            Assert.Equal(BM_VALID | BM_DIRTY | BM_IO_ERROR, s & (BM_VALID | BM_DIRTY | BM_IO_ERROR | BM_IO_IN_PROGRESS));
        }
        Assert.Single(g.Pool.Elog.Messages, m => m.Text.Contains("could not write block 0 of base/5/16384") && m.Text.Contains("Multiple failures"));
        Assert.Empty(g.CheckAll(final: true));
    }

    [Fact]
    public void ResourceOwner_ReleasesIOsBeforePins_NewestFirst()
    {
        var owner = new ResourceOwner();
        owner.RememberBuffer(3);
        owner.RememberBufferIO(3);
        owner.RememberBuffer(4);
        owner.RememberBuffer(3);
        owner.RememberBufferIO(4);
        var order = new List<string>();
        int n = owner.Release(false, new ElogSink(), io => order.Add($"io{io}"), pin => order.Add($"pin{pin}"), (k, b) => "");
        Assert.Equal(5, n);
        Assert.Equal(new[] { "io4", "io3", "pin3", "pin4", "pin3" }, order);
        Assert.Throws<PgErrorException>(() => owner.ForgetBuffer(3));
    }

    [Fact]
    public void Commit_WithALeakedPin_Warns()
    {
        var g = new BufMgrBackends(1);
        BufMgr a = g[0];
        g.Install(1, Tag0, BM_VALID);
        BufMgrBackends.Pin(a, g.Desc(1));
        a.CommitTransaction(); // releases it with a WARNING, as ResourceOwnerRelease on commit does
        Assert.Contains(g.Pool.Elog.Messages, m => m.Text.StartsWith("resource was not closed: buffer pin [001]", StringComparison.Ordinal));
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>A second backend waits in StartBufferIO (WaitIO on the buffer's CV) on a real thread
    /// until the first finishes; once with success (it finds the page valid), once with failure (it
    /// takes over the read).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WaitIO_RealThread_WakesWhenTheIoEnds(bool succeed)
    {
        var g = new BufMgrBackends(2);
        BufMgr a = g[0], b = g[1];
        g.Install(1, Tag0, 0);
        BufferDesc d = g.Desc(1);
        BufMgrBackends.Pin(a, d);
        BufMgrBackends.Pin(b, d);
        Assert.True(a.StartBufferIO(d, true, false));
        bool? bStarted = null;
        var t = new Thread(() => bStarted = b.StartBufferIO(d, true, false));
        t.Start();
        // let it reach the CV (it cannot get past while the flag is set)
        ulong cv = g.Pool.BufferDescriptorGetIOCV(0);
        for (int i = 0; i < 10_000 && ConditionVariable.Wakeup(g.Pool.InitMemory, cv).IsEmpty; i++) Thread.Sleep(1);
        Assert.Null(bStarted);
        if (succeed)
        {
            a.TerminateBufferIO(d, false, BM_VALID, true);
            a.ReleaseBuffer(1);
        }
        else
        {
            a.AbortCurrentTransaction();
        }
        Assert.True(t.Join(30_000));
        Assert.Equal(!succeed, bStarted);
        if (!succeed) b.TerminateBufferIO(d, false, BM_VALID, true);
        b.ReleaseBuffer(1);
        Assert.Equal(0UL, b.Backend.cv_sleep_target);
        Assert.True(ConditionVariable.Wakeup(g.Pool.InitMemory, cv).IsEmpty);
        Assert.Empty(g.CheckAll(final: true));
    }

    /// <summary>Several backends on real threads repeatedly race to read the same buffer: exactly one
    /// owns each read, the others wait and then find it valid.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void StartBufferIO_RealThreads_ExactlyOneReaderPerRound(int n)
    {
        var g = new BufMgrBackends(n);
        g.Install(1, Tag0, 0);
        BufferDesc d = g.Desc(1);
        const int Rounds = 200;
        int owners = 0;
        using var round = new Barrier(n, _ =>
        {
            // between rounds: make it invalid again (as a failed read or an eviction would)
            uint s = g.Pool.InitMemory.ReadU32(d.StateAddr);
            g.Pool.InitMemory.WriteU32(d.StateAddr, s & ~BM_VALID);
        });
        List<string> errors = g.RunThreads((me, b) =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                BufMgrBackends.Pin(b, d);
                if (b.StartBufferIO(d, true, false))
                {
                    Interlocked.Increment(ref owners);
                    Thread.Yield();
                    b.TerminateBufferIO(d, false, BM_VALID, true);
                }
                else if ((b.ReadState(d) & BM_VALID) == 0)
                {
                    throw new InvalidOperationException("StartBufferIO returned false but the page is not valid");
                }
                b.ReleaseBuffer(1);
                round.SignalAndWait();
            }
        });
        Assert.Empty(errors);
        Assert.Equal(Rounds, owners);
        Assert.Empty(g.CheckAll(final: true));
    }
}
