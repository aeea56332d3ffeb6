// LWLockQueueModel: the reference model of one LWLock's wait queue, holder counts and flag bits
// (src/backend/storage/lmgr/lwlock.c, PostgreSQL 17: LWLockQueueSelf, LWLockDequeueSelf,
// LWLockWakeup, LWLockUpdateVar, LWLockConditionalAcquire's attempt, LWLockRelease's wake test).
// It shares no code with the port: its own mode enum, a plain list for the queue, booleans for the
// flags. Every method is one critical section of lwlock.c (what happens between taking the
// wait-list lock and releasing it), so the model is only ever compared where that lock is free.
//
// Rules (numbered; the oracle names them in its mismatch reports):
//   Q1  QueueSelf sets HAS_WAITERS; an LW_WAIT_UNTIL_FREE waiter goes to the head of the queue,
//       an LW_EXCLUSIVE or LW_SHARED waiter to the tail.
//   Q2  DequeueSelf removes the caller if it is still queued; if the queue is then empty it clears
//       HAS_WAITERS. A caller that a waker already removed instead sets RELEASE_OK (the waker
//       cleared it on the caller's behalf) and absorbs the wakeup.
//   Q3  Wakeup walks the queue from the head: every waiter is woken except an LW_EXCLUSIVE one met
//       after some LW_EXCLUSIVE/LW_SHARED waiter was woken (skipped, stays queued); the walk stops
//       right after waking an LW_EXCLUSIVE waiter. Woken waiters leave the queue in order.
//   Q4  After Wakeup, RELEASE_OK is set unless an LW_EXCLUSIVE/LW_SHARED waiter was woken, and
//       HAS_WAITERS is cleared only when nobody was woken (PG17 tests the wakeup list, not the
//       queue, so the release that wakes the last waiters leaves HAS_WAITERS set on an empty queue).
//   Q5  Release drops the hold; it calls Wakeup only when the lock is then free and both
//       HAS_WAITERS and RELEASE_OK are set.
//   Q6  UpdateVar (the exclusive holder) wakes the LW_WAIT_UNTIL_FREE waiters at the head of the
//       queue, up to the first waiter of another mode, and touches no flag.
//   Q7  A woken waiter that returns from its sleep in LWLockAcquire (LW_EXCLUSIVE/LW_SHARED) sets
//       RELEASE_OK again; one in LWLockAcquireOrWait or LWLockWaitForVar does not.
//   Q8  ConditionalAcquire: exclusive needs no holder at all, shared needs no exclusive holder.
namespace Models.Locks;

public enum QueueMode
{
    Exclusive,
    Shared,
    WaitUntilFree,
}

/// <summary>One queued waiter: its proc number and the mode it waits in.</summary>
public readonly record struct QueuedWaiter(int Proc, QueueMode Mode)
{
    public override string ToString() => $"{Proc}{(Mode switch { QueueMode.Exclusive => "x", QueueMode.Shared => "s", _ => "w" })}";
}

public sealed class LWLockQueueModel
{
    private readonly List<QueuedWaiter> _queue = new();

    /// <summary>A fresh lock (LWLockInitialize): free, empty queue, RELEASE_OK set, HAS_WAITERS clear.</summary>
    public LWLockQueueModel() => ReleaseOk = true;

    public IReadOnlyList<QueuedWaiter> Queue => _queue;

    public bool HasWaiters { get; private set; }

    public bool ReleaseOk { get; private set; }

    public bool ExclusiveHeld { get; private set; }

    public int SharedHolders { get; private set; }

    public bool IsQueued(int proc) => _queue.Exists(w => w.Proc == proc);

    /// <summary>Q8. True if the lock was taken.</summary>
    public bool TryAcquire(QueueMode mode)
    {
        if (mode == QueueMode.Exclusive)
        {
            if (ExclusiveHeld || SharedHolders > 0) return false;
            ExclusiveHeld = true;
            return true;
        }
        if (mode != QueueMode.Shared) throw new ArgumentOutOfRangeException(nameof(mode), "only exclusive or shared locks are taken");
        if (ExclusiveHeld) return false;
        SharedHolders++;
        return true;
    }

    /// <summary>Q1.</summary>
    public void QueueSelf(int proc, QueueMode mode)
    {
        if (IsQueued(proc)) throw new InvalidOperationException($"proc {proc} is already queued");
        HasWaiters = true;
        if (mode == QueueMode.WaitUntilFree) _queue.Insert(0, new QueuedWaiter(proc, mode));
        else _queue.Add(new QueuedWaiter(proc, mode));
    }

    /// <summary>Q2. Returns true if the caller was still queued (false: a waker had removed it).</summary>
    public bool DequeueSelf(int proc)
    {
        int at = _queue.FindIndex(w => w.Proc == proc);
        if (at >= 0) _queue.RemoveAt(at);
        if (_queue.Count == 0) HasWaiters = false;
        if (at < 0) ReleaseOk = true;
        return at >= 0;
    }

    /// <summary>Q3, Q4: the woken waiters, in queue order.</summary>
    public List<QueuedWaiter> Wakeup()
    {
        var woken = new List<QueuedWaiter>();
        var stay = new List<QueuedWaiter>();
        bool wokeLocker = false, stopped = false;
        foreach (QueuedWaiter w in _queue)
        {
            if (stopped || (wokeLocker && w.Mode == QueueMode.Exclusive))
            {
                stay.Add(w);
                continue;
            }
            woken.Add(w);
            if (w.Mode != QueueMode.WaitUntilFree) wokeLocker = true;
            if (w.Mode == QueueMode.Exclusive) stopped = true;
        }
        _queue.Clear();
        _queue.AddRange(stay);
        ReleaseOk = !wokeLocker;
        if (woken.Count == 0) HasWaiters = false;
        return woken;
    }

    /// <summary>Q5: drops one hold in <paramref name="mode"/>; the woken waiters (empty when Wakeup did not run, null-free).</summary>
    public List<QueuedWaiter> Release(QueueMode mode, out bool wakeupRan)
    {
        if (mode == QueueMode.Exclusive)
        {
            if (!ExclusiveHeld) throw new InvalidOperationException("released an exclusive hold nobody has");
            ExclusiveHeld = false;
        }
        else
        {
            if (SharedHolders == 0) throw new InvalidOperationException("released a shared hold nobody has");
            SharedHolders--;
        }
        wakeupRan = !ExclusiveHeld && SharedHolders == 0 && HasWaiters && ReleaseOk;
        return wakeupRan ? Wakeup() : [];
    }

    /// <summary>Q6: the woken LW_WAIT_UNTIL_FREE waiters, in queue order.</summary>
    public List<QueuedWaiter> UpdateVar()
    {
        if (!ExclusiveHeld) throw new InvalidOperationException("LWLockUpdateVar without the exclusive hold");
        int n = 0;
        while (n < _queue.Count && _queue[n].Mode == QueueMode.WaitUntilFree) n++;
        List<QueuedWaiter> woken = _queue.GetRange(0, n);
        _queue.RemoveRange(0, n);
        return woken;
    }

    /// <summary>Q7: a woken waiter of <paramref name="mode"/> returns from its sleep.</summary>
    public void WokenReturns(QueueMode mode)
    {
        if (mode != QueueMode.WaitUntilFree) ReleaseOk = true;
    }

    public override string ToString() =>
        $"[{string.Join(" ", _queue)}]{(HasWaiters ? " HAS_WAITERS" : "")}{(ReleaseOk ? " RELEASE_OK" : "")}"
        + (ExclusiveHeld ? " held x" : SharedHolders > 0 ? $" held s{SharedHolders}" : " free");
}
