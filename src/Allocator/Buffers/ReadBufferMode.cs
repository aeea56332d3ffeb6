// ReadBufferMode, BufferLockMode and BufferRelation: the small public types of bufmgr.h the
// buffer manager's callers use (PostgreSQL 17).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Storage;

namespace Allocator.Buffers;

/// <summary>ReadBufferMode (bufmgr.h).</summary>
public enum ReadBufferMode
{
    /// <summary>Normal read.</summary>
    RBM_NORMAL,
    /// <summary>Do not read: zero the page, return it exclusive-locked.</summary>
    RBM_ZERO_AND_LOCK,
    /// <summary>As RBM_ZERO_AND_LOCK, but with a cleanup lock.</summary>
    RBM_ZERO_AND_CLEANUP_LOCK,
    /// <summary>Read, but a page that fails verification comes back zeroed (with a WARNING).</summary>
    RBM_ZERO_ON_ERROR,
    /// <summary>Like RBM_NORMAL, but the caller promises not to WAL-log changes (recovery only).</summary>
    RBM_NORMAL_NO_LOG,
}

/// <summary>LockBuffer's modes (bufmgr.h).</summary>
public static class BufferLockMode
{
    public const int BUFFER_LOCK_UNLOCK = 0;
    public const int BUFFER_LOCK_SHARE = 1;
    public const int BUFFER_LOCK_EXCLUSIVE = 2;
}

/// <summary>SMgrRelation plus relpersistence, as much as the buffer manager uses
/// (BufferManagerRelation): which relation, and whether it is permanent (WAL-logged,
/// checkpointed, BM_PERMANENT).</summary>
public readonly record struct BufferRelation(RelFileLocator Locator, bool Permanent = true);
