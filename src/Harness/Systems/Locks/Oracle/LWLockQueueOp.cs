// LWLockQueueOp: one operation of the wait-queue oracle (LWLockQueueRunner): one critical section
// of lwlock.c run by one backend of a four-backend, one-LWLock segment, as the callers in lwlock.c
// reach it. Which backend is picked by position among the backends the op applies to (sorted by
// proc number, PICK modulo their count), so every op means something in every state and shrinking
// never invalidates a list; an op no backend can do is skipped by port and model alike.
//   take PICK x|s     an idle backend: LWLockConditionalAcquire (may fail)
//   release PICK      a holder: LWLockRelease (wakes waiters when lwlock.c says so)
//   queue PICK x|s|w  an idle backend: LWLockQueueSelf, as LWLockAcquire (x, s), LWLockAcquireOrWait
//                     or LWLockWaitForVar (w) do after their first attempt failed (not played:
//                     the RELEASE_OK that LWLockWaitForVar sets right after queueing)
//   dequeue PICK      a backend that queued (still queued, or already woken): LWLockDequeueSelf,
//                     as those callers do when their second attempt succeeds
//   return PICK       a woken backend returns from its semaphore sleep (LWLockAcquire then sets
//                     RELEASE_OK again; LWLockAcquireOrWait and LWLockWaitForVar do not)
//   update PICK       the exclusive holder: LWLockUpdateVar
using Models.Locks;

namespace Harness.Systems.Locks.Oracle;

public enum QueueOpKind : byte
{
    Take,
    Release,
    Queue,
    Dequeue,
    Return,
    Update,
}

/// <param name="Kind">What happens.</param>
/// <param name="Pick">Which of the backends the op applies to (modulo their count).</param>
/// <param name="Mode">Take: exclusive or shared; Queue: any mode; otherwise unused (Exclusive).</param>
public readonly record struct LWLockQueueOp(QueueOpKind Kind, int Pick, QueueMode Mode = QueueMode.Exclusive);
