// PgProcLayout: the LWLock-related part of PGPROC (src/include/storage/proc.h), as it lies in
// simulated shared memory. One record per backend, PROC_SIZE bytes:
//
//   +0  lwWaiting        uint32  LWLockWaitState
//   +4  lwWaitMode       uint32  LWLockMode
//   +8  lwWaitLink.next  int32   proclist_node: next proc number (INVALID_PROC_NUMBER at the end)
//   +12 lwWaitLink.prev  int32   previous proc number; next == prev == 0 means "in no list"
//   +16 sem              uint32  the backend's PGSemaphore count (the "kernel" semaphore)
//
// 32-bit fields throughout so that every one is a naturally aligned word the production runtime
// can access with Interlocked/Volatile.
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Sync;

public static class PgProcLayout
{
    public const ulong OFF_lwWaiting = 0;
    public const ulong OFF_lwWaitMode = 4;
    public const ulong OFF_lwWaitLink_next = 8;
    public const ulong OFF_lwWaitLink_prev = 12;
    public const ulong OFF_sem = 16;
    public const ulong PROC_SIZE = 24;
}
