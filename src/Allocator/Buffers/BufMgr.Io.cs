// BufMgr.Io: the buffer I/O state machine (bufmgr.c StartBufferIO, TerminateBufferIO, WaitIO,
// AbortBufferIO, PostgreSQL 17; spec §7).
//
// BM_IO_IN_PROGRESS, set and cleared under the header lock, says one backend owns a read or write
// of the page; everyone else who needs the buffer's I/O state settled waits on the buffer's I/O
// condition variable. The owner remembers the I/O in its resource owner, so an ERROR between
// start and terminate is cleaned up by AbortBufferIO (from ResourceOwner release), which marks
// the failed I/O with BM_IO_ERROR and wakes the waiters. The broadcast comes after the flag is
// published, and waiters join the CV before they test the flag, so no wake-up is lost.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>BufferDescriptorGetIOCV.</summary>
    private ulong IOCV(BufferDesc buf) => Pool.BufferDescriptorGetIOCV(GetBufId(buf));

    /// <summary>WaitIO: sleep until nobody has I/O in progress on <paramref name="buf"/>. The flag is
    /// read under the header lock, so its read is ordered after whatever the I/O owner published.
    /// No spinlock and no mapping partition lock may be held.</summary>
    public void WaitIO(BufferDesc buf)
    {
        ulong cv = IOCV(buf);
        ConditionVariable.PrepareToSleep(Backend, cv);
        for (;;)
        {
            uint buf_state = LockBufHdr(buf);
            UnlockBufHdr(buf, buf_state);
            if ((buf_state & BM_IO_IN_PROGRESS) == 0) break;
            ConditionVariable.Sleep(Backend, cv);
        }
        ConditionVariable.CancelSleep(Backend);
    }

    /// <summary>StartBufferIO: claim the I/O on a buffer we pin. False when there is nothing to do
    /// (input: already BM_VALID; output: no longer BM_DIRTY) or, with <paramref name="nowait"/>,
    /// when another backend's I/O is in progress. True: BM_IO_IN_PROGRESS is ours and remembered in
    /// the resource owner; TerminateBufferIO (or AbortBufferIO) must follow.</summary>
    public bool StartBufferIO(BufferDesc buf, bool forInput, bool nowait)
    {
        uint buf_state;
        ResourceOwner.ResourceOwnerEnlarge();

        for (;;)
        {
            buf_state = LockBufHdr(buf);
            if ((buf_state & BM_IO_IN_PROGRESS) == 0) break;
            UnlockBufHdr(buf, buf_state);
            if (nowait) return false;
            WaitIO(buf);
        }

        // the header is locked and no I/O is in progress: has someone already done ours?
        bool skipDone = forInput && Pool.Options.Canary == BufferCanary.StartIoSkipsDoneCheck;
        if (!skipDone && (forInput ? (buf_state & BM_VALID) != 0 : (buf_state & BM_DIRTY) == 0))
        {
            UnlockBufHdr(buf, buf_state);
            return false;
        }

        buf_state |= BM_IO_IN_PROGRESS;
        UnlockBufHdr(buf, buf_state);
        Owner.RememberBufferIO(GetBuffer(buf));
        return true;
    }

    /// <summary>TerminateBufferIO: end our I/O. BM_IO_ERROR is cleared (a success supersedes an
    /// earlier failure) before <paramref name="setFlagBits"/> is applied, so a failing caller's
    /// BM_IO_ERROR stays; with <paramref name="clearDirty"/> the buffer becomes clean unless it was
    /// dirtied again during the write (BM_JUST_DIRTIED). Waiters are woken after the store.</summary>
    public void TerminateBufferIO(BufferDesc buf, bool clearDirty, uint setFlagBits, bool forgetOwner)
    {
        uint buf_state = LockBufHdr(buf);
        Pg.Assert((buf_state & BM_IO_IN_PROGRESS) != 0);

        uint clear = BM_IO_IN_PROGRESS | BM_IO_ERROR;
        // canary: the error path (AbortBufferIO) forgets to end the I/O
        if (Pool.Options.Canary == BufferCanary.AbortKeepsIoInProgress && (setFlagBits & BM_IO_ERROR) != 0) clear &= ~BM_IO_IN_PROGRESS;
        buf_state &= ~clear;
        if (clearDirty && ((buf_state & BM_JUST_DIRTIED) == 0 || Pool.Options.Canary == BufferCanary.IgnoreJustDirtied))
            buf_state &= ~(BM_DIRTY | BM_CHECKPOINT_NEEDED);
        buf_state |= setFlagBits;
        UnlockBufHdr(buf, buf_state);

        if (forgetOwner) Owner.ForgetBufferIO(GetBuffer(buf));

        ConditionVariable.Broadcast(Backend, IOCV(buf));
    }

    /// <summary>AbortBufferIO: resource-owner cleanup of an I/O whose owner hit an ERROR (all LWLocks
    /// already released, the pin still held). A failed read leaves the buffer not valid; a failed
    /// write leaves it dirty (a repeated failure logs a WARNING). Both end with BM_IO_ERROR set and
    /// no I/O in progress. The resource owner has already forgotten the I/O.</summary>
    public void AbortBufferIO(int buffer)
    {
        BufferDesc buf_hdr = Descs.GetBufferDescriptorOfBuffer(buffer);
        uint buf_state = LockBufHdr(buf_hdr);
        Pg.Assert((buf_state & (BM_IO_IN_PROGRESS | BM_TAG_VALID)) != 0);

        if ((buf_state & BM_VALID) == 0)
        {
            Pg.Assert((buf_state & BM_DIRTY) == 0);
            UnlockBufHdr(buf_hdr, buf_state);
        }
        else
        {
            Pg.Assert((buf_state & BM_DIRTY) != 0);
            // the tag cannot change while we pin the buffer
            BufferTag tag = BufferDescriptors.ReadTag(Mem, buf_hdr);
            UnlockBufHdr(buf_hdr, buf_state);
            if ((buf_state & BM_IO_ERROR) != 0)
            {
                lock (Pool.StorageLock)
                    Pool.Elog.Warning($"could not write block {tag.BlockNum} of {RelPathOf(tag)}: Multiple failures --- write error might be permanent.");
            }
        }

        TerminateBufferIO(buf_hdr, false, BM_IO_ERROR, false);
    }
}
