// BufMgr.Xact: the buffer manager at transaction end (bufmgr.c AtEOXact_Buffers,
// CheckForBufferLeaks; xact.c AbortTransaction's order for the resources the buffer manager
// touches, PostgreSQL 17; spec §16.5).
//
// After an ERROR the caller runs AbortCurrentTransaction:
//   1. LWLockReleaseAll (content and partition locks; RESUME_INTERRUPTS for each);
//   2. UnlockBuffers (withdraw a cleanup-lock wait), then ConditionVariableCancelSleep;
//   3. ResourceOwnerRelease before-locks: buffer I/Os first (AbortBufferIO: a failed read leaves
//      the buffer not valid, a failed write still dirty, both BM_IO_ERROR, waiters woken), then
//      buffer pins (UnpinBufferNoOwner);
//   4. AtEOXact_Buffers(false): the private refcounts must now be empty (the cross-check).
// Spinlocks are never held at an ERROR, so nothing releases them.
//
// Divergence: PostgreSQL's AbortTransaction does much more (and ConditionVariableCancelSleep comes
// a few steps after UnlockBuffers, with only non-buffer work in between); this is the subset that
// affects buffer-manager state, in PostgreSQL's relative order.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>AtEOXact_Buffers: no pin may survive a transaction; a WARNING per leak, then an
    /// assertion failure (as in an assert-enabled PostgreSQL build).</summary>
    public void AtEOXact_Buffers(bool isCommit) => Pins.AtEOXact_Buffers(isCommit);

    /// <summary>The buffer-manager part of AbortTransaction, after an ERROR (see the header).</summary>
    public void AbortCurrentTransaction()
    {
        Backend.LockOrder.AtAbort();
        Backend.LWLocks.LWLockReleaseAll();
        UnlockBuffers();
        ConditionVariable.CancelSleep(Backend);
        Owner.Release(isCommit: false, Pool.Elog,
            releaseIO: AbortBufferIO,
            releasePin: b => Pins.UnpinBufferNoOwner(Descs.GetBufferDescriptorOfBuffer(b)),
            describe: (kind, b) => $"{kind} {Pins.DebugPrintBufferRefcount(b)}");
        AtEOXact_Buffers(false);
    }

    /// <summary>Commit: the resource owner must be empty (a WARNING per leftover, as ResourceOwnerRelease
    /// on commit does, which then releases it), then AtEOXact_Buffers(true).</summary>
    public void CommitTransaction()
    {
        Pg.Assert(PinCountWaitBuf is null);
        Owner.Release(isCommit: true, Pool.Elog,
            releaseIO: AbortBufferIO,
            releasePin: b => Pins.UnpinBufferNoOwner(Descs.GetBufferDescriptorOfBuffer(b)),
            describe: (kind, b) => $"{kind} {Pins.DebugPrintBufferRefcount(b)}");
        AtEOXact_Buffers(true);
    }
}
