// BufMgr.Read: reading and extending (bufmgr.c ReadBuffer, ReadBufferExtended, ReadBuffer_common,
// PinBufferForBlock, StartReadBuffer + WaitReadBuffers for one block, ZeroAndLockBuffer,
// BufferAlloc, InvalidateVictimBuffer, GetVictimBuffer, ExtendBufferedRel/ExtendBufferedRelShared
// for one block, RelationGetNumberOfBlocksInFork, PostgreSQL 17; spec §6).
//
// The shape of a read: BufferAlloc returns the block's buffer pinned (a hit: found valid or not;
// a miss: a fresh victim, tagged and in the table, not valid). A buffer that is not valid is read
// by whoever wins StartBufferIO(forInput); the others wait for it on the I/O CV and find it valid
// (or, after a failed read, win the retry). The page is read straight into the shared page, then
// verified (PageIsVerified), then BM_VALID is set by TerminateBufferIO. An ERROR in between leaves
// the I/O to the abort path (AbortBufferIO: not valid, BM_IO_ERROR).
//
// Lock rules kept: a mapping partition lock is held only around the table lookup/insert and the
// pin/tag changes that must be atomic with it, never across I/O or a wait; a dirty victim's content
// lock is taken conditionally (the caller may hold other content locks).
//
// Divergences (see also BufMgr.cs): single-block reads and extensions; no relation extension lock
// (EB_SKIP_EXTENSION_LOCK always: callers extending the same fork concurrently must serialise);
// zero_damaged_pages also turns a read beyond EOF into a zero page here, which md.c does in
// mdreadv (SimStorage always raises the ERROR, so the buffer manager asks for the size first).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>P_NEW: ReadBuffer's "extend the relation" block number.</summary>
    public const uint P_NEW = InvalidBlockNumber;

    /// <summary>MaxBlockNumber.</summary>
    public const uint MaxBlockNumber = 0xFFFFFFFE;

    /// <summary>ReadBuffer: RBM_NORMAL, no strategy, main fork.</summary>
    public int ReadBuffer(BufferRelation rel, ForkNumber fork, uint blockNum) =>
        ReadBufferExtended(rel, fork, blockNum, ReadBufferMode.RBM_NORMAL, null);

    /// <summary>ReadBufferExtended: the buffer holding block <paramref name="blockNum"/>, pinned (and
    /// locked for the zero-and-lock modes). P_NEW extends the fork by one block.</summary>
    public int ReadBufferExtended(BufferRelation rel, ForkNumber fork, uint blockNum, ReadBufferMode mode, BufferAccessStrategy? strategy) =>
        ReadBuffer_common(rel, fork, blockNum, mode, strategy);

    private int ReadBuffer_common(BufferRelation rel, ForkNumber fork, uint blockNum, ReadBufferMode mode, BufferAccessStrategy? strategy)
    {
        if (blockNum == P_NEW)
        {
            bool lockFirst = mode is ReadBufferMode.RBM_ZERO_AND_LOCK or ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK;
            return ExtendBufferedRel(rel, fork, strategy, lockFirst);
        }

        if (mode is ReadBufferMode.RBM_ZERO_AND_LOCK or ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK)
        {
            int zbuf = PinBufferForBlock(rel, fork, blockNum, strategy, out bool zfound);
            ZeroAndLockBuffer(zbuf, mode, zfound);
            return zbuf;
        }

        // StartReadBuffer: pin; a hit needs no I/O
        int buffer = PinBufferForBlock(rel, fork, blockNum, strategy, out bool found);
        if (!found) WaitReadBuffer(rel, fork, blockNum, buffer, zeroOnError: mode == ReadBufferMode.RBM_ZERO_ON_ERROR);
        return buffer;
    }

    /// <summary>PinBufferForBlock: BufferAlloc for a shared buffer.</summary>
    private int PinBufferForBlock(BufferRelation rel, ForkNumber fork, uint blockNum, BufferAccessStrategy? strategy, out bool found)
    {
        Pg.Assert(blockNum != P_NEW);
        BufferDesc bufHdr = BufferAlloc(rel, fork, blockNum, strategy, out found);
        return GetBuffer(bufHdr);
    }

    /// <summary>WaitReadBuffers for one block: if we win the I/O, read, verify and terminate it.</summary>
    private void WaitReadBuffer(BufferRelation rel, ForkNumber fork, uint blockNum, int buffer, bool zeroOnError)
    {
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        // someone else may have read it meanwhile (then it is valid now)
        if (!StartBufferIO(bufHdr, forInput: true, nowait: false)) return;

        ulong block = Pool.BufHdrGetBlock(buffer - 1);
        Span<byte> page = Mem.Span(block, (ulong)Pool.BlckSz);
        Backend.LockOrder.BeforeIo("smgrread");
        lock (Pool.StorageLock)
        {
            if (Pool.Options.ZeroDamagedPages && blockNum >= Pool.Storage.Nblocks(rel.Locator, fork))
                page.Clear(); // mdreadv: a short read beyond EOF is zeros under zero_damaged_pages
            else
                Pool.Storage.Read(rel.Locator, fork, blockNum, page);
        }

        if (!PageChecksum.PageIsVerified(page, blockNum, Pool.Storage.ChecksumsEnabled, out bool checksumFailure))
        {
            string relpath = rel.Locator.RelPath(fork);
            lock (Pool.StorageLock)
            {
                // PIV_LOG_WARNING
                if (checksumFailure)
                    Pool.Elog.Warning($"page verification failed, calculated checksum {PageChecksum.Compute(page, blockNum)} but expected {PageHeader.GetChecksum(page)}");
                if (zeroOnError || Pool.Options.ZeroDamagedPages)
                    Pool.Elog.Warning($"invalid page in block {blockNum} of relation {relpath}; zeroing out page");
            }
            if (zeroOnError || Pool.Options.ZeroDamagedPages)
                page.Clear();
            else
                throw new PgErrorException($"invalid page in block {blockNum} of relation {relpath}");
        }

        TerminateBufferIO(bufHdr, clearDirty: false, BM_VALID, forgetOwner: true);
    }

    /// <summary>ZeroAndLockBuffer: the caller will overwrite the page. A page that is already valid is
    /// only locked (never zeroed under readers that hold just a pin); otherwise we claim it with
    /// StartBufferIO, zero it, and take the content lock before TerminateBufferIO makes it valid, so
    /// nobody sees the zeroed page before we initialise it.</summary>
    private void ZeroAndLockBuffer(int buffer, ReadBufferMode mode, bool already_valid)
    {
        Pg.Assert(mode is ReadBufferMode.RBM_ZERO_AND_LOCK or ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK);
        BufferDesc bufHdr = GetBufferDescriptorOfBuffer(buffer);
        bool need_to_zero = !already_valid && StartBufferIO(bufHdr, forInput: true, nowait: false);
        if (need_to_zero)
        {
            Mem.Fill(Pool.BufHdrGetBlock(buffer - 1), (ulong)Pool.BlckSz, 0);
            // nobody else can pin-and-wait into a cleanup-lock conflict here: the buffer is not
            // valid yet, so exclusive is as good as cleanup for RBM_ZERO_AND_CLEANUP_LOCK
            Backend.LWLocks.LWLockAcquire(bufHdr.ContentLock, LWLockMode.LW_EXCLUSIVE);
            TerminateBufferIO(bufHdr, clearDirty: false, BM_VALID, forgetOwner: true);
        }
        else if (mode == ReadBufferMode.RBM_ZERO_AND_LOCK)
        {
            LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        }
        else
        {
            LockBufferForCleanup(buffer);
        }
    }

    /// <summary>BufferAlloc: the buffer for (rel, fork, blockNum), pinned; <paramref name="foundPtr"/>
    /// says whether it was valid when we pinned it. A miss takes a victim first, then enters it in
    /// the table; if someone entered the same tag meanwhile, we give the victim back and use theirs.</summary>
    private BufferDesc BufferAlloc(BufferRelation rel, ForkNumber forkNum, uint blockNum, BufferAccessStrategy? strategy, out bool foundPtr)
    {
        if (Pool.Options.AllocVariant == BufferAllocVariant.V15TwoPartitionLocks)
            return BufferAllocV15(rel, forkNum, blockNum, strategy, out foundPtr);
        ResourceOwner.ResourceOwnerEnlarge();
        Pins.ReservePrivateRefCountEntry();

        var newTag = new BufferTag(rel.Locator.SpcOid, rel.Locator.DbOid, rel.Locator.RelNumber, forkNum, blockNum);
        uint newHash = BufTable.BufTableHashCode(newTag);
        LWLock newPartitionLock = Pool.BufMappingPartitionLock(newHash);

        if (LookupAndPin(newTag, newHash, newPartitionLock, strategy, out foundPtr) is BufferDesc hit) return hit;

        BufferDesc victim_buf_hdr = GetVictimBuffer(strategy);

        Backend.LWLocks.LWLockAcquire(newPartitionLock, LWLockMode.LW_EXCLUSIVE);
        int existing_buf_id = Table.BufTableInsert(newTag, newHash, GetBufId(victim_buf_hdr));
        if (existing_buf_id >= 0 && Pool.Options.Canary != BufferCanary.CollisionUsesVictim)
        {
            // someone loaded the block while we were finding a victim: the victim is clean and
            // untagged, so hand it back to the free list, and use theirs
            Pins.UnpinBuffer(victim_buf_hdr);
            Freelist.StrategyFreeBuffer(Backend, Pool.Strategy, victim_buf_hdr);
            BufferDesc existing_buf_hdr = Descs.GetBufferDescriptor(existing_buf_id);
            bool valid = Pins.PinBuffer(existing_buf_hdr, strategy);
            Backend.LWLocks.LWLockRelease(newPartitionLock);
            foundPtr = valid;
            return existing_buf_hdr;
        }

        // the entry is ours: give the victim its identity (the exclusive partition lock keeps
        // lookups out until the tag is set)
        uint victim_buf_state = LockBufHdr(victim_buf_hdr);
        Pg.Assert(BUF_STATE_GET_REFCOUNT(victim_buf_state) == 1);
        Pg.Assert((victim_buf_state & (BM_TAG_VALID | BM_VALID | BM_DIRTY | BM_IO_IN_PROGRESS)) == 0);
        BufferDescriptors.WriteTag(Mem, victim_buf_hdr, newTag);
        victim_buf_state |= BM_TAG_VALID | BUF_USAGECOUNT_ONE;
        if (rel.Permanent || forkNum == ForkNumber.INIT_FORKNUM)
            victim_buf_state |= BM_PERMANENT;
        UnlockBufHdr(victim_buf_hdr, victim_buf_state);
        Backend.LWLocks.LWLockRelease(newPartitionLock);

        foundPtr = false;
        return victim_buf_hdr;
    }

    /// <summary>InvalidateVictimBuffer: drop the identity of a victim we hold the only pin of (never
    /// waits, unlike InvalidateBuffer). False if someone pinned it or dirtied it again meanwhile.</summary>
    internal bool InvalidateVictimBuffer(BufferDesc buf_hdr)
    {
        Pg.Assert(GetPrivateRefCount(GetBuffer(buf_hdr)) == 1);
        // the tag cannot change while we pin the buffer
        BufferTag tag = BufferDescriptors.ReadTag(Mem, buf_hdr);
        uint hash = BufTable.BufTableHashCode(tag);
        LWLock partition_lock = Pool.BufMappingPartitionLock(hash);

        // the partition lock keeps new lookups (and pins through them) out while we decide
        Backend.LWLocks.LWLockAcquire(partition_lock, LWLockMode.LW_EXCLUSIVE);
        uint buf_state = LockBufHdr(buf_hdr);
        Pg.Assert((buf_state & BM_TAG_VALID) != 0);
        Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) > 0);
        Pg.Assert(BufferDescriptors.ReadTag(Mem, buf_hdr) == tag);

        // pinned by someone else (a lookup found it) or re-dirtied since we flushed: keep it
        if ((BUF_STATE_GET_REFCOUNT(buf_state) != 1 || (buf_state & BM_DIRTY) != 0) && Pool.Options.Canary != BufferCanary.SkipVictimRecheck)
        {
            UnlockBufHdr(buf_hdr, buf_state);
            Backend.LWLocks.LWLockRelease(partition_lock);
            return false;
        }

        BufferDescriptors.WriteTag(Mem, buf_hdr, BufferTag.Cleared);
        buf_state &= ~(BUF_FLAG_MASK | BUF_USAGECOUNT_MASK);
        UnlockBufHdr(buf_hdr, buf_state);
        if (Pool.Options.Canary != BufferCanary.InvalidateKeepsMapping) Table.BufTableDelete(tag, hash);
        Backend.LWLocks.LWLockRelease(partition_lock);
        Pg.Assert((buf_state & (BM_DIRTY | BM_VALID | BM_TAG_VALID)) == 0);
        return true;
    }

    /// <summary>BufferAlloc's first step, the same in both variants: look the tag up under a shared
    /// partition lock and, on a hit, pin the buffer before releasing the lock, so it cannot be evicted
    /// in between. <paramref name="valid"/> false on a hit means a read in progress or failed (or not
    /// started): the caller's StartBufferIO sorts it out. Null on a miss; no partition lock is held
    /// then, as none may be while a victim is found (which may write a dirty page).</summary>
    private BufferDesc? LookupAndPin(BufferTag tag, uint hash, LWLock partitionLock, BufferAccessStrategy? strategy, out bool valid)
    {
        Backend.LWLocks.LWLockAcquire(partitionLock, LWLockMode.LW_SHARED);
        int buf_id = Table.BufTableLookup(tag, hash);
        if (buf_id >= 0)
        {
            BufferDesc buf = Descs.GetBufferDescriptor(buf_id);
            valid = Pins.PinBuffer(buf, strategy);
            Backend.LWLocks.LWLockRelease(partitionLock);
            return buf;
        }
        Backend.LWLocks.LWLockRelease(partitionLock);
        valid = false;
        return null;
    }

    /// <summary>The write of a dirty victim, shared by both BufferAlloc variants (GetVictimBuffer in
    /// V16+, BufferAlloc itself in V15): under a share content lock taken conditionally (whoever
    /// holds it may be waiting for a content lock we hold), unless a ring would rather not flush WAL
    /// to reuse it. False when the victim was given up (unpinned): the caller takes another.</summary>
    private bool WriteDirtyVictim(BufferDesc buf, BufferAccessStrategy? strategy, bool from_ring)
    {
        LWLock content_lock = buf.ContentLock;
        if (!Backend.LWLocks.LWLockConditionalAcquire(content_lock, LWLockMode.LW_SHARED))
        {
            Pins.UnpinBuffer(buf);
            return false;
        }

        // a ring that would have to flush WAL to reuse this buffer may prefer another
        if (strategy is not null)
        {
            uint buf_state = LockBufHdr(buf);
            ulong lsn = PageHeader.PageGetLSN(Mem.ReadSpan(Pool.BufHdrGetBlock(GetBufId(buf)), (ulong)PageHeader.SizeOfPageHeaderData));
            UnlockBufHdr(buf, buf_state);
            bool needsFlush;
            lock (Pool.StorageLock) needsFlush = Pool.Wal.XLogNeedsFlush(lsn);
            if (needsFlush && BufferAccessStrategy.StrategyRejectBuffer(Backend, strategy, buf, from_ring))
            {
                Backend.LWLocks.LWLockRelease(content_lock);
                Pins.UnpinBuffer(buf);
                return false;
            }
        }

        FlushBuffer(buf);
        Backend.LWLocks.LWLockRelease(content_lock);
        return true;
    }

    /// <summary>GetVictimBuffer: a buffer to reuse, pinned once by us, clean, untagged and not in the
    /// table. Dirty victims are written first (their content lock taken only conditionally); a bulk
    /// read's ring may reject a victim whose write would need a WAL flush.</summary>
    internal BufferDesc GetVictimBuffer(BufferAccessStrategy? strategy)
    {
        // before any spinlock: PinBuffer_Locked must not need memory
        Pins.ReservePrivateRefCountEntry();
        ResourceOwner.ResourceOwnerEnlarge();

        for (;;)
        {
            // returns with the header lock held and refcount 0; pin and unlock in one store
            BufferDesc buf_hdr = Freelist.StrategyGetBuffer(Backend, Pool.Strategy, strategy, out uint buf_state, out bool from_ring, Pool.Options.Canary);
            int buf = GetBuffer(buf_hdr);
            Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) == 0);
            Pins.PinBuffer_Locked(buf_hdr);
            CheckBufferIsPinnedOnce(buf);

            // a dirty victim must be written first (the snapshot decides; a later dirtying is
            // caught by InvalidateVictimBuffer)
            if ((buf_state & BM_DIRTY) != 0)
            {
                Pg.Assert((buf_state & BM_TAG_VALID) != 0);
                Pg.Assert((buf_state & BM_VALID) != 0);
                if (!WriteDirtyVictim(buf_hdr, strategy, from_ring)) continue;
            }

            // drop its old identity; if someone pinned or re-dirtied it meanwhile, try another
            if ((buf_state & BM_TAG_VALID) != 0 && !InvalidateVictimBuffer(buf_hdr))
            {
                Pins.UnpinBuffer(buf_hdr);
                continue;
            }

            uint s = ReadState(buf_hdr);
            Pg.Assert(BUF_STATE_GET_REFCOUNT(s) >= 1);
            Pg.Assert((s & (BM_TAG_VALID | BM_VALID | BM_DIRTY)) == 0);
            return buf_hdr;
        }
    }

    /// <summary>ExtendBufferedRel for one block (ExtendBufferedRelShared): victim first, then the new
    /// block's table entry and I/O claim, then the file extension, then BM_VALID (after the content
    /// lock when <paramref name="lockFirst"/>, EB_LOCK_FIRST). Returns the new block's buffer, pinned.</summary>
    public int ExtendBufferedRel(BufferRelation rel, ForkNumber fork, BufferAccessStrategy? strategy, bool lockFirst)
    {
        // the victim (and any write-out it needs) before the size is read
        BufferDesc victim_buf_hdr = GetVictimBuffer(strategy);
        Mem.Fill(Pool.BufHdrGetBlock(GetBufId(victim_buf_hdr)), (ulong)Pool.BlckSz, 0);

        // (LockRelationForExtension would go here: not modelled)
        uint first_block;
        lock (Pool.StorageLock) first_block = Pool.Storage.Nblocks(rel.Locator, fork);
        if ((ulong)first_block + 1 >= MaxBlockNumber)
            throw new PgErrorException($"cannot extend relation {rel.Locator.RelPath(fork)} beyond {MaxBlockNumber} blocks");

        BufferDesc buf_hdr;
        ResourceOwner.ResourceOwnerEnlarge();
        Pins.ReservePrivateRefCountEntry();
        var tag = new BufferTag(rel.Locator.SpcOid, rel.Locator.DbOid, rel.Locator.RelNumber, fork, first_block);
        uint hash = BufTable.BufTableHashCode(tag);
        LWLock partition_lock = Pool.BufMappingPartitionLock(hash);

        // enter the buffer and claim its I/O before extending: once the file is longer, others may read it
        Backend.LWLocks.LWLockAcquire(partition_lock, LWLockMode.LW_EXCLUSIVE);
        int existing_id = Table.BufTableInsert(tag, hash, GetBufId(victim_buf_hdr));
        if (existing_id >= 0)
        {
            // a buffer for a block beyond EOF exists: left by a failed extension or a read past EOF
            BufferDesc existing_hdr = Descs.GetBufferDescriptor(existing_id);
            bool valid = Pins.PinBuffer(existing_hdr, strategy);
            Backend.LWLocks.LWLockRelease(partition_lock);
            Freelist.StrategyFreeBuffer(Backend, Pool.Strategy, victim_buf_hdr);
            Pins.UnpinBuffer(victim_buf_hdr);
            buf_hdr = existing_hdr;

            if (valid && !PageHeader.PageIsNew(Mem.ReadSpan(Pool.BufHdrGetBlock(existing_id), (ulong)Pool.BlckSz)))
            {
                throw new PgErrorException(
                    $"unexpected data beyond EOF in block {tag.BlockNum} of relation {rel.Locator.RelPath(fork)}",
                    "This has been seen to occur with buggy kernels; consider updating your system.");
            }

            // make it not valid and claim its I/O; someone may be reading it, so repeat until ours
            do
            {
                uint buf_state = LockBufHdr(existing_hdr);
                buf_state &= ~BM_VALID;
                UnlockBufHdr(existing_hdr, buf_state);
            } while (!StartBufferIO(existing_hdr, forInput: true, nowait: false));
        }
        else
        {
            uint buf_state = LockBufHdr(victim_buf_hdr);
            Pg.Assert((buf_state & (BM_VALID | BM_TAG_VALID | BM_DIRTY | BM_JUST_DIRTIED)) == 0);
            Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) == 1);
            BufferDescriptors.WriteTag(Mem, victim_buf_hdr, tag);
            buf_state |= BM_TAG_VALID | BUF_USAGECOUNT_ONE;
            if (rel.Permanent || fork == ForkNumber.INIT_FORKNUM)
                buf_state |= BM_PERMANENT;
            UnlockBufHdr(victim_buf_hdr, buf_state);
            Backend.LWLocks.LWLockRelease(partition_lock);
            // nobody can have started I/O on a buffer that was not in the table
            bool started = StartBufferIO(victim_buf_hdr, forInput: true, nowait: false);
            Pg.Assert(started);
            buf_hdr = victim_buf_hdr;
        }

        Backend.LockOrder.BeforeIo("smgrzeroextend");
        lock (Pool.StorageLock) Pool.Storage.ZeroExtend(rel.Locator, fork, first_block, 1);

        if (lockFirst)
            Backend.LWLocks.LWLockAcquire(buf_hdr.ContentLock, LWLockMode.LW_EXCLUSIVE);
        TerminateBufferIO(buf_hdr, clearDirty: false, BM_VALID, forgetOwner: true);
        return GetBuffer(buf_hdr);
    }

    /// <summary>RelationGetNumberOfBlocksInFork: smgrnblocks.</summary>
    public uint RelationGetNumberOfBlocks(BufferRelation rel, ForkNumber fork)
    {
        lock (Pool.StorageLock) return Pool.Storage.Nblocks(rel.Locator, fork);
    }
}
