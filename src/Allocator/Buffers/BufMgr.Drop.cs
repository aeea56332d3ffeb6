// BufMgr.Drop: discarding and flushing whole relations and databases, and evicting one buffer
// (bufmgr.c InvalidateBuffer, DropRelationBuffers, FindAndDropRelationBuffers, DropDatabaseBuffers,
// FlushRelationBuffers, FlushDatabaseBuffers, EvictUnpinnedBuffer, PostgreSQL 17; spec §11).
//
// Dropping relies on the caller's relation lock: nobody can load pages of the relation while it
// is being dropped, so a buffer's tag can only change *away* from it. That is what makes the
// unlocked tag pre-checks safe (no false negatives; a false positive is re-checked under the header
// lock). InvalidateBuffer discards the page, dirty or not, and puts the buffer on the free list; a
// pin by someone else is assumed to be a writer, so it waits for the buffer's I/O and tries again
// (busy-looping, as PostgreSQL does, if the pinner is not doing I/O). Flushing pins each matching
// valid dirty buffer, share-locks it and writes it with FlushBuffer.
//
// EvictUnpinnedBuffer (pg_buffercache_evict, a testing aid) writes a dirty buffer first and then
// uses InvalidateVictimBuffer, which does not put the buffer on the free list.
//
// Divergences:
//   * smgrnblocks_cached: PostgreSQL knows a fork's exact size only in recovery, so outside it
//     DropRelationBuffers always scans the whole pool. RelationSizesCached stands for "in recovery":
//     when set, the fork sizes are taken from storage and the lookup path is used below
//     BUF_DROP_FULL_SCAN_THRESHOLD blocks; default off (a normal running server).
//   * Local buffers (temp relations) do not exist here.
//   * The unlocked pre-checks read only the tag words they compare, each through the seam.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>smgrnblocks_cached knows fork sizes (PostgreSQL: only during recovery); see the header.</summary>
    public bool RelationSizesCached { get; set; }

    /// <summary>BUF_DROP_FULL_SCAN_THRESHOLD: below this many blocks, look them up instead of scanning.</summary>
    public int BUF_DROP_FULL_SCAN_THRESHOLD => Pool.NBuffers / 32;

    /// <summary>BufTagMatchesRelFileLocator read without the header lock (may be torn; see the header).</summary>
    private bool TagMatchesRelUnlocked(BufferDesc buf, RelFileLocator rel) =>
        Rt.SharedRead32(buf.TagAddr + BufferDescLayout.OFF_tag_relNumber) == rel.RelNumber
        && Rt.SharedRead32(buf.TagAddr + BufferDescLayout.OFF_tag_dbOid) == rel.DbOid
        && Rt.SharedRead32(buf.TagAddr + BufferDescLayout.OFF_tag_spcOid) == rel.SpcOid;

    private static bool TagMatchesRel(in BufferTag tag, RelFileLocator rel) =>
        tag.SpcOid == rel.SpcOid && tag.DbOid == rel.DbOid && tag.RelNumber == rel.RelNumber;

    /// <summary>InvalidateBuffer: the caller holds <paramref name="buf"/>'s header lock (having just
    /// seen a tag it wants gone), does not pin it and holds no mapping partition lock. The header lock
    /// is released here. Dirty contents are lost.</summary>
    internal void InvalidateBuffer(BufferDesc buf)
    {
        Backend.LockOrder.CheckNoneHeld(LockClass.MappingPartition, "R11", "InvalidateBuffer");
        // the tag and state under the header lock we were handed
        BufferTag oldTag = BufferDescriptors.ReadTag(Mem, buf);
        uint buf_state = ReadState(buf);
        Pg.Assert((buf_state & BM_LOCKED) != 0);
        UnlockBufHdr(buf, buf_state);
        // canary: dirty buffers survive the drop
        if (Pool.Options.Canary == BufferCanary.DropSkipsDirty && (buf_state & BM_DIRTY) != 0) return;

        uint oldHash = BufTable.BufTableHashCode(oldTag);
        LWLock oldPartitionLock = Pool.BufMappingPartitionLock(oldHash);

        for (;;)
        {
            // exclusive: we are about to change the buffer's association
            Backend.LWLocks.LWLockAcquire(oldPartitionLock, LWLockMode.LW_EXCLUSIVE);
            buf_state = LockBufHdr(buf);

            // recycled for another page while we waited: nothing left to do
            if (BufferDescriptors.ReadTag(Mem, buf) != oldTag)
            {
                UnlockBufHdr(buf, buf_state);
                Backend.LWLocks.LWLockRelease(oldPartitionLock);
                return;
            }

            if (BUF_STATE_GET_REFCOUNT(buf_state) == 0) break;
            // canary: discard it under the pinner's feet instead of waiting
            if (Pool.Options.Canary == BufferCanary.InvalidateSkipsIoWait) break;

            // pinned: presumably someone writing it out; let them finish, then look again
            UnlockBufHdr(buf, buf_state);
            Backend.LWLocks.LWLockRelease(oldPartitionLock);
            if (GetPrivateRefCount(GetBuffer(buf)) > 0)
                throw new PgErrorException("buffer is pinned in InvalidateBuffer");
            WaitIO(buf);
        }

        // clear tag and flags so a scan of the array no longer takes it for a valid page
        uint oldFlags = buf_state & BUF_FLAG_MASK;
        BufferDescriptors.WriteTag(Mem, buf, BufferTag.Cleared);
        buf_state &= ~(BUF_FLAG_MASK | BUF_USAGECOUNT_MASK);
        UnlockBufHdr(buf, buf_state);

        if ((oldFlags & BM_TAG_VALID) != 0) Table.BufTableDelete(oldTag, oldHash);

        Backend.LWLocks.LWLockRelease(oldPartitionLock);

        Freelist.StrategyFreeBuffer(Backend, Pool.Strategy, buf);
    }

    /// <summary>DropRelationBuffers: discard every buffer of <paramref name="rel"/>'s forks
    /// <paramref name="forks"/>[j] at block >= <paramref name="firstDelBlock"/>[j], without writing.
    /// The caller holds a lock that keeps everyone from loading pages of the relation, and truncates
    /// or unlinks the storage afterwards.</summary>
    public void DropRelationBuffers(BufferRelation rel, ForkNumber[] forks, uint[] firstDelBlock)
    {
        ArgumentNullException.ThrowIfNull(forks);
        ArgumentNullException.ThrowIfNull(firstDelBlock);
        if (forks.Length != firstDelBlock.Length) throw new ArgumentException("one first block per fork", nameof(firstDelBlock));
        int nforks = forks.Length;
        RelFileLocator rlocator = rel.Locator;

        // with every fork's exact size known and few blocks to go, look each one up
        var nForkBlock = new uint[nforks];
        ulong nBlocksToInvalidate = 0;
        for (int i = 0; i < nforks; i++)
        {
            nForkBlock[i] = SmgrNblocksCached(rlocator, forks[i]);
            if (nForkBlock[i] == InvalidBlockNumber)
            {
                nBlocksToInvalidate = InvalidBlockNumber;
                break;
            }
            // a first block beyond the size (nothing to drop) would make C's unsigned difference
            // wrap to a huge count and fall back to the scan; the same here
            nBlocksToInvalidate += unchecked((uint)(nForkBlock[i] - firstDelBlock[i]));
        }

        if (nBlocksToInvalidate != InvalidBlockNumber && nBlocksToInvalidate < (ulong)BUF_DROP_FULL_SCAN_THRESHOLD)
        {
            for (int j = 0; j < nforks; j++)
                FindAndDropRelationBuffers(rlocator, forks[j], nForkBlock[j], firstDelBlock[j]);
            return;
        }

        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc bufHdr = Descs.GetBufferDescriptor(i);

            // unlocked pre-check: the tag can only be moving away from this relation
            if (!TagMatchesRelUnlocked(bufHdr, rlocator)) continue;

            uint buf_state = LockBufHdr(bufHdr);
            BufferTag tag = BufferDescriptors.ReadTag(Mem, bufHdr);
            int j;
            for (j = 0; j < nforks; j++)
            {
                if (TagMatchesRel(tag, rlocator) && tag.ForkNum == forks[j] && tag.BlockNum >= firstDelBlock[j])
                {
                    InvalidateBuffer(bufHdr); // releases the header lock
                    break;
                }
            }
            if (j >= nforks) UnlockBufHdr(bufHdr, buf_state);
        }
    }

    /// <summary>smgrnblocks_cached: the fork's size if it is known without asking the kernel
    /// (RelationSizesCached, see the header), else InvalidBlockNumber.</summary>
    private uint SmgrNblocksCached(RelFileLocator rel, ForkNumber fork)
    {
        if (!RelationSizesCached) return InvalidBlockNumber;
        lock (Pool.StorageLock)
            return Pool.Storage.Exists(rel, fork) ? Pool.Storage.Nblocks(rel, fork) : InvalidBlockNumber;
    }

    /// <summary>FindAndDropRelationBuffers: the lookup path for blocks [firstDelBlock, nForkBlock) of one fork.</summary>
    private void FindAndDropRelationBuffers(RelFileLocator rlocator, ForkNumber forkNum, uint nForkBlock, uint firstDelBlock)
    {
        for (uint curBlock = firstDelBlock; curBlock < nForkBlock; curBlock++)
        {
            var bufTag = new BufferTag(rlocator.SpcOid, rlocator.DbOid, rlocator.RelNumber, forkNum, curBlock);
            uint bufHash = BufTable.BufTableHashCode(bufTag);
            LWLock bufPartitionLock = Pool.BufMappingPartitionLock(bufHash);

            // is it in the pool at all?
            Backend.LWLocks.LWLockAcquire(bufPartitionLock, LWLockMode.LW_SHARED);
            int buf_id = Table.BufTableLookup(bufTag, bufHash);
            Backend.LWLocks.LWLockRelease(bufPartitionLock);
            if (buf_id < 0) continue;

            BufferDesc bufHdr = Descs.GetBufferDescriptor(buf_id);

            // it may have been evicted for another page since the lookup: check again under the header lock
            uint buf_state = LockBufHdr(bufHdr);
            BufferTag tag = BufferDescriptors.ReadTag(Mem, bufHdr);
            if (TagMatchesRel(tag, rlocator) && tag.ForkNum == forkNum && tag.BlockNum >= firstDelBlock)
                InvalidateBuffer(bufHdr); // releases the header lock
            else
                UnlockBufHdr(bufHdr, buf_state);
        }
    }

    /// <summary>DropDatabaseBuffers: discard every buffer of database <paramref name="dbOid"/> (dropped,
    /// so there is nothing to write it to). Same pre-check reasoning as DropRelationBuffers.</summary>
    public void DropDatabaseBuffers(uint dbOid)
    {
        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc bufHdr = Descs.GetBufferDescriptor(i);
            if (Rt.SharedRead32(bufHdr.TagAddr + BufferDescLayout.OFF_tag_dbOid) != dbOid) continue;

            uint buf_state = LockBufHdr(bufHdr);
            if (BufferDescriptors.ReadTag(Mem, bufHdr).DbOid == dbOid)
                InvalidateBuffer(bufHdr); // releases the header lock
            else
                UnlockBufHdr(bufHdr, buf_state);
        }
    }

    /// <summary>FlushRelationBuffers: write every valid dirty buffer of <paramref name="rel"/> (all forks).</summary>
    public void FlushRelationBuffers(BufferRelation rel)
    {
        RelFileLocator rlocator = rel.Locator;
        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc bufHdr = Descs.GetBufferDescriptor(i);
            if (!TagMatchesRelUnlocked(bufHdr, rlocator)) continue;
            FlushIfStillMatching(bufHdr, tag => TagMatchesRel(tag, rlocator));
        }
    }

    /// <summary>FlushDatabaseBuffers: write every valid dirty buffer of database <paramref name="dbOid"/>.</summary>
    public void FlushDatabaseBuffers(uint dbOid)
    {
        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc bufHdr = Descs.GetBufferDescriptor(i);
            if (Rt.SharedRead32(bufHdr.TagAddr + BufferDescLayout.OFF_tag_dbOid) != dbOid) continue;
            FlushIfStillMatching(bufHdr, tag => tag.DbOid == dbOid);
        }
    }

    /// <summary>The common body of FlushRelationBuffers / FlushDatabaseBuffers for one pre-checked buffer.</summary>
    private void FlushIfStillMatching(BufferDesc bufHdr, Func<BufferTag, bool> matches)
    {
        // room for the pin before the spinlock
        Pins.ReservePrivateRefCountEntry();
        ResourceOwner.ResourceOwnerEnlarge();

        uint buf_state = LockBufHdr(bufHdr);
        if (matches(BufferDescriptors.ReadTag(Mem, bufHdr)) && (buf_state & (BM_VALID | BM_DIRTY)) == (BM_VALID | BM_DIRTY))
        {
            Pins.PinBuffer_Locked(bufHdr); // releases the header lock
            Backend.LWLocks.LWLockAcquire(bufHdr.ContentLock, LWLockMode.LW_SHARED);
            FlushBuffer(bufHdr);
            Backend.LWLocks.LWLockRelease(bufHdr.ContentLock);
            Pins.UnpinBuffer(bufHdr);
        }
        else
        {
            UnlockBufHdr(bufHdr, buf_state);
        }
    }

    /// <summary>EvictUnpinnedBuffer: make an unpinned valid buffer invalid, writing it first if dirty.
    /// False if it was not valid, is pinned, or was pinned or dirtied again meanwhile. The buffer is
    /// not put on the free list (the clock sweep will find it).</summary>
    public bool EvictUnpinnedBuffer(int buffer)
    {
        // room for the pin before the spinlock
        ResourceOwner.ResourceOwnerEnlarge();
        Pins.ReservePrivateRefCountEntry();

        BufferDesc desc = GetBufferDescriptorOfBuffer(buffer);

        uint buf_state = LockBufHdr(desc);
        if ((buf_state & BM_VALID) == 0)
        {
            UnlockBufHdr(desc, buf_state);
            return false;
        }
        if (BUF_STATE_GET_REFCOUNT(buf_state) > 0)
        {
            UnlockBufHdr(desc, buf_state);
            return false;
        }

        Pins.PinBuffer_Locked(desc); // releases the header lock

        // dirty: one attempt to clean it
        if ((buf_state & BM_DIRTY) != 0)
        {
            Backend.LWLocks.LWLockAcquire(desc.ContentLock, LWLockMode.LW_SHARED);
            FlushBuffer(desc);
            Backend.LWLocks.LWLockRelease(desc.ContentLock);
        }

        // false if it was dirtied again or someone else pinned it
        bool result = InvalidateVictimBuffer(desc);

        Pins.UnpinBuffer(desc);
        return result;
    }
}
