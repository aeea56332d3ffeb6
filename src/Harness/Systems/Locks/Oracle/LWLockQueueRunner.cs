// LWLockQueueRunner: the wait-queue oracle. Runs an LWLockQueueOp list through the port's lwlock.c
// critical sections (LWLockConditionalAcquire, LWLockRelease with LWLockWakeup, LWLockQueueSelf,
// LWLockDequeueSelf, LWLockUpdateVar; LWLockBackend) on four backends of a one-LWLock SyncSegment,
// sequentially (every op is one critical section and none of them blocks: a woken backend's
// semaphore is already posted when it returns), and compares the port with LWLockQueueModel.
// After every op:
//   O1  the wait list, head to tail, has the model's procs in the model's order, each with the
//       model's lwWaitMode (Q1: LW_WAIT_UNTIL_FREE at the head; Q3: who stays queued);
//   O2  HAS_WAITERS and RELEASE_OK equal the model's (Q2, Q4, Q6, Q7) and LW_FLAG_LOCKED is clear;
//   O3  the holder bits (exclusive, shared count) equal the model's, and so do the results of
//       LWLockConditionalAcquire (Q8);
//   O4  every backend's lwWaiting and semaphore count say what the model says it is: queued
//       (WAITING, 0), woken and not yet returned (NOT_WAITING, 1), otherwise (NOT_WAITING, 0): so
//       the set of backends an op woke is the model's (Q3, Q5, Q6);
//   O5  LWLockCheck.CheckStep (LW4-LW7, LW9-LW11 between steps) holds.
// What it leaves to the explorer: the callers' retry loops and the interleavings inside and
// between critical sections (the explorer's scenarios run the real LWLockAcquire etc.).
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using Harness.Core;
using Models.Locks;

namespace Harness.Systems.Locks.Oracle;

public sealed class LWLockQueueRunner : IReachReporter
{
    public const int Procs = 4;

    public LWLockQueueRunner() => Reach = new ReachHits(LocksReach.QueueGoals);

    /// <summary>The goals (LocksReach.QueueGoals) the current run hit.</summary>
    public ReachHits Reach { get; }

    public Outcome Run(IReadOnlyList<LWLockQueueOp> ops, TextWriter? trace = null) => new Execution(trace, Reach).Run(ops);

    /// <summary>The port's wait list, head to tail, with each proc's lwWaitMode (O1's left side).</summary>
    public static List<QueuedWaiter> PortQueue(SyncSegment seg, LWLock l)
    {
        var mem = seg.InitMemory;
        var list = new List<QueuedWaiter>();
        ProcListHead w = ProcListHead.Load(mem, l.WaitersAddr);
        for (int cur = w.head; cur != LWLockConstants.INVALID_PROC_NUMBER && list.Count <= seg.NumProcs; cur = ProcList.Next(mem, seg, cur))
            list.Add(new QueuedWaiter(cur, ToModel((LWLockMode)mem.ReadU32(seg.ProcAddr(cur) + PgProcLayout.OFF_lwWaitMode))));
        return list;
    }

    public static QueueMode ToModel(LWLockMode m) => m switch
    {
        LWLockMode.LW_EXCLUSIVE => QueueMode.Exclusive,
        LWLockMode.LW_SHARED => QueueMode.Shared,
        _ => QueueMode.WaitUntilFree,
    };

    public static LWLockMode ToPort(QueueMode m) => m switch
    {
        QueueMode.Exclusive => LWLockMode.LW_EXCLUSIVE,
        QueueMode.Shared => LWLockMode.LW_SHARED,
        _ => LWLockMode.LW_WAIT_UNTIL_FREE,
    };

    public static string Show(IEnumerable<QueuedWaiter> q) => $"[{string.Join(" ", q)}]";

    private enum Role : byte { Idle, Holds, Waits }

    private sealed class Execution
    {
        private readonly TextWriter? _trace;
        private readonly ReachHits _reach;
        private readonly SyncSegment _seg = new(numProcs: Procs, numLWLocks: 1, numVars: 1);
        private readonly SyncBackend[] _b = new SyncBackend[Procs];
        private readonly LWLockQueueModel _model = new();
        private readonly Role[] _role = new Role[Procs];
        private readonly QueueMode[] _mode = new QueueMode[Procs];
        private ulong _var;

        public Execution(TextWriter? trace, ReachHits reach)
        {
            _trace = trace;
            _reach = reach;
            for (int p = 0; p < Procs; p++)
            {
                _b[p] = new SyncBackend(new SequentialSyncRuntime(_seg.InitMemory), _seg, p);
                _b[p].Start();
            }
        }

        private LWLock Lock => _seg.GetLWLock(0);

        private uint State => _seg.InitMemory.ReadU32(Lock.StateAddr);

        public Outcome Run(IReadOnlyList<LWLockQueueOp> ops)
        {
            Outcome o = Compare(-1, "start", []);
            for (int i = 0; i < ops.Count && !o.IsFailure; i++)
            {
                try
                {
                    o = Step(i, ops[i]);
                }
                catch (AssertionFailureException e)
                {
                    return new Outcome(OutcomeKind.InvariantFailed, i, $"{Verb(ops[i])}/assert", e.Message);
                }
                catch (SimBlockedException e)
                {
                    return new Outcome(OutcomeKind.LostWakeup, i, $"{Verb(ops[i])}/blocked", e.Message);
                }
                catch (PgErrorException e)
                {
                    return new Outcome(OutcomeKind.Crash, i, $"{Verb(ops[i])}/error", e.Message);
                }
                catch (PgFatalException e)
                {
                    return new Outcome(OutcomeKind.Crash, i, $"{Verb(ops[i])}/fatal", e.Message);
                }
            }
            return o;
        }

        private static string Verb(LWLockQueueOp op) => op.Kind.ToString().ToLowerInvariant();

        /// <summary>The backend <paramref name="pick"/> selects among those in <paramref name="role"/>
        /// (and, if given, whose queued/woken status is <paramref name="queued"/>), or -1.</summary>
        private int Choose(int pick, Role role, bool? queued = null, QueueMode? holding = null)
        {
            var c = new List<int>();
            for (int p = 0; p < Procs; p++)
                if (_role[p] == role && (queued is null || _model.IsQueued(p) == queued) && (holding is null || _mode[p] == holding)) c.Add(p);
            return c.Count == 0 ? -1 : c[(int)((uint)pick % (uint)c.Count)];
        }

        private Outcome Step(int step, LWLockQueueOp op)
        {
            string before = _model.ToString();
            List<QueuedWaiter> woken = [];
            int p;
            string what;
            switch (op.Kind)
            {
                case QueueOpKind.Take:
                {
                    if ((p = Choose(op.Pick, Role.Idle)) < 0) return Skip(step, op);
                    bool port = _b[p].LWLocks.LWLockConditionalAcquire(Lock, ToPort(op.Mode));
                    bool model = _model.TryAcquire(op.Mode);
                    what = $"backend {p} LWLockConditionalAcquire {LWLockQueueOpText.ModeLetter(op.Mode)}: {(port ? "acquired" : "refused")}";
                    if (port != model)                                                                             // O3
                        return Mismatch(step, "take/result", $"{what}, the model {(model ? "acquires" : "refuses")} (lock was {before})");
                    if (port)
                    {
                        _role[p] = Role.Holds;
                        _mode[p] = op.Mode;
                    }
                    break;
                }
                case QueueOpKind.Release:
                {
                    if ((p = Choose(op.Pick, Role.Holds)) < 0) return Skip(step, op);
                    var waitingBefore = WaitingProcs();
                    _b[p].LWLocks.LWLockRelease(Lock);
                    woken = _model.Release(_mode[p], out bool ran);
                    _role[p] = Role.Idle;
                    what = $"backend {p} LWLockRelease: model {(ran ? $"wakes {Show(woken)}" : "calls no LWLockWakeup")}";
                    if (ran && woken.Exists(w => w.Mode != QueueMode.Exclusive) && waitingBefore.Exists(w => w.Mode == QueueMode.Exclusive && !woken.Contains(w)))
                        _reach.Hit(LocksReach.QueueWakeupSkippedExclusive);
                    break;
                }
                case QueueOpKind.Queue:
                {
                    if ((p = Choose(op.Pick, Role.Idle)) < 0) return Skip(step, op);
                    if (op.Mode == QueueMode.WaitUntilFree && _model.Queue.Count > 0 && _model.Queue[^1].Mode != QueueMode.WaitUntilFree)
                        _reach.Hit(LocksReach.QueueUntilFreeAhead);
                    _b[p].LWLocks.LWLockQueueSelf(Lock, ToPort(op.Mode));
                    _model.QueueSelf(p, op.Mode);
                    _role[p] = Role.Waits;
                    _mode[p] = op.Mode;
                    what = $"backend {p} LWLockQueueSelf {LWLockQueueOpText.ModeLetter(op.Mode)}";
                    break;
                }
                case QueueOpKind.Dequeue:
                {
                    if ((p = Choose(op.Pick, Role.Waits)) < 0) return Skip(step, op);
                    _b[p].LWLocks.LWLockDequeueSelf(Lock);
                    bool was = _model.DequeueSelf(p);
                    _role[p] = Role.Idle;
                    what = $"backend {p} LWLockDequeueSelf ({(was ? "still queued" : "already woken: absorbs the wakeup")})";
                    if (!was) _reach.Hit(LocksReach.QueueDequeueAbsorbed);
                    else if (_model.Queue.Count == 0) _reach.Hit(LocksReach.QueueDequeueEmptied);
                    break;
                }
                case QueueOpKind.Return:
                {
                    if ((p = Choose(op.Pick, Role.Waits, queued: false)) < 0) return Skip(step, op);
                    // The tail of the wait in LWLockAcquire / LWLockAcquireOrWait / LWLockWaitForVar.
                    ulong sem = _seg.SemAddr(p);
                    PGSemaphore.PGSemaphoreLock(_b[p], sem);
                    var ws = (LWLockWaitState)_b[p].Runtime.SharedRead32(_seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting);
                    if (ws != LWLockWaitState.LW_WS_NOT_WAITING)
                        return Mismatch(step, "return/lw-waiting", $"backend {p} was posted but its lwWaiting is {ws}");
                    if (_mode[p] != QueueMode.WaitUntilFree) _b[p].Runtime.AtomicFetchOr32(Lock.StateAddr, LWLockConstants.LW_FLAG_RELEASE_OK);
                    _model.WokenReturns(_mode[p]);
                    _role[p] = Role.Idle;
                    what = $"backend {p} returns from its sleep ({LWLockQueueOpText.ModeLetter(_mode[p])})";
                    break;
                }
                default:
                {
                    if ((p = Choose(op.Pick, Role.Holds, holding: QueueMode.Exclusive)) < 0) return Skip(step, op);
                    _b[p].LWLocks.LWLockUpdateVar(Lock, _seg.VarAddr(0), ++_var);
                    woken = _model.UpdateVar();
                    what = $"backend {p} LWLockUpdateVar {_var}: model wakes {Show(woken)}";
                    break;
                }
            }
            _trace?.WriteLine($"{step}: {LWLockQueueOpText.Instance.Format(op)}: {what}; model {_model}");
            return Compare(step, Verb(op), woken);
        }

        private List<QueuedWaiter> WaitingProcs() => [.. _model.Queue];

        private Outcome Skip(int step, LWLockQueueOp op)
        {
            _trace?.WriteLine($"{step}: {LWLockQueueOpText.Instance.Format(op)}: no backend can, skipped");
            return Outcome.Ok;
        }

        private Outcome Mismatch(int step, string site, string message)
        {
            _trace?.WriteLine($"  MISMATCH {site}: {message}");
            return new Outcome(OutcomeKind.ModelMismatch, step, site, message);
        }

        private Outcome Compare(int step, string what, List<QueuedWaiter> woken)
        {
            uint state = State;
            List<QueuedWaiter> port = PortQueue(_seg, Lock);
            if (!port.SequenceEqual(_model.Queue))                                                                 // O1
                return Mismatch(step, $"{what}/queue", $"the port's wait list is {Show(port)}, the model's {Show(_model.Queue)} (procs in order; x exclusive, s shared, w wait-until-free)");
            bool has = (state & LWLockConstants.LW_FLAG_HAS_WAITERS) != 0, ok = (state & LWLockConstants.LW_FLAG_RELEASE_OK) != 0;
            if (has != _model.HasWaiters)                                                                          // O2
                return Mismatch(step, $"{what}/has-waiters", $"HAS_WAITERS is {(has ? "set" : "clear")}, the model's {(_model.HasWaiters ? "set" : "clear")}, with wait list {Show(port)} (state 0x{state:x8})");
            if (ok != _model.ReleaseOk)
                return Mismatch(step, $"{what}/release-ok", $"RELEASE_OK is {(ok ? "set" : "clear")}, the model's {(_model.ReleaseOk ? "set" : "clear")} (state 0x{state:x8})");
            if ((state & LWLockConstants.LW_FLAG_LOCKED) != 0)
                return Mismatch(step, $"{what}/locked", $"the wait-list lock is still taken after the op (state 0x{state:x8})");
            bool excl = (state & LWLockConstants.LW_VAL_EXCLUSIVE) != 0;
            uint shared = state & LWLockConstants.LW_SHARED_MASK;
            if (excl != _model.ExclusiveHeld || shared != (uint)_model.SharedHolders)                           // O3
                return Mismatch(step, $"{what}/holders", $"the state word says exclusive={(excl ? 1 : 0)} shared={shared}, the model exclusive={(_model.ExclusiveHeld ? 1 : 0)} shared={_model.SharedHolders}");
            for (int p = 0; p < Procs; p++)                                                                         // O4
            {
                bool queued = _model.IsQueued(p), pending = _role[p] == Role.Waits && !queued;
                var ws = (LWLockWaitState)_seg.InitMemory.ReadU32(_seg.ProcAddr(p) + PgProcLayout.OFF_lwWaiting);
                uint sem = _seg.InitMemory.ReadU32(_seg.SemAddr(p));
                LWLockWaitState wantWs = queued ? LWLockWaitState.LW_WS_WAITING : LWLockWaitState.LW_WS_NOT_WAITING;
                uint wantSem = pending ? 1u : 0u;
                if (ws != wantWs || sem != wantSem)
                    return Mismatch(step, $"{what}/woken", $"backend {p} has lwWaiting={ws} and semaphore {sem}; the model has it {(queued ? "queued" : pending ? "woken, not yet returned" : "not waiting")}"
                                                          + (woken.Count > 0 || what is "release" or "update" ? $" (the model's op woke {Show(woken)})" : ""));
            }
            List<string> errors = LWLockCheck.CheckStep(_seg);                                                      // O5
            if (errors.Count == 0) return Outcome.Ok;
            foreach (string e in errors) _trace?.WriteLine($"  {e}");
            return new Outcome(OutcomeKind.InvariantFailed, step, $"check/{errors[0].Split(':')[0]}", errors[0] + (errors.Count > 1 ? $" (+{errors.Count - 1} more)" : ""));
        }
    }
}
