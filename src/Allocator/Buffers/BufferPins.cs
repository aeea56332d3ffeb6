// BufferPins: one backend's pin operations on shared buffers (bufmgr.c PinBuffer,
// PinBuffer_Locked, UnpinBuffer, UnpinBufferNoOwner, IncrBufferRefCount, CheckForBufferLeaks,
// AtEOXact_Buffers, DebugPrintBufferRefcount, PostgreSQL 17), over the shared descriptor array and
// this backend's PrivateRefCount.
//
// The shared refcount counts backends: it is raised by the first pin of a backend (a CAS loop on
// the state word that waits out the header lock and bumps the usage count) and lowered by its last
// unpin (a CAS loop too; V17 never uses a plain atomic add/subtract on a shared state word). An
// unpin that leaves the flag BM_PIN_COUNT_WAITER behind re-checks under the header lock and, if
// the only remaining pin is the waiter's, clears the flag and wakes the waiter.
//
// Divergences:
//   * The resource owner is optional (Owner): BufMgr sets it, and then every pin is remembered in
//     it and every UnpinBuffer forgets it, as in PostgreSQL; the standalone pin tests run without
//     one, where the private refcounts are the only record.
//   * The content-lock check of UnpinBuffer asks this backend's LWLockBackend.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed class BufferPins
{
    public SyncBackend Backend { get; }
    public BufferDescriptors Descriptors { get; }
    public PrivateRefCount Refs { get; } = new();
    public ElogSink Elog { get; }

    /// <summary>CurrentResourceOwner for pins, or null (see the divergence note).</summary>
    public ResourceOwner? Owner { get; set; }

    /// <summary>Canary (BufferCanary.UsageCountUncapped): PinBuffer forgets BM_MAX_USAGE_COUNT.</summary>
    public bool UsageCountUncapped { get; init; }

    /// <summary>Canary (BufferCanary.PinCountWaiterNotSignalled): the last unpinner clears
    /// BM_PIN_COUNT_WAITER but never sets the waiter's latch.</summary>
    public bool PinCountWaiterNotSignalled { get; init; }

    /// <summary>PinCountWaitBuf: the descriptor whose cleanup lock this backend waits for, if any.</summary>
    public BufferDesc? PinCountWaitBuf { get; set; }

    public BufferPins(SyncBackend backend, BufferDescriptors descriptors, ElogSink? elog = null)
    {
        Backend = backend;
        Descriptors = descriptors;
        Elog = elog ?? new ElogSink();
    }

    private ISyncRuntime Rt => Backend.Runtime;

    /// <summary>BufferDescriptorGetBuffer.</summary>
    public int GetBuffer(BufferDesc buf) => BufferDescriptors.BufferDescriptorGetBuffer(Backend.Memory, buf);

    /// <summary>ReservePrivateRefCountEntry (before any spinlock is taken).</summary>
    public void ReservePrivateRefCountEntry() => Refs.ReservePrivateRefCountEntry();

    /// <summary>PinBuffer: pin <paramref name="buf"/> for this backend; returns whether it was BM_VALID.
    /// The caller has reserved a private refcount entry. With a null strategy the usage count goes
    /// up by one up to BM_MAX_USAGE_COUNT; with a ring strategy only from 0 to 1.</summary>
    public bool PinBuffer(BufferDesc buf, BufferAccessStrategy? strategy)
    {
        int b = GetBuffer(buf);
        bool result;
        Pg.Assert(b > 0);
        Pg.Assert(Refs.HasReservation);

        PrivateRefCountEntry? @ref = Refs.GetPrivateRefCountEntry(b, true);
        if (@ref is null)
        {
            @ref = Refs.NewPrivateRefCountEntry(b);
            uint old_buf_state = BufferDescriptors.ReadState(Rt, buf);
            for (;;)
            {
                if ((old_buf_state & BM_LOCKED) != 0)
                    old_buf_state = BufHdrLock.WaitBufHdrUnlocked(Backend, buf);

                uint buf_state = old_buf_state + BUF_REFCOUNT_ONE;
                if (strategy is null)
                {
                    // default case: increase usage count unless already max
                    if (UsageCountUncapped || BUF_STATE_GET_USAGECOUNT(buf_state) < BM_MAX_USAGE_COUNT)
                        buf_state += BUF_USAGECOUNT_ONE;
                }
                else
                {
                    // ring buffers stay cheap to evict: never above 1
                    if (BUF_STATE_GET_USAGECOUNT(buf_state) == 0)
                        buf_state += BUF_USAGECOUNT_ONE;
                }

                if (BufferDescriptors.CompareExchangeState(Rt, buf, ref old_buf_state, buf_state))
                {
                    result = (buf_state & BM_VALID) != 0;
                    break;
                }
                // old_buf_state now holds the value that beat us; go round again
            }
        }
        else
        {
            // we already pin it, so BM_VALID cannot go away; a stale read can only say "not yet valid"
            result = (BufferDescriptors.ReadState(Rt, buf) & BM_VALID) != 0;
        }

        @ref.refcount++;
        Pg.Assert(@ref.refcount > 0);
        Owner?.RememberBuffer(b);
        return result;
    }

    /// <summary>PinBuffer_Locked: pin a buffer whose header lock the caller holds and which this backend
    /// does not pin yet; the pin and the unlock are one store. The usage count is left alone.</summary>
    public void PinBuffer_Locked(BufferDesc buf)
    {
        int b = GetBuffer(buf);
        // no private entry can exist, so none is looked for after the unlock
        Pg.Assert(Refs.GetPrivateRefCountEntry(b, false) is null);

        // the header lock is ours, so nobody else can change the word: a plain atomic read is current
        uint buf_state = BufferDescriptors.ReadState(Rt, buf);
        Pg.Assert((buf_state & BM_LOCKED) != 0);
        buf_state += BUF_REFCOUNT_ONE;
        BufHdrLock.UnlockBufHdr(Backend, buf, buf_state);

        PrivateRefCountEntry @ref = Refs.NewPrivateRefCountEntry(b);
        @ref.refcount++;
        Owner?.RememberBuffer(b);
    }

    /// <summary>UnpinBuffer: forget the pin in the resource owner, then UnpinBufferNoOwner.</summary>
    public void UnpinBuffer(BufferDesc buf)
    {
        Owner?.ForgetBuffer(GetBuffer(buf));
        UnpinBufferNoOwner(buf);
    }

    /// <summary>UnpinBufferNoOwner: drop one of this backend's pins; the last one lowers the shared
    /// refcount and may wake a cleanup-lock waiter. (Resource-owner release calls this directly.)</summary>
    public void UnpinBufferNoOwner(BufferDesc buf)
    {
        int b = GetBuffer(buf);
        PrivateRefCountEntry? @ref = Refs.GetPrivateRefCountEntry(b, false);
        Pg.Assert(@ref is not null);
        Pg.Assert(@ref.refcount > 0);
        @ref.refcount--;
        if (@ref.refcount != 0) return;

        // I'd better not still hold the buffer content lock
        Pg.Assert(!Backend.LWLocks.LWLockHeldByMe(buf.ContentLock));

        uint old_buf_state = BufferDescriptors.ReadState(Rt, buf);
        uint buf_state;
        for (;;)
        {
            if ((old_buf_state & BM_LOCKED) != 0)
                old_buf_state = BufHdrLock.WaitBufHdrUnlocked(Backend, buf);
            buf_state = old_buf_state - BUF_REFCOUNT_ONE;
            if (BufferDescriptors.CompareExchangeState(Rt, buf, ref old_buf_state, buf_state)) break;
        }

        // LockBufferForCleanup support: wake the waiter if its own pin is the last one left
        if ((buf_state & BM_PIN_COUNT_WAITER) != 0)
        {
            buf_state = BufHdrLock.LockBufHdr(Backend, buf);
            if ((buf_state & BM_PIN_COUNT_WAITER) != 0 && BUF_STATE_GET_REFCOUNT(buf_state) == 1)
            {
                int wait_backend_pgprocno = BufferDescriptors.ReadWaitBackend(Backend.Memory, buf);
                buf_state &= ~BM_PIN_COUNT_WAITER;
                BufHdrLock.UnlockBufHdr(Backend, buf, buf_state);
                if (!PinCountWaiterNotSignalled) ProcSendSignal(wait_backend_pgprocno);
            }
            else
            {
                BufHdrLock.UnlockBufHdr(Backend, buf, buf_state);
            }
        }

        Refs.ForgetPrivateRefCountEntry(@ref);
    }

    /// <summary>ReleaseBuffer for a shared buffer.</summary>
    public void ReleaseBuffer(int buffer)
    {
        if (buffer <= 0 || buffer > Descriptors.NBuffers) throw new PgErrorException($"bad buffer ID: {buffer}");
        UnpinBuffer(Descriptors.GetBufferDescriptorOfBuffer(buffer));
    }

    /// <summary>IncrBufferRefCount: one more pin on a buffer this backend already pins (private count only).</summary>
    public void IncrBufferRefCount(int buffer)
    {
        Pg.Assert(buffer > 0 && buffer <= Descriptors.NBuffers);
        Owner?.RememberBuffer(buffer);
        PrivateRefCountEntry? @ref = Refs.GetPrivateRefCountEntry(buffer, true);
        Pg.Assert(@ref is not null);
        @ref.refcount++;
    }

    /// <summary>ProcSendSignal(procno): set that backend's latch.</summary>
    private void ProcSendSignal(int procno) => Latch.ProcSendSignal(Backend, procno);

    /// <summary>DebugPrintBufferRefcount: "[bbb] (rel=..., blockNum=..., flags=0x..., refcount=shared private)".</summary>
    public string DebugPrintBufferRefcount(int buffer)
    {
        BufferDesc buf = Descriptors.GetBufferDescriptorOfBuffer(buffer);
        int loccount = Refs.GetPrivateRefCount(buffer);
        // theoretically the header should be locked for the tag; PostgreSQL does not either
        BufferTag tag = BufferDescriptors.ReadTagUnlocked(Rt, buf);
        uint buf_state = BufferDescriptors.ReadState(Rt, buf);
        return $"[{buffer:D3}] (rel={tag.RelPath()}, blockNum={tag.BlockNum}, flags=0x{buf_state & BUF_FLAG_MASK:x}, refcount={BUF_STATE_GET_REFCOUNT(buf_state)} {loccount})";
    }

    /// <summary>CheckForBufferLeaks: a WARNING "buffer refcount leak: ..." per buffer this backend still
    /// pins, then Assert that there were none. Returns the number of leaks (when it returns at all).</summary>
    public int CheckForBufferLeaks()
    {
        int RefCountErrors = 0;
        foreach (PrivateRefCountEntry res in Refs.Entries())
        {
            Elog.Warning($"buffer refcount leak: {DebugPrintBufferRefcount(res.buffer)}");
            RefCountErrors++;
        }
        Pg.Assert(RefCountErrors == 0);
        return RefCountErrors;
    }

    /// <summary>AtEOXact_Buffers: end of transaction: no pin may survive it.</summary>
    public void AtEOXact_Buffers(bool isCommit)
    {
        _ = isCommit;
        CheckForBufferLeaks();
        Pg.Assert(Refs.Overflowed == 0);
    }
}
