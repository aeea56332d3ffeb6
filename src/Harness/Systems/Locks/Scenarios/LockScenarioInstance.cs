// LockScenarioInstance: the common frame of the lock scenarios: a SyncSegment mapped into every
// backend, one SyncBackend and LWLockApi per backend (recreated every iteration, as backends are
// processes that start fresh), holder counters in scratch space for the mutual-exclusion checks,
// a final check that runs LWLockCheck (every LW*/SEM1 invariant, final form), and LWLockCheck's
// step form at every scheduling point.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Systems.Locks.Scenarios;

public abstract class LockScenarioInstance : ScenarioInstance
{
    protected readonly IReadOnlyList<ISyncRuntime> Rt;
    protected readonly SyncSegment Seg;
    protected readonly SyncBackend[] B;
    protected readonly LWLockApi[] Api;
    private readonly Func<SyncBackend, LWLockApi> _apiFactory;
    private readonly Action[] _bodies;

    /// <summary>False for a canary (a broken LWLockApi): CanaryCatalog states which end-state or
    /// liveness oracle must catch each one, and a step check would catch some first (a wakeup that
    /// clears HAS_WAITERS under a queued waiter is LW6 at once), hiding whether that oracle works.</summary>
    private readonly bool _stepChecks;

    /// <summary>Scratch words reserved for holder counters (exclusive, shared) per LWLock.</summary>
    private readonly int _counterBase;

    protected LockScenarioInstance(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes, Func<SyncBackend, LWLockApi>? api,
        int lwlocks, int spinlocks = 0, int vars = 0, int scratchWords = 0)
        : base(config)
    {
        Rt = runtimes;
        _counterBase = scratchWords;
        Seg = new SyncSegment(config.Backends, lwlocks, spinlocks, vars, (scratchWords + 2 * lwlocks + 1) * 8);
        // Only one backend runs at a time under the explorer: a uniprocessor, where PostgreSQL's
        // spins_per_delay converges to its minimum (this also keeps the yielding-spin path to the
        // stuck-spinlock PANIC within ~NUM_DELAYS x MIN_SPINS_PER_DELAY steps).
        Seg.InitialSpinsPerDelay = SLockConstants.MIN_SPINS_PER_DELAY;
        foreach (ISyncRuntime r in runtimes) Seg.MapInto(r.Memory);
        _apiFactory = api ?? (b => new LWLockApi(b));
        _stepChecks = api is null;
        B = new SyncBackend[config.Backends];
        Api = new LWLockApi[config.Backends];
        _bodies = new Action[config.Backends];
        for (int i = 0; i < config.Backends; i++)
        {
            int me = i;
            _bodies[i] = () =>
            {
                B[me].Start();
                Body(me);
                B[me].Exit();
            };
        }
    }

    /// <summary>Names the objects (call from the derived constructor after naming LWLocks).</summary>
    protected void NameObjects()
    {
        Seg.NameObjects(Rt[0]);
        for (int i = 0; i < Seg.NumLWLocks; i++)
        {
            Rt[0].NameObject(ExclCounter(i), $"{Seg.LWLockName(Seg.GetLWLock(i))}.excl-holders");
            Rt[0].NameObject(SharedCounter(i), $"{Seg.LWLockName(Seg.GetLWLock(i))}.shared-holders");
        }
    }

    public override Action[] Bodies => _bodies;

    protected abstract void Body(int me);

    /// <summary>Scratch word <paramref name="i"/> (8 bytes each; the low 4 bytes are a 32-bit word).</summary>
    protected ulong Word(int i) => Seg.ScratchAddr(i * 8);

    private ulong ExclCounter(int lockIndex) => Seg.ScratchAddr((_counterBase + 2 * lockIndex) * 8);
    private ulong SharedCounter(int lockIndex) => Seg.ScratchAddr((_counterBase + 2 * lockIndex + 1) * 8);

    public override void Reset()
    {
        Seg.Reset();
        for (int i = 0; i < B.Length; i++)
        {
            B[i] = new SyncBackend(Rt[i], Seg, i);
            Api[i] = _apiFactory(B[i]);
            Api[i].Reach = Reach;   // the goals the derived scenario declared (LocksReach)
        }
        OnReset();
    }

    protected virtual void OnReset() { }

    public override IEnumerable<(ulong Obj, string Mode)> HeldBy(int backend)
    {
        SyncBackend? b = B[backend];
        if (b is null) yield break;
        for (int h = 0; h < b.LWLocks.NumHeld; h++)
        {
            var e = b.LWLocks.Held(h);
            yield return (e.Lock.StateAddr, LWLockBackend.ModeName(e.Mode));
        }
    }

    public override void CheckFinal()
    {
        List<string> errors = LWLockCheck.Check(Seg, B, final: true);
        if (errors.Count > 0)
        {
            string first = errors[0];
            int colon = first.IndexOf(':');
            throw new ScenarioCheckException(colon > 0 ? first[..colon] : "LWLockCheck", string.Join("; ", errors));
        }
        OnCheckFinal();
    }

    protected virtual void OnCheckFinal() { }

    /// <summary>LWLockCheck.CheckStep at every step: the wait lists' shape (LW4, LW11), HAS_WAITERS
    /// on a non-empty list (LW6) and the waiters' lwWaiting (LW5, LW7) wherever no wait-list lock is
    /// taken. At the end the lists are empty, so only here can a misplaced waiter show.</summary>
    public override void CheckStep()
    {
        if (!_stepChecks) return;
        List<string> errors = LWLockCheck.CheckStep(Seg);
        if (errors.Count == 0) return;
        string first = errors[0];
        int colon = first.IndexOf(':');
        throw new ScenarioCheckException(colon > 0 ? first[..colon] : "LWLockCheck", string.Join("; ", errors));
    }

    // ---- liveness helpers: a holder that waits (without ever blocking) for the others to queue

    /// <summary>Polls, yielding between polls, until every backend in [<paramref name="from"/>,
    /// <paramref name="to"/>) other than <paramref name="me"/> has lwWaiting == LW_WS_WAITING: they
    /// are on a wait list, so a release or update from now on happens while they are queued. The
    /// poller itself never blocks, so the scenarios that use it need a fair strategy.</summary>
    protected void AwaitQueued(int me, int from, int to)
    {
        for (int p = from; p < to; p++)
        {
            if (p == me) continue;
            ulong ws = Seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting;
            while (Rt[me].AtomicRead32(ws) != (uint)LWLockWaitState.LW_WS_WAITING) Rt[me].SpinSleep(ws, 1000);
        }
    }

    /// <summary>Polls, yielding between polls, until scratch word <paramref name="word"/> is at least <paramref name="target"/>.</summary>
    protected void AwaitAtLeast(int me, int word, uint target)
    {
        while (Rt[me].AtomicRead32(Word(word)) < target) Rt[me].SpinSleep(Word(word), 1000);
    }

    // ---- the XLogFlush pattern (xlog.c's XLogFlush over LWLockAcquireOrWait on WALWriteLock)

    /// <summary>Until the position in scratch word <paramref name="flushedWord"/> covers
    /// <paramref name="target"/>: LWLockAcquireOrWait(EXCLUSIVE); with the lock, flush everything
    /// requested so far (scratch word <paramref name="requestedWord"/>) and release; without it,
    /// someone else held the lock and has probably flushed for us, so look again. Checks progress, that
    /// a false return leaves the lock not held, exclusion while flushing, and the final coverage.</summary>
    protected void FlushUpTo(int me, int lockIndex, int requestedWord, int flushedWord, ulong target)
    {
        ISyncRuntime rt = Rt[me];
        LWLock l = Seg.GetLWLock(lockIndex);
        for (int round = 0; ; round++)
        {
            Check(round <= Config.Backends * Config.Ops + 1, "acquire-or-wait-progress", $"backend {me}: no progress flushing to {target} after {round} rounds");
            if (rt.AtomicRead64(Word(flushedWord)) >= target) break;
            if (Api[me].AcquireOrWait(l, LWLockMode.LW_EXCLUSIVE))
            {
                EnterExclusive(me, lockIndex);
                ulong upto = rt.AtomicRead64(Word(requestedWord));
                if (rt.SharedRead64(Word(flushedWord)) < upto) rt.SharedWrite64(Word(flushedWord), upto);
                ExitExclusive(me, lockIndex);
                Api[me].Release(l);
            }
            else
            {
                Check(!B[me].LWLocks.LWLockHeldByMe(l), "acquire-or-wait-false-not-held", $"backend {me}: LWLockAcquireOrWait returned false but the lock is held");
            }
        }
        Check(rt.AtomicRead64(Word(flushedWord)) >= target, "flushed-covers-target", $"backend {me}: target {target} not flushed");
    }

    // ---- mutual exclusion observers, called right after acquiring / right before releasing

    /// <summary>Just acquired LWLock <paramref name="lockIndex"/> exclusively: nobody else may be inside.</summary>
    protected void EnterExclusive(int me, int lockIndex)
    {
        ISyncRuntime rt = Rt[me];
        uint ex = rt.AtomicFetchAdd32(ExclCounter(lockIndex), 1);
        uint sh = rt.AtomicRead32(SharedCounter(lockIndex));
        Check(ex == 0 && sh == 0, "exclusive-excludes-everyone",
            $"backend {me} holds {Seg.LWLockName(Seg.GetLWLock(lockIndex))} exclusively while {ex} other exclusive and {sh} shared holder(s) are inside");
    }

    protected void ExitExclusive(int me, int lockIndex) => Rt[me].AtomicFetchSub32(ExclCounter(lockIndex), 1);

    /// <summary>Just acquired LWLock <paramref name="lockIndex"/> in shared mode: no exclusive holder may be inside.</summary>
    protected void EnterShared(int me, int lockIndex)
    {
        ISyncRuntime rt = Rt[me];
        rt.AtomicFetchAdd32(SharedCounter(lockIndex), 1);
        uint ex = rt.AtomicRead32(ExclCounter(lockIndex));
        Check(ex == 0, "exclusive-excludes-everyone",
            $"backend {me} holds {Seg.LWLockName(Seg.GetLWLock(lockIndex))} shared while an exclusive holder is inside");
    }

    protected void ExitShared(int me, int lockIndex) => Rt[me].AtomicFetchSub32(SharedCounter(lockIndex), 1);

    /// <summary>Acquire + observer, by mode.</summary>
    protected void Lock(int me, int lockIndex, LWLockMode mode)
    {
        Api[me].Acquire(Seg.GetLWLock(lockIndex), mode);
        if (mode == LWLockMode.LW_EXCLUSIVE) EnterExclusive(me, lockIndex); else EnterShared(me, lockIndex);
    }

    protected void Unlock(int me, int lockIndex, LWLockMode mode)
    {
        if (mode == LWLockMode.LW_EXCLUSIVE) ExitExclusive(me, lockIndex); else ExitShared(me, lockIndex);
        Api[me].Release(Seg.GetLWLock(lockIndex));
    }
}
