// BufMgr.Locks: content locks and cleanup locks (bufmgr.c LockBuffer, ConditionalLockBuffer,
// CheckBufferIsPinnedOnce, LockBufferForCleanup, ConditionalLockBufferForCleanup, IsBufferCleanupOK,
// UnlockBuffers, UnlockReleaseBuffer, PostgreSQL 17; spec §9).
//
// The content lock is the LWLock in the descriptor. A cleanup lock is the content lock held
// exclusively while ours is the only pin. LockBufferForCleanup waits for that with
// BM_PIN_COUNT_WAITER + wait_backend_pgprocno (set under the header lock in the same hold as the
// refcount test, so the unpinner that brings the count to 1 is sure to see the flag) and sleeps on
// its latch; UnpinBuffer clears the flag and sets the latch. Latch wake-ups may be for something
// else, so the waiter clears its own flag if it is still there and tests again.
//
// Divergence: no hot-standby path (ResolveRecoveryConflictWithBufferPin); the waiter always uses
// ProcWaitForSignal.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>LockBuffer: UNLOCK, SHARE or EXCLUSIVE on the content lock of a buffer we pin.</summary>
    public void LockBuffer(int buffer, int mode)
    {
        Pg.Assert(BufferIsPinned(buffer));
        LWLock content_lock = GetBufferDescriptorOfBuffer(buffer).ContentLock;
        if (mode == BufferLockMode.BUFFER_LOCK_UNLOCK)
            Backend.LWLocks.LWLockRelease(content_lock);
        else if (mode == BufferLockMode.BUFFER_LOCK_SHARE)
            Backend.LWLocks.LWLockAcquire(content_lock, LWLockMode.LW_SHARED);
        else if (mode == BufferLockMode.BUFFER_LOCK_EXCLUSIVE)
            Backend.LWLocks.LWLockAcquire(content_lock, Pool.Options.Canary == BufferCanary.ExclusiveLockTakenShared ? LWLockMode.LW_SHARED : LWLockMode.LW_EXCLUSIVE);
        else
            throw new PgErrorException($"unrecognized buffer lock mode: {mode}");
    }

    /// <summary>ConditionalLockBuffer: the content lock exclusively, if free now.</summary>
    public bool ConditionalLockBuffer(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        return Backend.LWLocks.LWLockConditionalAcquire(GetBufferDescriptorOfBuffer(buffer).ContentLock, LWLockMode.LW_EXCLUSIVE);
    }

    /// <summary>UnlockReleaseBuffer: release the content lock, then the pin.</summary>
    public void UnlockReleaseBuffer(int buffer)
    {
        LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
        ReleaseBuffer(buffer);
    }

    /// <summary>CheckBufferIsPinnedOnce: ERROR unless we pin the buffer exactly once.</summary>
    public void CheckBufferIsPinnedOnce(int buffer)
    {
        int n = GetPrivateRefCount(buffer);
        if (n != 1) throw new PgErrorException($"incorrect local pin count: {n}");
    }

    /// <summary>LockBufferForCleanup: the content lock exclusively, with ours the only pin; waits for
    /// other pins to go away. At most one backend may wait per buffer.</summary>
    public void LockBufferForCleanup(int buffer)
    {
        Pg.Assert(BufferIsPinned(buffer));
        Pg.Assert(PinCountWaitBuf is null);
        CheckBufferIsPinnedOnce(buffer);
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        int me = Backend.MyProcNumber;

        for (;;)
        {
            LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
            uint buf_state = LockBufHdr(bufHdr);
            Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) > 0);
            if (BUF_STATE_GET_REFCOUNT(buf_state) == 1)
            {
                // only our pin: we have the cleanup lock
                UnlockBufHdr(bufHdr, buf_state);
                return;
            }
            // someone else pins it: wait, unless another backend is already waiting
            if ((buf_state & BM_PIN_COUNT_WAITER) != 0)
            {
                UnlockBufHdr(bufHdr, buf_state);
                LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
                throw new PgErrorException("multiple backends attempting to wait for pincount 1");
            }
            BufferDescriptors.WriteWaitBackend(Mem, bufHdr, me);
            PinCountWaitBuf = bufHdr;
            buf_state |= BM_PIN_COUNT_WAITER;
            UnlockBufHdr(bufHdr, buf_state);
            LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);

            // the last other unpinner clears the flag and sets our latch (WAIT_EVENT_BUFFER_PIN;
            // the latch wait reports itself)
            Latch.ProcWaitForSignal(Backend);

            // the latch may have been set for another reason: take our flag back if it is still ours
            buf_state = LockBufHdr(bufHdr);
            if ((buf_state & BM_PIN_COUNT_WAITER) != 0 && BufferDescriptors.ReadWaitBackend(Mem, bufHdr) == me)
                buf_state &= ~BM_PIN_COUNT_WAITER;
            UnlockBufHdr(bufHdr, buf_state);
            PinCountWaitBuf = null;
            // loop back and retry
        }
    }

    /// <summary>ConditionalLockBufferForCleanup: the cleanup lock if available without waiting.</summary>
    public bool ConditionalLockBufferForCleanup(int buffer)
    {
        int refcount = GetPrivateRefCount(buffer);
        Pg.Assert(refcount > 0);
        if (refcount != 1) return false;
        if (!ConditionalLockBuffer(buffer)) return false;

        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        uint buf_state = LockBufHdr(bufHdr);
        uint shared = BUF_STATE_GET_REFCOUNT(buf_state);
        Pg.Assert(shared > 0);
        UnlockBufHdr(bufHdr, buf_state);
        if (shared == 1) return true;
        LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
        return false;
    }

    /// <summary>IsBufferCleanupOK: holding the content lock exclusively, are we the only pinner?</summary>
    public bool IsBufferCleanupOK(int buffer)
    {
        if (GetPrivateRefCount(buffer) != 1) return false;
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        Pg.Assert(Backend.LWLocks.LWLockHeldByMeInMode(bufHdr.ContentLock, LWLockMode.LW_EXCLUSIVE));
        uint buf_state = LockBufHdr(bufHdr);
        Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) > 0);
        UnlockBufHdr(bufHdr, buf_state);
        return BUF_STATE_GET_REFCOUNT(buf_state) == 1;
    }

    /// <summary>UnlockBuffers: error recovery / exit: withdraw our cleanup-lock wait, if any (content
    /// locks are released by LWLockReleaseAll).</summary>
    public void UnlockBuffers()
    {
        BufferDesc? buf = PinCountWaitBuf;
        if (buf is not BufferDesc b) return;
        uint buf_state = LockBufHdr(b);
        // the flag may already have been cleared by an unpinner, or belong to someone else by now
        if ((buf_state & BM_PIN_COUNT_WAITER) != 0 && BufferDescriptors.ReadWaitBackend(Mem, b) == Backend.MyProcNumber)
            buf_state &= ~BM_PIN_COUNT_WAITER;
        UnlockBufHdr(b, buf_state);
        PinCountWaitBuf = null;
    }
}
