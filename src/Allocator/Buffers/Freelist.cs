// Freelist: the buffer replacement strategy of freelist.c (PostgreSQL 17): the shared free list,
// the clock sweep (ClockSweepTick), StrategyGetBuffer, StrategyFreeBuffer, StrategySyncStart and
// StrategyNotifyBgWriter, over one StrategyControl block and the descriptor array. Rings are in
// BufferAccessStrategy.
//
// Access discipline (through the seam wherever it can race):
//   * buffer_strategy_lock: SLock.S_LOCK / S_UNLOCK on the block's first word;
//   * fields protected by it (firstFreeBuffer, lastFreeBuffer, completePasses, bgwprocno on the
//     write side, every descriptor's freeNext): the backend's memory, plain;
//   * the unlocked emptiness peek at firstFreeBuffer and the bgwprocno read/reset: SharedRead32 /
//     SharedWrite32;
//   * nextVictimBuffer and numBufferAllocs: atomics.
//
// StrategyGetBuffer returns with the chosen buffer's header lock held; the caller pins it with
// PinBuffer_Locked (or unlocks it), so it cannot be pinned by anyone in between.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public static class Freelist
{
    /// <summary>ClockSweepTick: the next buffer id under the clock hand. The hand is a free-running
    /// counter; the backend whose ticket is a nonzero multiple of NBuffers folds it back below
    /// NBuffers under the spinlock and counts the completed pass.</summary>
    public static int ClockSweepTick(SyncBackend b, StrategyControl sc)
    {
        uint n = (uint)sc.NBuffers;
        // everyone else may be incrementing too: take a ticket
        uint victim = b.Runtime.AtomicFetchAdd32(sc.NextVictimBufferAddr, 1);
        if (victim >= n)
        {
            uint originalVictim = victim;
            // always wrap what we look up in the descriptor array
            victim %= n;

            // the ticket that lands exactly on a multiple of NBuffers owns the fold; the others
            // just use their ticket modulo NBuffers
            if (victim == 0)
            {
                uint expected = originalVictim + 1;
                bool success = false;
                while (!success)
                {
                    // the spinlock keeps StrategySyncStart from seeing the fold and
                    // completePasses out of step
                    SLock.S_LOCK(b, sc.LockAddr);
                    uint wrapped = expected % n;
                    success = b.Runtime.AtomicCompareExchange32(sc.NextVictimBufferAddr, ref expected, wrapped);
                    if (success)
                    {
                        uint passes = b.Memory.ReadU32(sc.CompletePassesAddr);
                        b.Memory.WriteU32(sc.CompletePassesAddr, passes + 1);
                    }
                    SLock.S_UNLOCK(b, sc.LockAddr);
                }
            }
        }
        return (int)victim;
    }

    /// <summary>StrategyGetBuffer: a victim buffer for BufferAlloc, returned unpinned with its header
    /// lock held and <paramref name="buf_state"/> its locked state word. <paramref name="from_ring"/>
    /// tells whether the ring supplied it. ERROR "no unpinned buffers available" when the clock finds
    /// NBuffers pinned buffers in a row. <paramref name="canary"/> is the pool's (BufferCanary).</summary>
    public static BufferDesc StrategyGetBuffer(SyncBackend b, StrategyControl sc, BufferAccessStrategy? strategy,
        out uint buf_state, out bool from_ring, BufferCanary canary = BufferCanary.None)
    {
        BufferDescriptors descs = sc.Descriptors;
        SimMemory m = b.Memory;
        uint local_buf_state;
        from_ring = false;

        // 1. the ring, if there is one
        if (strategy is not null)
        {
            BufferDesc? r = strategy.GetBufferFromRing(b, out buf_state);
            if (r is BufferDesc rb)
            {
                from_ring = true;
                return rb;
            }
        }

        // 2. wake the bgwriter if it asked to be told about allocations: read the field once,
        // reset it without the lock (a lost race only means one more or one fewer wake-up)
        int bgwprocno = (int)b.Runtime.SharedRead32(sc.BgwprocnoAddr);
        if (bgwprocno != -1)
        {
            // reset first, so the bgwriter can set it again while we signal
            b.Runtime.SharedWrite32(sc.BgwprocnoAddr, unchecked((uint)-1));
            sc.SetLatch?.Invoke(bgwprocno);
        }

        // 3. count the allocation for the bgwriter's pacing (ring reuse above is not counted)
        b.Runtime.AtomicFetchAdd32(sc.NumBufferAllocsAddr, 1);

        // 4. the free list; the unlocked peek avoids the spinlock in the usual, empty case
        if ((int)b.Runtime.SharedRead32(sc.FirstFreeBufferAddr) >= 0)
        {
            while (true)
            {
                SLock.S_LOCK(b, sc.LockAddr);
                int first = (int)m.ReadU32(sc.FirstFreeBufferAddr);
                if (first < 0)
                {
                    SLock.S_UNLOCK(b, sc.LockAddr);
                    break;
                }
                BufferDesc fb = descs.GetBufferDescriptor(first);
                Pg.Assert(BufferDescriptors.ReadFreeNext(m, fb) != FREENEXT_NOT_IN_LIST);
                // unlink the head; lastFreeBuffer is left alone (it stays right while the list
                // is non-empty and means nothing once it is empty)
                m.WriteU32(sc.FirstFreeBufferAddr, unchecked((uint)BufferDescriptors.ReadFreeNext(m, fb)));
                BufferDescriptors.WriteFreeNext(m, fb, FREENEXT_NOT_IN_LIST);
                SLock.S_UNLOCK(b, sc.LockAddr);

                // someone may have pinned or used it since it was freed; then drop it and look again
                local_buf_state = BufHdrLock.LockBufHdr(b, fb);
                if (BUF_STATE_GET_REFCOUNT(local_buf_state) == 0 && BUF_STATE_GET_USAGECOUNT(local_buf_state) == 0)
                {
                    strategy?.AddBufferToRing(b, fb);
                    buf_state = local_buf_state;
                    return fb;
                }
                BufHdrLock.UnlockBufHdr(b, fb, local_buf_state);
            }
        }

        // 5. the clock sweep
        int trycounter = sc.NBuffers;
        for (;;)
        {
            BufferDesc cb = descs.GetBufferDescriptor(ClockSweepTick(b, sc));
            // the usage count can only be changed under the header lock (or by a pin's CAS, which
            // waits for it), so take it before looking
            local_buf_state = BufHdrLock.LockBufHdr(b, cb);
            if (BUF_STATE_GET_REFCOUNT(local_buf_state) == 0)
            {
                if (BUF_STATE_GET_USAGECOUNT(local_buf_state) != 0)
                {
                    local_buf_state -= BUF_USAGECOUNT_ONE;
                    if (canary != BufferCanary.SweepTrycounterNotReset) trycounter = sc.NBuffers;
                }
                else
                {
                    // found a usable buffer
                    strategy?.AddBufferToRing(b, cb);
                    buf_state = local_buf_state;
                    return cb;
                }
            }
            else if (--trycounter == 0)
            {
                // a whole lap of pinned buffers with no usage count to spend: give up rather than
                // spin forever (the lock must go first: an ERROR never leaves a spinlock held)
                BufHdrLock.UnlockBufHdr(b, cb, local_buf_state);
                throw new PgErrorException("no unpinned buffers available");
            }
            BufHdrLock.UnlockBufHdr(b, cb, local_buf_state);
        }
    }

    /// <summary>StrategyFreeBuffer: push <paramref name="buf"/> on the front of the free list unless it
    /// is on it already. Its state is not looked at (the caller may still pin it).</summary>
    public static void StrategyFreeBuffer(SyncBackend b, StrategyControl sc, BufferDesc buf)
    {
        SimMemory m = b.Memory;
        SLock.S_LOCK(b, sc.LockAddr);
        // a buffer already on the list stays where it is
        if (BufferDescriptors.ReadFreeNext(m, buf) == FREENEXT_NOT_IN_LIST)
        {
            int id = BufferDescriptors.GetBufId(m, buf);
            int first = (int)m.ReadU32(sc.FirstFreeBufferAddr);
            BufferDescriptors.WriteFreeNext(m, buf, first);
            if (first < 0) m.WriteU32(sc.LastFreeBufferAddr, (uint)id);
            m.WriteU32(sc.FirstFreeBufferAddr, (uint)id);
        }
        SLock.S_UNLOCK(b, sc.LockAddr);
    }

    /// <summary>StrategySyncStart: where the bgwriter should start (the clock hand modulo NBuffers),
    /// with the passes completed so far, counting a fold that has not happened yet, and the number of
    /// allocations since the last call (the counter is reset).</summary>
    public static int StrategySyncStart(SyncBackend b, StrategyControl sc, out uint complete_passes, out uint num_buf_alloc)
    {
        uint n = (uint)sc.NBuffers;
        SLock.S_LOCK(b, sc.LockAddr);
        uint nextVictimBuffer = b.Runtime.AtomicRead32(sc.NextVictimBufferAddr);
        int result = (int)(nextVictimBuffer % n);
        // a hand beyond NBuffers is a pass whose fold is still pending
        complete_passes = b.Memory.ReadU32(sc.CompletePassesAddr) + nextVictimBuffer / n;
        num_buf_alloc = b.Runtime.AtomicExchange32(sc.NumBufferAllocsAddr, 0);
        SLock.S_UNLOCK(b, sc.LockAddr);
        return result;
    }

    /// <summary>StrategyNotifyBgWriter: the bgwriter asks (procno) or stops asking (-1) to be woken by
    /// the next allocation.</summary>
    public static void StrategyNotifyBgWriter(SyncBackend b, StrategyControl sc, int bgwprocno)
    {
        // the spinlock keeps this store ordered with the rest of the block
        SLock.S_LOCK(b, sc.LockAddr);
        b.Memory.WriteU32(sc.BgwprocnoAddr, unchecked((uint)bgwprocno));
        SLock.S_UNLOCK(b, sc.LockAddr);
    }
}
