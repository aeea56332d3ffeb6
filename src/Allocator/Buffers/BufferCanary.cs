// BufferCanary: deliberately broken variants of the buffer manager, switched on only by the
// harness's canary runs (BufferPoolOptions.Canary) to prove that its oracles catch each one within
// the gate's budget. Each names the one decision it gets wrong; None is PostgreSQL. From
// SkipVictimRecheck on they are races (another backend must act inside a window of the victim's,
// the writer's, the dropper's, a lock holder's, a sweeper's, a reader's or an unpinner's steps), so
// only the explorer's scenarios reach them; each names its scenario.
namespace Allocator.Buffers;

public enum BufferCanary
{
    None,
    /// <summary>AbortBufferIO (through TerminateBufferIO) leaves BM_IO_IN_PROGRESS set after a failed I/O.</summary>
    AbortKeepsIoInProgress,
    /// <summary>PinBuffer raises the usage count without the BM_MAX_USAGE_COUNT cap.</summary>
    UsageCountUncapped,
    /// <summary>InvalidateVictimBuffer clears the descriptor but leaves its mapping-table entry.</summary>
    InvalidateKeepsMapping,
    /// <summary>BufferSync marks BM_CHECKPOINT_NEEDED but its write phase writes nothing.</summary>
    CheckpointSkipsWrite,
    /// <summary>FlushBuffer writes a permanent page without flushing WAL up to its LSN first.</summary>
    FlushSkipsWalFlush,
    /// <summary>DropRelationBuffers leaves dirty buffers of the dropped blocks behind.</summary>
    DropSkipsDirty,
    /// <summary>InvalidateVictimBuffer drops the victim's identity without re-checking, under the
    /// re-taken header lock, that ours is still the only pin and nobody dirtied it again.</summary>
    SkipVictimRecheck,
    /// <summary>TerminateBufferIO clears BM_DIRTY after a write even when BM_JUST_DIRTIED says the
    /// page changed during it (a hint set under a share lock is then never written).</summary>
    IgnoreJustDirtied,
    /// <summary>InvalidateBuffer does not wait for someone else's pin (their I/O, then the pin
    /// itself) before discarding the buffer: it clears the tag and flags of a buffer a reader is
    /// loading or using, I/O in flight or not, and puts it on the free list.</summary>
    InvalidateSkipsIoWait,
    /// <summary>LockBuffer(BUFFER_LOCK_EXCLUSIVE) takes the content lock in shared mode, so an
    /// "exclusive" holder runs alongside readers and other writers (buffers/content-lock-rw).</summary>
    ExclusiveLockTakenShared,
    /// <summary>StrategyGetBuffer's clock sweep does not reset trycounter when it decrements an
    /// unpinned buffer's usage count, so "no unpinned buffers available" comes after NBuffers
    /// pinned buffers in the whole sweep rather than in a row (buffers/clock-sweep).</summary>
    SweepTrycounterNotReset,
    /// <summary>The PostgreSQL 15 BufferAlloc (BufferAllocVariant.V15TwoPartitionLocks) takes the new
    /// tag's partition lock before the victim's old one whatever their numbers, against the
    /// lower-number-first rule; two backends evicting across the same two partitions in crossing
    /// directions deadlock (buffers/two-partition-alloc).</summary>
    TwoPartitionLocksNewFirst,
    /// <summary>StartBufferIO for input does not look again, once the I/O it waited for is over,
    /// whether the page is now valid, so a second backend re-reads a block another just read
    /// (buffers/same-tag-miss).</summary>
    StartIoSkipsDoneCheck,
    /// <summary>BufferAlloc ignores an insert collision (someone entered the tag while we were
    /// choosing a victim) and gives the tag to its own victim too: two buffers hold one block, one
    /// of them unreachable through the mapping (buffers/same-tag-miss, the scenario 3).</summary>
    CollisionUsesVictim,
    /// <summary>UnpinBuffer clears BM_PIN_COUNT_WAITER when the waiter's pin is the last one left but
    /// does not set its latch, so LockBufferForCleanup sleeps for good (buffers/cleanup-lock).</summary>
    PinCountWaiterNotSignalled,
}
