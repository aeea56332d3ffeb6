// BufMgr.ReadV15: the historical BufferAlloc of PostgreSQL 15 and before (bufmgr.c BufferAlloc as
// it was until commit dad50f677c "bufmgr: Acquire and clean victim buffer separately", spec §6.6),
// run instead of the V17 one when BufferPoolOptions.AllocVariant is V15TwoPartitionLocks. It
// exists so the explorer can show why the order of the two partition locks matters (§18 rule 2):
// renaming a valid victim holds the mapping partition lock of its old tag and that of the new tag
// together, taken lower partition number first (PostgreSQL compares the LWLock pointers, which
// is the same order because the 128 locks are consecutive in MainLWLockArray).
//
// Shape: the lookup under the new partition lock shared is V17's (a hit pins and returns). A miss
// loops: StrategyGetBuffer, PinBuffer_Locked, write a dirty victim (conditional share content
// lock, ring reject check, FlushBuffer), then lock the old and new partitions, insert the new tag
// while the old entry still exists (the table has room for NBuffers + partitions entries for
// this), and re-check under the header lock that ours is the only pin and nobody dirtied it again.
// A collision gives the victim back untouched (it still holds its old page, valid) and pins the
// winner's buffer; a failed re-check deletes the new entry and tries another victim. The rename
// clears the old flags, sets BM_TAG_VALID, usage 1 and BM_PERMANENT, and deletes the old entry
// before both locks go.
//
// Divergences: the StartBufferIO that V15's BufferAlloc did at its end (and on a not-valid hit) is
// left to the caller, as in V17 (ReadBuffer_common's WaitReadBuffer or ZeroAndLockBuffer claim the
// I/O, and see that someone else finished it), so foundPtr is "valid when pinned"; the outcome is
// the same. Extension keeps the V17 path (ExtendBufferedRel); V15 extended through P_NEW reads.
// No pgstat counting, no writeback scheduling. BufferCanary.TwoPartitionLocksNewFirst takes the
// new tag's lock first whatever the numbers.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed partial class BufMgr
{
    /// <summary>BufferAlloc as in PostgreSQL 15: the buffer for (rel, fork, blockNum), pinned;
    /// <paramref name="foundPtr"/> says whether it was valid when we pinned it.</summary>
    private BufferDesc BufferAllocV15(BufferRelation rel, ForkNumber forkNum, uint blockNum, BufferAccessStrategy? strategy, out bool foundPtr)
    {
        ResourceOwner.ResourceOwnerEnlarge();
        Pins.ReservePrivateRefCountEntry();

        var newTag = new BufferTag(rel.Locator.SpcOid, rel.Locator.DbOid, rel.Locator.RelNumber, forkNum, blockNum);
        uint newHash = BufTable.BufTableHashCode(newTag);
        int newPartition = BufTable.BufTableHashPartition(newHash);
        LWLock newPartitionLock = Pool.BufMappingPartitionLock(newHash);

        // the lookup, as in V17
        if (LookupAndPin(newTag, newHash, newPartitionLock, strategy, out foundPtr) is BufferDesc hit) return hit;

        BufferDesc buf;
        uint buf_state;
        uint oldFlags;
        BufferTag oldTag = BufferTag.Cleared;
        uint oldHash = 0;
        LWLock? oldPartitionLock;
        bool twoLocks;
        for (;;)
        {
            // no allocation may happen between the header lock and the pin that ends it
            Pins.ReservePrivateRefCountEntry();
            ResourceOwner.ResourceOwnerEnlarge();

            buf = Freelist.StrategyGetBuffer(Backend, Pool.Strategy, strategy, out buf_state, out bool from_ring, Pool.Options.Canary);
            Pg.Assert(BUF_STATE_GET_REFCOUNT(buf_state) == 0);
            // the flags as they were when the sweep chose it (the header is still locked)
            oldFlags = buf_state & BUF_FLAG_MASK;
            Pins.PinBuffer_Locked(buf);
            CheckBufferIsPinnedOnce(GetBuffer(buf));

            // a dirty victim is written first; someone may dirty it again meanwhile (or pin it):
            // the re-check under the header lock below catches that
            if ((oldFlags & BM_DIRTY) != 0)
            {
                if (!WriteDirtyVictim(buf, strategy, from_ring)) continue;
            }

            // renaming a valid buffer needs both partitions; the lower number first keeps two
            // backends renaming across the same pair of partitions from waiting on each other
            if ((oldFlags & BM_TAG_VALID) != 0)
            {
                // our pin keeps the tag from changing, so it can be read without the header lock
                oldTag = BufferDescriptors.ReadTag(Mem, buf);
                oldHash = BufTable.BufTableHashCode(oldTag);
                int oldPartition = BufTable.BufTableHashPartition(oldHash);
                LWLock oldLock = Pool.BufMappingPartitionLock(oldHash);
                oldPartitionLock = oldLock;
                twoLocks = oldPartition != newPartition;
                if (!twoLocks)
                {
                    Backend.LWLocks.LWLockAcquire(newPartitionLock, LWLockMode.LW_EXCLUSIVE);
                }
                else if (oldPartition < newPartition && Pool.Options.Canary != BufferCanary.TwoPartitionLocksNewFirst)
                {
                    Backend.LWLocks.LWLockAcquire(oldLock, LWLockMode.LW_EXCLUSIVE);
                    Backend.LWLocks.LWLockAcquire(newPartitionLock, LWLockMode.LW_EXCLUSIVE);
                }
                else
                {
                    Backend.LWLocks.LWLockAcquire(newPartitionLock, LWLockMode.LW_EXCLUSIVE);
                    Backend.LWLocks.LWLockAcquire(oldLock, LWLockMode.LW_EXCLUSIVE);
                }
            }
            else
            {
                // never valid (or invalidated): only the new partition
                Backend.LWLocks.LWLockAcquire(newPartitionLock, LWLockMode.LW_EXCLUSIVE);
                oldPartitionLock = null;
                twoLocks = false;
            }

            // the new entry goes in while the old one is still there
            int buf_id = Table.BufTableInsert(newTag, newHash, GetBufId(buf));
            if (buf_id >= 0)
            {
                // someone read the block in while we wrote the victim: give the victim back as it
                // is (still its old page) and use theirs
                Pins.UnpinBuffer(buf);
                if (twoLocks) Backend.LWLocks.LWLockRelease(oldPartitionLock!.Value);
                BufferDesc existing = Descs.GetBufferDescriptor(buf_id);
                bool valid = Pins.PinBuffer(existing, strategy);
                Backend.LWLocks.LWLockRelease(newPartitionLock);
                foundPtr = valid;
                return existing;
            }

            // pinned by a lookup before we took the old partition, or dirtied during the write:
            // undo the new entry and find another victim
            buf_state = LockBufHdr(buf);
            oldFlags = buf_state & BUF_FLAG_MASK;
            if (BUF_STATE_GET_REFCOUNT(buf_state) == 1 && (oldFlags & BM_DIRTY) == 0)
                break;
            UnlockBufHdr(buf, buf_state);
            Table.BufTableDelete(newTag, newHash);
            if (twoLocks) Backend.LWLocks.LWLockRelease(oldPartitionLock!.Value);
            Backend.LWLocks.LWLockRelease(newPartitionLock);
            Pins.UnpinBuffer(buf);
        }

        // the rename: the old page's flags and usage go; usage 1 lets it survive one sweep
        BufferDescriptors.WriteTag(Mem, buf, newTag);
        buf_state &= ~(BM_VALID | BM_DIRTY | BM_JUST_DIRTIED | BM_CHECKPOINT_NEEDED | BM_IO_ERROR | BM_PERMANENT | BUF_USAGECOUNT_MASK);
        buf_state |= BM_TAG_VALID | BUF_USAGECOUNT_ONE;
        if (rel.Permanent || forkNum == ForkNumber.INIT_FORKNUM)
            buf_state |= BM_PERMANENT;
        UnlockBufHdr(buf, buf_state);

        if (oldPartitionLock is LWLock held)
        {
            Table.BufTableDelete(oldTag, oldHash);
            if (twoLocks) Backend.LWLocks.LWLockRelease(held);
        }
        Backend.LWLocks.LWLockRelease(newPartitionLock);

        foundPtr = false;
        return buf;
    }
}
