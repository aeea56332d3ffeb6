// BufferOp: one operation of a buffer-manager workload, as the property generator, the fuzz codec
// and artifacts speak it. A workload is a sequence of operations by several backends, each run to
// completion before the next starts (sequential interleaving at operation granularity; the
// fine-grained interleavings are the explorer's job).
//
// Pages are named by (relation index, block); the runner maps a relation index to a RelFileLocator
// (BufferWorkload.Relations). Operations on a pin name it by its index in the backend's list of
// pins (mod its length): a backend with no pin skips such an operation.
namespace Harness.Systems.Buffers.Oracle;

public enum BufferOpCode : byte
{
    /// <summary>ReadBufferExtended(RBM_NORMAL or RBM_ZERO_ON_ERROR) with a strategy; keeps the pin.</summary>
    Read,
    /// <summary>ReadBufferExtended(RBM_ZERO_AND_LOCK or RBM_ZERO_AND_CLEANUP_LOCK), overwrite, WAL, dirty, unlock; keeps the pin.</summary>
    ReadZero,
    /// <summary>ReleaseBuffer (UnlockReleaseBuffer if this was the last pin and a lock is held).</summary>
    Release,
    /// <summary>LockBuffer(SHARE or EXCLUSIVE), kept until Unlock, Release or the end of the transaction.</summary>
    Lock,
    Unlock,
    /// <summary>Change the page's value under an exclusive lock: MarkBufferDirty, WAL record, page LSN.</summary>
    Modify,
    /// <summary>Read the page's value and hint under a share lock (or the lock already held).</summary>
    Inspect,
    /// <summary>Set the hint field under a share lock and MarkBufferDirtyHint.</summary>
    Hint,
    /// <summary>FlushOneBuffer under a share lock (or the lock already held).</summary>
    Flush,
    /// <summary>ConditionalLockBufferForCleanup (and LockBufferForCleanup when it must succeed), then unlock.</summary>
    Cleanup,
    /// <summary>ExtendBufferedRel by one block (locked), initialise it, WAL, dirty, unlock; keeps the pin.</summary>
    Extend,
    /// <summary>EvictUnpinnedBuffer on the buffer holding the page, if any.</summary>
    Evict,
    /// <summary>DropRelationBuffers from a block on, then truncate the file (0: drop the relation's contents).</summary>
    Truncate,
    /// <summary>DropDatabaseBuffers, then truncate every relation of the database to 0.</summary>
    DropDatabase,
    FlushRelation,
    FlushDatabase,
    /// <summary>BufferSync (the checkpointer; Mode 1 = shutdown checkpoint: unlogged pages too).</summary>
    Checkpoint,
    /// <summary>One BgBufferSync round (the background writer); Mode 1: the bgwriter goes to sleep
    /// and asks to be woken by the next allocation (StrategyNotifyBgWriter(its proc number)); Mode 2:
    /// it wakes up and stops asking (StrategyNotifyBgWriter(-1)).</summary>
    BgWriter,
    /// <summary>Release every pin, flush WAL, AtEOXact_Buffers(commit).</summary>
    Commit,
    /// <summary>AbortCurrentTransaction: the resource owner releases pins and locks.</summary>
    Abort,
    /// <summary>Arm a storage fault for the next storage operation.</summary>
    Fault,
    /// <summary>Power loss: the pool is gone, WAL after the flush point is gone; recover and check.</summary>
    Crash,
}

/// <summary>Read strategies (Mode of a Read): none, or one of the ring types.</summary>
public enum ReadStrategy : byte { Normal, BulkRead, BulkWrite, Vacuum }

/// <param name="Code">The operation.</param>
/// <param name="Backend">Which backend runs it (the checkpointer and bgwriter run their own).</param>
/// <param name="Rel">Relation index (page operations, Extend, Truncate, FlushRelation); database index for the database ops.</param>
/// <param name="Block">Block number (Read, ReadZero, Evict) or the new size (Truncate).</param>
/// <param name="Pin">Which of the backend's pins (mod their count).</param>
/// <param name="Mode">Read: strategy (low 2 bits) | 4 for RBM_ZERO_ON_ERROR; ReadZero: 1 for the cleanup
/// variant; Lock: 1 share, 2 exclusive; Checkpoint: 1 shutdown; BgWriter: 1 hibernate, 2 wake; Fault: the StorageFaultKind.</param>
/// <param name="Value">Modify, ReadZero: the new value; Hint: the new hint (low 32 bits).</param>
public readonly record struct BufferOp(BufferOpCode Code, int Backend = 0, int Rel = 0, uint Block = 0, int Pin = 0, int Mode = 0, ulong Value = 0)
{
    public override string ToString() => BufferOpText.Instance.Format(this);
}
