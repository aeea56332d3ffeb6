// BufferConstants: the shared buffer manager's constants with PostgreSQL's names
// (buf_internals.h, bufmgr.c, buf.h, PostgreSQL 17).
//
// The 32-bit buffer state word:
//   bits 31..22  flags (10)       BM_LOCKED (22) .. BM_PERMANENT (31)
//   bits 21..18  usage count (4)  only 0..BM_MAX_USAGE_COUNT are ever used
//   bits 17..0   refcount (18)    number of backends holding at least one pin
// The refcount width bounds MAX_BACKENDS.
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Buffers;

public static class BufferConstants
{
    public const int BUF_REFCOUNT_BITS = 18;
    public const int BUF_USAGECOUNT_BITS = 4;
    public const int BUF_FLAG_BITS = 10;

    public const uint BUF_REFCOUNT_ONE = 1;
    public const uint BUF_REFCOUNT_MASK = (1u << BUF_REFCOUNT_BITS) - 1;
    public const int BUF_USAGECOUNT_SHIFT = BUF_REFCOUNT_BITS;
    public const uint BUF_USAGECOUNT_MASK = ((1u << BUF_USAGECOUNT_BITS) - 1) << BUF_USAGECOUNT_SHIFT;
    public const uint BUF_USAGECOUNT_ONE = 1u << BUF_USAGECOUNT_SHIFT;
    public const uint BUF_FLAG_MASK = ((1u << BUF_FLAG_BITS) - 1) << (BUF_REFCOUNT_BITS + BUF_USAGECOUNT_BITS);

    /// <summary>Buffer header spinlock.</summary>
    public const uint BM_LOCKED = 1u << 22;
    /// <summary>Page differs from storage.</summary>
    public const uint BM_DIRTY = 1u << 23;
    /// <summary>Page contents are valid.</summary>
    public const uint BM_VALID = 1u << 24;
    /// <summary>The tag is assigned (a mapping-table entry exists).</summary>
    public const uint BM_TAG_VALID = 1u << 25;
    /// <summary>A read or write is under way.</summary>
    public const uint BM_IO_IN_PROGRESS = 1u << 26;
    /// <summary>The previous I/O failed.</summary>
    public const uint BM_IO_ERROR = 1u << 27;
    /// <summary>Dirtied while a write was under way.</summary>
    public const uint BM_JUST_DIRTIED = 1u << 28;
    /// <summary>A backend waits for the refcount to drop to 1 (cleanup lock).</summary>
    public const uint BM_PIN_COUNT_WAITER = 1u << 29;
    /// <summary>Must be written by the running checkpoint.</summary>
    public const uint BM_CHECKPOINT_NEEDED = 1u << 30;
    /// <summary>Permanent relation (or init fork): checkpointed, WAL-flushed before write.</summary>
    public const uint BM_PERMANENT = 1u << 31;

    /// <summary>Cap of the usage count (the 4-bit field could hold 15).</summary>
    public const uint BM_MAX_USAGE_COUNT = 5;

    /// <summary>Limited by the refcount width: 2^18 - 1.</summary>
    public const int MAX_BACKENDS = 0x3FFFF;

    /// <summary>Entries of the per-backend private refcount array before the overflow hash is used.</summary>
    public const int REFCOUNT_ARRAY_ENTRIES = 8;

    /// <summary>Initial size of the backend-local PrivateRefCountHash.</summary>
    public const int PRIVATE_REFCOUNT_HASH_SIZE = 100;

    /// <summary>freeNext sentinels.</summary>
    public const int FREENEXT_END_OF_LIST = -1;
    public const int FREENEXT_NOT_IN_LIST = -2;

    /// <summary>Buffer 0 is invalid; shared buffers are 1..NBuffers (buf_id + 1), local buffers negative.</summary>
    public const int InvalidBuffer = 0;

    public const uint InvalidBlockNumber = 0xFFFFFFFF;
    public const uint InvalidOid = 0;
    public const uint InvalidRelFileNumber = 0;

    /// <summary>Tablespaces, for relpath in leak messages.</summary>
    public const uint DEFAULTTABLESPACE_OID = 1663;
    public const uint GLOBALTABLESPACE_OID = 1664;

    /// <summary>pg_proc.h's INVALID_PROC_NUMBER (no backend).</summary>
    public const int INVALID_PROC_NUMBER = -1;

    public static uint BUF_STATE_GET_REFCOUNT(uint state) => state & BUF_REFCOUNT_MASK;

    public static uint BUF_STATE_GET_USAGECOUNT(uint state) => (state & BUF_USAGECOUNT_MASK) >> BUF_USAGECOUNT_SHIFT;
}

/// <summary>ForkNumber (common/relpath.h).</summary>
public enum ForkNumber
{
    InvalidForkNumber = -1,
    MAIN_FORKNUM = 0,
    FSM_FORKNUM = 1,
    VISIBILITYMAP_FORKNUM = 2,
    INIT_FORKNUM = 3,
}
