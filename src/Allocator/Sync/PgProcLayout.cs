// PgProcLayout: the parts of PGPROC (src/include/storage/proc.h) the sync layer and the buffer
// manager use, as they lie in simulated shared memory. One record per backend, PROC_SIZE bytes:
//
//   +0  lwWaiting              uint32  LWLockWaitState
//   +4  lwWaitMode             uint32  LWLockMode
//   +8  lwWaitLink.next        int32   proclist_node: next proc number (INVALID_PROC_NUMBER at the end)
//   +12 lwWaitLink.prev        int32   previous proc number; next == prev == 0 means "in no list"
//   +16 sem                    uint32  the backend's PGSemaphore count (the "kernel" semaphore)
//   +20 procLatch.is_set       uint32  the latch's sticky flag (latch.h Latch.is_set)
//   +24 procLatch.maybe_sleeping uint32 the owner is (about to be) blocked in WaitLatch
//   +28 procLatch wake sem     uint32  the latch's own wake-up semaphore (the self-pipe/signalfd
//                                      of latch.c); separate from sem so a SetLatch never lands in
//                                      an LWLock wait and an LWLock wake-up never in a latch wait
//   +32 cvWaitLink.next        int32   proclist_node for condition-variable wakeup lists
//   +36 cvWaitLink.prev        int32
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
    public const ulong OFF_procLatch_is_set = 20;
    public const ulong OFF_procLatch_maybe_sleeping = 24;
    public const ulong OFF_procLatch_sem = 28;
    public const ulong OFF_cvWaitLink_next = 32;
    public const ulong OFF_cvWaitLink_prev = 36;
    public const ulong PROC_SIZE = 40;
}
