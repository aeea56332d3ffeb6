// BufMgr.Checkpoint: the checkpointer's and the background writer's side of the buffer manager
// (bufmgr.c BufferSync, SyncOneBuffer, BgBufferSync, ckpt_buforder_comparator, PostgreSQL 17;
// spec §10), plus the part of xlog.c CreateCheckPoint that brackets BufferSync with the WAL.
//
// BufferSync marks, under each header lock, the buffers that must be written (dirty, and permanent
// unless the checkpoint is a shutdown / end-of-recovery / flush-all one) with BM_CHECKPOINT_NEEDED,
// so only pages dirty at its start are its business; it records them in the shared
// CkptBufferIds array, sorts them by (tablespace, relation, fork, block) and writes those still
// flagged through SyncOneBuffer. Whoever else writes such a buffer first (a backend evicting it,
// the bgwriter) clears the flag through TerminateBufferIO, and the checkpoint skips it.
//
// BgBufferSync cleans ahead of the clock hand: from where it stopped last time (or the hand, if it
// fell behind) it calls SyncOneBuffer(skip_recently_used) until it has lapped the hand, found as
// many reusable buffers as it predicts the next cycle will allocate, or written
// bgwriter_lru_maxpages buffers. Its estimates use PostgreSQL's constants and float arithmetic
// (smoothing over 16 samples, initial density 10, fast-attack allocation average).
//
// Divergences:
//   * Tablespace balancing: PostgreSQL interleaves tablespaces with a binary min-heap on progress;
//     here the tablespace with the least progress is found by a linear scan (ties: the lowest
//     tablespace OID), which visits buffers in the same proportions. Records with equal page ids
//     (possible, see the C comment) are ordered by buf_id so the order is deterministic.
//   * No throttling (CheckpointWriteDelay), no writeback context, no statistics beyond
//     BgWriterState's counters, no ProcSignalBarrier processing.
//   * BgWriterDelay is a count of calls (BgWriterState.ScanWholePoolCalls).
//   * CreateCheckPoint keeps only the WAL bracket: redo pointer, BufferSync, checkpoint record,
//     control file (SimWal.LogCheckpoint). No fsync (completed writes are durable, see SimStorage),
//     no CLOG/multixact/etc. flushing, no DELAY_CHKPT_START handshake.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>CreateCheckPoint flags (access/xlog.h, PostgreSQL 17 values).</summary>
    public const int CHECKPOINT_IS_SHUTDOWN = 0x0001;
    public const int CHECKPOINT_END_OF_RECOVERY = 0x0002;
    public const int CHECKPOINT_IMMEDIATE = 0x0004;
    public const int CHECKPOINT_FORCE = 0x0008;
    public const int CHECKPOINT_FLUSH_ALL = 0x0010;

    /// <summary>SyncOneBuffer's result bits.</summary>
    public const int BUF_WRITTEN = 0x01;
    public const int BUF_REUSABLE = 0x02;

    // CkptSortItem field offsets in the shared CkptBufferIds array
    private const ulong CKPT_tsId = 0, CKPT_relNumber = 4, CKPT_forkNum = 8, CKPT_blockNum = 12, CKPT_buf_id = 16;

    /// <summary>The background writer's state, if this backend acts as the bgwriter (the C statics).</summary>
    public BgWriterState BgWriter { get; } = new();

    /// <summary>Buffers written by the last BufferSync itself (CheckpointStats.ckpt_bufs_written's increment).</summary>
    public int LastCheckpointBuffersWritten { get; private set; }

    /// <summary>Buffers marked BM_CHECKPOINT_NEEDED by the last BufferSync (num_to_scan).</summary>
    public int LastCheckpointBuffersToScan { get; private set; }

    private readonly record struct CkptSortItem(uint tsId, uint relNumber, int forkNum, uint blockNum, int buf_id);

    /// <summary>ckpt_buforder_comparator, with buf_id as the final tie-breaker (see the header).</summary>
    private static int CkptBufOrder(CkptSortItem a, CkptSortItem b)
    {
        int c = a.tsId.CompareTo(b.tsId);
        if (c == 0) c = a.relNumber.CompareTo(b.relNumber);
        if (c == 0) c = a.forkNum.CompareTo(b.forkNum);
        if (c == 0) c = a.blockNum.CompareTo(b.blockNum);
        if (c == 0) c = a.buf_id.CompareTo(b.buf_id);
        return c;
    }

    private ulong CkptItemAddr(int i) => Pool.CkptBufferIds + (ulong)i * BufferPool.SIZEOF_CkptSortItem;

    private void WriteCkptItem(int i, in CkptSortItem it)
    {
        ulong a = CkptItemAddr(i);
        Mem.WriteU32(a + CKPT_tsId, it.tsId);
        Mem.WriteU32(a + CKPT_relNumber, it.relNumber);
        Mem.WriteU32(a + CKPT_forkNum, unchecked((uint)it.forkNum));
        Mem.WriteU32(a + CKPT_blockNum, it.blockNum);
        Mem.WriteU32(a + CKPT_buf_id, unchecked((uint)it.buf_id));
    }

    private CkptSortItem ReadCkptItem(int i)
    {
        ulong a = CkptItemAddr(i);
        return new CkptSortItem(Mem.ReadU32(a + CKPT_tsId), Mem.ReadU32(a + CKPT_relNumber),
            (int)Mem.ReadU32(a + CKPT_forkNum), Mem.ReadU32(a + CKPT_blockNum), (int)Mem.ReadU32(a + CKPT_buf_id));
    }

    /// <summary>BufferSync: write every buffer that is dirty (and permanent, unless
    /// <paramref name="flags"/> has CHECKPOINT_IS_SHUTDOWN, _END_OF_RECOVERY or _FLUSH_ALL) when it
    /// starts. Run by one process at a time (the checkpointer), which owns CkptBufferIds.</summary>
    public void BufferSync(int flags)
    {
        uint mask = BM_DIRTY;
        if ((flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_FLUSH_ALL)) == 0)
            mask |= BM_PERMANENT;

        // Phase 1: flag what is dirty now; pages dirtied later are the next checkpoint's
        int num_to_scan = 0;
        for (int buf_id = 0; buf_id < Pool.NBuffers; buf_id++)
        {
            BufferDesc bufHdr = Descs.GetBufferDescriptor(buf_id);
            // the header lock suffices to examine BM_DIRTY (see SyncOneBuffer)
            uint buf_state = LockBufHdr(bufHdr);
            if ((buf_state & mask) == mask)
            {
                buf_state |= BM_CHECKPOINT_NEEDED;
                BufferTag tag = BufferDescriptors.ReadTag(Mem, bufHdr);
                WriteCkptItem(num_to_scan++, new CkptSortItem(tag.SpcOid, tag.RelNumber, (int)tag.ForkNum, tag.BlockNum, buf_id));
            }
            UnlockBufHdr(bufHdr, buf_state);
        }

        LastCheckpointBuffersToScan = num_to_scan;
        LastCheckpointBuffersWritten = 0;
        if (num_to_scan == 0) return;

        // sort_checkpoint_bufferids: in page order, which also groups the tablespaces
        var items = new CkptSortItem[num_to_scan];
        for (int i = 0; i < num_to_scan; i++) items[i] = ReadCkptItem(i);
        Array.Sort(items, CkptBufOrder);
        for (int i = 0; i < num_to_scan; i++) WriteCkptItem(i, items[i]);

        // per-tablespace progress: where its items start, how many, how far along
        var tsIndex = new List<int>();
        var tsCount = new List<int>();
        for (int i = 0; i < num_to_scan; i++)
        {
            if (i == 0 || items[i].tsId != items[i - 1].tsId)
            {
                tsIndex.Add(i);
                tsCount.Add(0);
            }
            tsCount[^1]++;
        }
        int num_spaces = tsIndex.Count;
        var progress = new double[num_spaces];
        var progress_slice = new double[num_spaces];
        var num_scanned = new int[num_spaces];
        for (int s = 0; s < num_spaces; s++) progress_slice[s] = (double)num_to_scan / tsCount[s];

        // Phase 2: write them, always advancing the tablespace that is furthest behind
        int num_written = 0;
        int remaining = num_spaces;
        while (remaining > 0)
        {
            int ts = -1;
            for (int s = 0; s < num_spaces; s++)
                if (num_scanned[s] < tsCount[s] && (ts < 0 || progress[s] < progress[ts])) ts = s;

            int buf_id = ReadCkptItem(tsIndex[ts] + num_scanned[ts]).buf_id;
            Pg.Assert(buf_id != -1);
            BufferDesc bufHdr = Descs.GetBufferDescriptor(buf_id);

            // an unlocked look at one bit: if someone wrote it meanwhile the flag is gone; if it was
            // also replaced and re-dirtied, SyncOneBuffer writes a page it need not (accepted)
            if ((ReadState(bufHdr) & BM_CHECKPOINT_NEEDED) != 0 && Pool.Options.Canary != BufferCanary.CheckpointSkipsWrite)
            {
                if ((SyncOneBuffer(buf_id, false) & BUF_WRITTEN) != 0) num_written++;
            }

            // progress counts buffers looked at, written or not, so tablespaces stay balanced
            progress[ts] += progress_slice[ts];
            num_scanned[ts]++;
            if (num_scanned[ts] == tsCount[ts]) remaining--;
        }
        LastCheckpointBuffersWritten = num_written;
    }

    /// <summary>SyncOneBuffer: write buffer <paramref name="bufId"/> if it is valid and dirty. With
    /// <paramref name="skipRecentlyUsed"/>, a pinned or recently used buffer (not a replacement
    /// candidate) is left alone. Returns BUF_WRITTEN if written, BUF_REUSABLE if it was unpinned
    /// with usage count 0 when looked at. (BUF_WRITTEN may be set though FlushBuffer found the buffer
    /// clean after locking it, as in PostgreSQL.)</summary>
    public int SyncOneBuffer(int bufId, bool skipRecentlyUsed)
    {
        BufferDesc bufHdr = Descs.GetBufferDescriptor(bufId);
        int result = 0;

        // room for the pin before the spinlock
        Pins.ReservePrivateRefCountEntry();
        ResourceOwner.ResourceOwnerEnlarge();

        // no content lock needed for this test: a page dirtied just after it belongs to a WAL record
        // after the checkpoint's redo pointer, so this checkpoint need not write it
        uint buf_state = LockBufHdr(bufHdr);
        if (BUF_STATE_GET_REFCOUNT(buf_state) == 0 && BUF_STATE_GET_USAGECOUNT(buf_state) == 0)
        {
            result |= BUF_REUSABLE;
        }
        else if (skipRecentlyUsed)
        {
            UnlockBufHdr(bufHdr, buf_state);
            return result;
        }

        if ((buf_state & BM_VALID) == 0 || (buf_state & BM_DIRTY) == 0)
        {
            // clean: nothing to do
            UnlockBufHdr(bufHdr, buf_state);
            return result;
        }

        // pin, share-lock, write (FlushBuffer does nothing if it is clean by now)
        Pins.PinBuffer_Locked(bufHdr); // releases the header lock
        Backend.LWLocks.LWLockAcquire(bufHdr.ContentLock, LWLockMode.LW_SHARED);
        FlushBuffer(bufHdr);
        Backend.LWLocks.LWLockRelease(bufHdr.ContentLock);
        Pins.UnpinBuffer(bufHdr);

        return result | BUF_WRITTEN;
    }

    /// <summary>BgBufferSync: one bgwriter round (state in BgWriter). Returns true when the bgwriter
    /// may hibernate: the clock hand was lapped and nothing was allocated since the last call (or
    /// bgwriter_lru_maxpages is 0).</summary>
    public bool BgBufferSync()
    {
        BgWriterState st = BgWriter;
        int NBuffers = Pool.NBuffers;

        // where is the clock hand, and how many allocations since last time?
        int strategy_buf_id = Freelist.StrategySyncStart(Backend, Pool.Strategy, out uint strategy_passes, out uint recent_alloc);
        st.buf_alloc += recent_alloc;

        // LRU scan off: forget the saved position so that turning it on again starts afresh
        if (st.bgwriter_lru_maxpages <= 0)
        {
            st.saved_info_valid = false;
            return true;
        }

        // how far the hand moved since last call, and how far we are ahead of it
        long strategy_delta;
        int bufs_to_lap;
        if (st.saved_info_valid)
        {
            int passes_delta = unchecked((int)(strategy_passes - st.prev_strategy_passes));
            strategy_delta = strategy_buf_id - st.prev_strategy_buf_id;
            strategy_delta += (long)passes_delta * NBuffers;
            // PostgreSQL's Assert; reachable through the clock's accepted wrap corner case (spec
            // F4), see BgWriterState.AssertStrategyDelta
            if (st.AssertStrategyDelta) Pg.Assert(strategy_delta >= 0);

            if (unchecked((int)(st.next_passes - strategy_passes)) > 0)
            {
                // a pass ahead of the hand
                bufs_to_lap = strategy_buf_id - st.next_to_clean;
            }
            else if (st.next_passes == strategy_passes && st.next_to_clean >= strategy_buf_id)
            {
                // same pass, at or ahead of the hand
                bufs_to_lap = NBuffers - (st.next_to_clean - strategy_buf_id);
            }
            else
            {
                // behind: jump to the hand and clean from there
                st.next_to_clean = strategy_buf_id;
                st.next_passes = strategy_passes;
                bufs_to_lap = NBuffers;
            }
        }
        else
        {
            // first call (or the scan was off): start at the hand
            strategy_delta = 0;
            st.next_to_clean = strategy_buf_id;
            st.next_passes = strategy_passes;
            bufs_to_lap = NBuffers;
        }

        st.prev_strategy_buf_id = strategy_buf_id;
        st.prev_strategy_passes = strategy_passes;
        st.saved_info_valid = true;

        // buffers scanned per allocation (1/density of reusable buffers), smoothed; not updated when
        // the hand did not move
        float scans_per_alloc;
        if (strategy_delta > 0 && recent_alloc > 0)
        {
            scans_per_alloc = (float)strategy_delta / (float)recent_alloc;
            st.smoothed_density += (scans_per_alloc - st.smoothed_density) / BgWriterState.smoothing_samples;
        }

        // reusable buffers expected between the hand and where we have cleaned to
        int bufs_ahead = NBuffers - bufs_to_lap;
        int reusable_buffers_est = (int)((float)bufs_ahead / st.smoothed_density);

        // allocations: follow any increase at once, decay slowly
        if (st.smoothed_alloc <= (float)recent_alloc)
            st.smoothed_alloc = recent_alloc;
        else
            st.smoothed_alloc += ((float)recent_alloc - st.smoothed_alloc) / BgWriterState.smoothing_samples;

        int upcoming_alloc_est = (int)(st.smoothed_alloc * st.bgwriter_lru_multiplier);

        // once the estimate is 0, stop tracking ever smaller averages (they would underflow)
        if (upcoming_alloc_est == 0) st.smoothed_alloc = 0;

        // even when idle, make some progress: the whole pool every ScanWholePoolCalls calls
        int min_scan_buffers = NBuffers / st.ScanWholePoolCalls;
        if (upcoming_alloc_est < min_scan_buffers + reusable_buffers_est)
            upcoming_alloc_est = min_scan_buffers + reusable_buffers_est;

        // the LRU scan proper
        int num_to_scan = bufs_to_lap;
        int num_written = 0;
        int reusable_buffers = reusable_buffers_est;
        while (num_to_scan > 0 && reusable_buffers < upcoming_alloc_est)
        {
            int sync_state = SyncOneBuffer(st.next_to_clean, true);

            if (++st.next_to_clean >= NBuffers)
            {
                st.next_to_clean = 0;
                st.next_passes++;
            }
            num_to_scan--;

            if ((sync_state & BUF_WRITTEN) != 0)
            {
                reusable_buffers++;
                if (++num_written >= st.bgwriter_lru_maxpages)
                {
                    st.maxwritten_clean++;
                    break;
                }
            }
            else if ((sync_state & BUF_REUSABLE) != 0)
            {
                reusable_buffers++;
            }
        }
        st.buf_written_clean += num_written;
        st.LastBufsToLap = bufs_to_lap;
        st.LastUpcomingAllocEst = upcoming_alloc_est;
        st.LastReusableEst = reusable_buffers_est;
        st.LastScanned = bufs_to_lap - num_to_scan;
        st.LastWritten = num_written;

        // treat our scan like an allocation scan for the density estimate (halves the averaging
        // period when both are scanning)
        long new_strategy_delta = bufs_to_lap - num_to_scan;
        long new_recent_alloc = reusable_buffers - reusable_buffers_est;
        if (new_strategy_delta > 0 && new_recent_alloc > 0)
        {
            scans_per_alloc = (float)new_strategy_delta / (float)new_recent_alloc;
            st.smoothed_density += (scans_per_alloc - st.smoothed_density) / BgWriterState.smoothing_samples;
        }

        return bufs_to_lap == 0 && recent_alloc == 0;
    }

    /// <summary>CreateCheckPoint's buffer part with its WAL bracket: take the redo pointer, write the
    /// dirty buffers (BufferSync), then log the checkpoint and update the control file, so that a
    /// crash replays from the redo pointer. Returns the redo pointer. (Not in PostgreSQL's bufmgr.c;
    /// see the header for what is left out.)</summary>
    public ulong CreateCheckPoint(int flags)
    {
        ulong redo;
        lock (Pool.StorageLock) redo = Pool.Wal.InsertLsn;
        BufferSync(flags);
        lock (Pool.StorageLock) Pool.Wal.LogCheckpoint(redo, (flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY)) != 0);
        return redo;
    }
}
