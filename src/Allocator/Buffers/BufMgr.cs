// BufMgr: one backend's side of the shared buffer manager (src/backend/storage/buffer/bufmgr.c,
// PostgreSQL 17), as a partial class over a BufferPool:
//   BufMgr.cs        the backend's state (bufmgr.c's file-level variables: private refcounts via
//                    BufferPins, PinCountWaitBuf, CurrentResourceOwner) and the small accessors
//                    (ReleaseBuffer, IncrBufferRefCount, BufferGetPage/Tag/BlockNumber)
//   BufMgr.Io.cs     the I/O state machine: StartBufferIO, TerminateBufferIO, WaitIO, AbortBufferIO
//   BufMgr.Read.cs   ReadBuffer_common, PinBufferForBlock, BufferAlloc, GetVictimBuffer,
//                    InvalidateVictimBuffer, ZeroAndLockBuffer, ExtendBufferedRel, RelationGetNumberOfBlocks
//   BufMgr.Write.cs  MarkBufferDirty, MarkBufferDirtyHint, FlushBuffer, FlushOneBuffer
//   BufMgr.Locks.cs  LockBuffer, ConditionalLockBuffer, LockBufferForCleanup and friends, UnlockBuffers
//   BufMgr.Xact.cs   AtEOXact_Buffers, AbortCurrentTransaction (xact.c's abort order, §16.5)
//
// Access discipline: every racing access to shared memory goes through Backend.Runtime (state
// words, unlocked tag reads, latches, CVs, spinlocks); fields under a lock this backend holds are
// read and written through Backend.Memory. The storage, WAL and log are managed stand-ins for the
// kernel; calls into them are serialised by Pool.StorageLock (a host lock, never held across a
// wait, so it adds no scheduling point and cannot deadlock with simulated locks).
//
// Divergences from PostgreSQL 17 (the whole partial class):
//   * Shared buffers only: no local (temp-table) buffers, so no negative Buffer numbers and no
//     localbuf.c paths; relpersistence is BufferRelation.Permanent (unlogged = not permanent).
//   * Reads are single-block (ReadBuffer_common as StartReadBuffer + WaitReadBuffers for one
//     block): no read streams, no io_combine_limit merging, no prefetch, no AIO.
//   * Extension is one block at a time (ExtendBufferedRel); there is no heavyweight relation
//     extension lock (callers that extend one relation concurrently must serialise themselves;
//     the collision path with a leftover buffer beyond EOF is ported).
//   * MarkBufferDirtyHint logs a full-page image for a permanent buffer whenever checksums are on
//     (XLogHintBitIsNeeded), not only for the first change after a checkpoint; no recovery, so the "in recovery:
//     skip" branch never applies; DELAY_CHKPT_START is not modelled (no concurrent checkpoint
//     start to delay).
//   * No pgstat/pgBufferUsage/IO statistics, no writeback scheduling, no tracing.
//   * One resource owner per backend (ResourceOwner), released by AbortCurrentTransaction.
//   * ERRORs are PgErrorException; the error-context callbacks ("writing block %u of relation
//     %s") are not reproduced as context lines. Storage messages are SimStorage's, which follow
//     V17's md.c ("could not read blocks %u..%u in file ...", also for a read beyond EOF).
//   * zero_damaged_pages also covers a read beyond EOF (md.c's part of it: zeros instead of the
//     ERROR), done here because SimStorage always raises it.
//   * The lookup table is attached once per backend (BufTable.AttachBufTable) so that its
//     freelist spinlocks go through the backend's seam; PostgreSQL's HTAB is per process too.
//   * ProcSendSignal / ProcWaitForSignal are latch operations (Sync/Latch.cs); the latch has its
//     own wake semaphore in PGPROC, separate from the LWLock semaphore.
//   * The extension collision adopts a not-valid leftover buffer's page as it is (as V17 does:
//     only a valid, non-new page is an error); a leftover from a failed read may hold bytes.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    public BufferPool Pool { get; }
    public SyncBackend Backend { get; }
    public BufferPins Pins { get; }
    /// <summary>CurrentResourceOwner: pins and in-progress I/Os, for error cleanup.</summary>
    public ResourceOwner Owner { get; } = new();
    /// <summary>This backend's attachment to the buffer lookup table.</summary>
    internal BufTable Table { get; }

    /// <summary>PinCountWaitBuf: the buffer whose cleanup lock we wait for (LockBufferForCleanup).</summary>
    public BufferDesc? PinCountWaitBuf
    {
        get => Pins.PinCountWaitBuf;
        private set => Pins.PinCountWaitBuf = value;
    }

    internal BufMgr(BufferPool pool, SyncBackend backend, BufTable table)
    {
        Pool = pool;
        Backend = backend;
        Table = table;
        Pins = new BufferPins(backend, pool.Descriptors, pool.Elog)
        {
            Owner = Owner,
            UsageCountUncapped = pool.Options.Canary == BufferCanary.UsageCountUncapped,
            PinCountWaiterNotSignalled = pool.Options.Canary == BufferCanary.PinCountWaiterNotSignalled,
        };
    }

    private ISyncRuntime Rt => Backend.Runtime;
    private SimMemory Mem => Backend.Memory;
    private BufferDescriptors Descs => Pool.Descriptors;

    /// <summary>GetBufferDescriptor(buffer - 1), after BufferIsValid.</summary>
    internal BufferDesc GetBufferDescriptorOfBuffer(int buffer)
    {
        if (buffer <= 0 || buffer > Pool.NBuffers) throw new PgErrorException($"bad buffer ID: {buffer}");
        return Descs.GetBufferDescriptorOfBuffer(buffer);
    }

    internal int GetBufId(BufferDesc buf) => BufferDescriptors.GetBufId(Mem, buf);

    internal int GetBuffer(BufferDesc buf) => BufferDescriptors.BufferDescriptorGetBuffer(Mem, buf);

    /// <summary>BufferIsPinned for a shared buffer: this backend holds a pin.</summary>
    public bool BufferIsPinned(int buffer) => Pins.Refs.GetPrivateRefCount(buffer) > 0;

    /// <summary>The calling backend's private pin count on <paramref name="buffer"/>.</summary>
    public int GetPrivateRefCount(int buffer) => Pins.Refs.GetPrivateRefCount(buffer);

    /// <summary>ReleaseBuffer.</summary>
    public void ReleaseBuffer(int buffer)
    {
        BufferDesc buf = GetBufferDescriptorOfBuffer(buffer);
        Pins.UnpinBuffer(buf);
    }

    /// <summary>IncrBufferRefCount: one more pin on a buffer we pin already.</summary>
    public void IncrBufferRefCount(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        ResourceOwner.ResourceOwnerEnlarge();
        Pins.IncrBufferRefCount(buffer);
    }

    /// <summary>BufferGetPage: the page's address (BufferGetBlock).</summary>
    public ulong BufferGetPage(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        return Pool.BufHdrGetBlock(buffer - 1);
    }

    /// <summary>BufferGetTag: with a pin the tag cannot change, so no lock.</summary>
    public BufferTag BufferGetTag(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        return BufferDescriptors.ReadTag(Mem, GetBufferDescriptorOfBuffer(buffer));
    }

    /// <summary>BufferGetBlockNumber.</summary>
    public uint BufferGetBlockNumber(int buffer) => BufferGetTag(buffer).BlockNum;

    /// <summary>The page as bytes in this backend's view (a copy), for tests and checkers.</summary>
    public byte[] ReadPage(int buffer)
    {
        var page = new byte[Pool.BlckSz];
        Mem.ReadBytes(BufferGetPage(buffer), page);
        return page;
    }

    /// <summary>pg_atomic_read_u32(&amp;buf->state).</summary>
    internal uint ReadState(BufferDesc buf) => BufferDescriptors.ReadState(Rt, buf);

    private uint LockBufHdr(BufferDesc buf) => BufHdrLock.LockBufHdr(Backend, buf);

    private void UnlockBufHdr(BufferDesc buf, uint state) => BufHdrLock.UnlockBufHdr(Backend, buf, state);

    /// <summary>relpathperm of a tag, for messages.</summary>
    private static string RelPathOf(BufferTag tag) => tag.RelPath();

}
