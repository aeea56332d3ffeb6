// BufferCanary: deliberately broken variants of the buffer manager, switched on only by the
// harness's canary runs (BufferPoolOptions.Canary) to prove that its oracles catch each one within
// the gate's budget. Each names the one decision it gets wrong; None is PostgreSQL.
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
}
