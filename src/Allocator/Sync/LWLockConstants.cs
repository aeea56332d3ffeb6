// LWLockConstants: the LWLock state word's bits and limits, with PostgreSQL's names
// (src/backend/storage/lmgr/lwlock.c, src/include/storage/lwlock.h, PostgreSQL 17).
//
//   bit 30  LW_FLAG_HAS_WAITERS   wait list is (probably) non-empty
//   bit 29  LW_FLAG_RELEASE_OK    a releaser is allowed to wake waiters
//   bit 28  LW_FLAG_LOCKED        wait-list spinlock
//   bit 24  LW_VAL_EXCLUSIVE      one exclusive holder
//   bit 0..23                     shared holder count (LW_VAL_SHARED each)
#pragma warning disable CA1707 // PostgreSQL's names, so grep works across both code bases
namespace Allocator.Sync;

public static class LWLockConstants
{
    public const uint LW_FLAG_HAS_WAITERS = 1u << 30;
    public const uint LW_FLAG_RELEASE_OK = 1u << 29;
    public const uint LW_FLAG_LOCKED = 1u << 28;

    public const uint LW_VAL_EXCLUSIVE = 1u << 24;
    public const uint LW_VAL_SHARED = 1;

    /// <summary>Any holder, shared or exclusive.</summary>
    public const uint LW_LOCK_MASK = (1u << 25) - 1;
    public const uint LW_SHARED_MASK = (1u << 24) - 1;

    /// <summary>Per-backend limit on simultaneously held LWLocks (held_lwlocks[]).</summary>
    public const int MAX_SIMUL_LWLOCKS = 200;

    /// <summary>MAX_BACKENDS (postmaster.h, PostgreSQL 17): the bound on the shared count; lwlock.c
    /// asserts statically that LW_VAL_EXCLUSIVE exceeds it.</summary>
    public const uint MAX_BACKENDS = 0x3FFFF;

    /// <summary>INVALID_PROC_NUMBER: the end of a proclist.</summary>
    public const int INVALID_PROC_NUMBER = -1;
}

/// <summary>LWLockMode. LW_WAIT_UNTIL_FREE is internal: waiting for the lock to be free without taking it.</summary>
public enum LWLockMode : uint
{
    LW_EXCLUSIVE = 0,
    LW_SHARED = 1,
    LW_WAIT_UNTIL_FREE = 2,
}

/// <summary>PGPROC.lwWaiting.</summary>
public enum LWLockWaitState : uint
{
    LW_WS_NOT_WAITING = 0,
    LW_WS_WAITING = 1,
    LW_WS_PENDING_WAKEUP = 2,
}
