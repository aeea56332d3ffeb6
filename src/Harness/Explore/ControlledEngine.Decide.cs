// ControlledEngine, the decision: scheduling points, the enabled set, the strategy call, the trace,
// replay validation, the step bound, liveness temperature, and deadlock detection the moment
// nothing can run.
using System.Runtime.CompilerServices;
using Allocator.Sync;
using Harness.Core;

namespace Harness.Explore;

public sealed partial class ControlledEngine
{
    /// <summary>A scheduling point of backend <paramref name="me"/>, before its operation. Returns when
    /// the backend has been chosen to run and the operation may happen.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Point(int me, SyncOpKind kind, ulong obj, BlockKind block = BlockKind.None, uint blockValue = 0, bool yielding = false)
    {
        if (_aborting) throw ExplorationAbortedException.Instance;
        ref PendingOp p = ref _pending[me];
        p.Kind = kind;
        p.Addr = obj;
        p.Obj = _ids.Of(_runtimes[me].Memory, obj);
        p.Block = block;
        p.BlockValue = blockValue;
        p.Yielding = yielding;
        int next = Decide(me, finished: false);
        if (next == me) return;
        SwitchAway(me, next);
    }

    private void SwitchAway(int me, int next)
    {
        if (next < 0) throw ExplorationAbortedException.Instance;
        _workers[next].Gate.Open();
        _workers[me].Gate.Wait();
        if (_aborting) throw ExplorationAbortedException.Instance;
    }

    private bool IsEnabled(int i)
    {
        ref PendingOp p = ref _pending[i];
        return p.Block switch
        {
            BlockKind.None => true,
            BlockKind.WordChanged => _runtimes[i].Memory.ReadU32(p.Addr) != p.BlockValue,
            _ => _runtimes[i].Memory.ReadU32(p.Addr) > 0,
        };
    }

    /// <summary>Who runs next: a backend index, or -1 when the iteration is over (all exited, or aborting).</summary>
    private int Decide(int me, bool finished)
    {
        if (_startup)
        {
            if (_startNext < _n) return _startNext++;
            _startup = false;
        }
        if (_aborting) return -1;
        // Every backend is parked before its next operation: the state between two steps. (Not at
        // an exit, whose caller does not expect an exception.)
        if (!finished) _stepCheck?.Invoke();
        int step = Trace.Steps;
        ulong enabled = 0;
        bool anyRunning = false;
        for (int i = 0; i < _n; i++)
        {
            if (_status[i] != StatusRunning) continue;
            anyRunning = true;
            if (IsEnabled(i)) enabled |= 1UL << i;
        }
        if (!anyRunning) return -1;
        if (step >= Options.MaxSteps)
        {
            if (Options.StepBoundPolicy == StepBoundPolicy.Fail)
                Fail(new ExplorationFailure(OutcomeKind.Timeout, "max-steps",
                    $"no end after {step} steps (--max-steps {Options.MaxSteps}); usual causes: a livelock, or an unfair schedule of a spin or retry loop", -1, step));
            else
            {
                _bounded = true;
                _aborting = true;
            }
            return -1;
        }
        if (enabled == 0)
        {
            Fail(DeadlockAnalyzer.Analyze(this, step));
            return -1;
        }
        int next;
        if ((enabled & (enabled - 1)) == 0)
        {
            next = System.Numerics.BitOperations.TrailingZeroCount(enabled);
        }
        else
        {
            int d = Trace.Decisions;
            bool yielding = _lastRunner >= 0 && _pending[_lastRunner].Yielding;
            next = _strategy.Choose(enabled, _lastRunner, yielding, d);
            if (!EnabledSet.Contains(enabled, next))
            {
                Fail(new ExplorationFailure(OutcomeKind.Crash, "replay-divergence/decision",
                    $"decision #{d} at step {step} chose backend {next}, but only {EnabledSet.Format(enabled)} can run", next, step));
                return -1;
            }
            Trace.RecordDecision(next, step, _lastRunner, enabled);
        }
        ref PendingOp p = ref _pending[next];
        if (_expected is not null && !Validate(step, next, p.Kind, p.Obj)) return -1;
        Trace.RecordStep(next, p.Kind, p.Obj);
        if (Lanes is not null) RecordLaneStep(step, next, p.Kind, p.Obj);
        _lastRunner = next;
        if (_hotCount > 0 && Options.Liveness) CheckLiveness(step);
        return next;
    }

    /// <summary>The lanes view's row for a step; a decision that preempted a runnable backend says so.</summary>
    private void RecordLaneStep(int step, int backend, SyncOpKind kind, ulong obj)
    {
        int d = Trace.Decisions - 1;
        string preempts = d >= 0 && Trace.DecisionStep(d) == step && Trace.IsPreemption(d) ? $" (preempts {Trace.DecisionPrevious(d)})" : "";
        Lanes!.RecordStep(step, backend, $"{SyncOps.NameOf(kind)} {NameOf(obj)}{preempts}", HoldingOf?.Invoke(backend));
    }

    private bool Validate(int step, int backend, SyncOpKind kind, ulong obj)
    {
        ScheduleTrace e = _expected!;
        if (step >= e.Steps)
        {
            Fail(new ExplorationFailure(OutcomeKind.Crash, "replay-divergence/long",
                $"step {step}: the recorded schedule ended at step {e.Steps}, but backend {backend} continues with {SyncOps.NameOf(kind)} {NameOf(obj)}", backend, step));
            return false;
        }
        if (e.StepBackend(step) != backend || e.StepKind(step) != kind || e.StepObj(step) != obj)
        {
            Fail(new ExplorationFailure(OutcomeKind.Crash, "replay-divergence/step",
                $"step {step}: recorded backend {e.StepBackend(step)} {SyncOps.NameOf(e.StepKind(step))} {NameOf(e.StepObj(step))}, " +
                $"replay has backend {backend} {SyncOps.NameOf(kind)} {NameOf(obj)}", backend, step));
            return false;
        }
        return true;
    }

    private void CheckLiveness(int step)
    {
        for (int i = 0; i < _n; i++)
        {
            long since = _hotSince[i];
            if (since >= 0 && step - since > Options.LivenessThreshold)
            {
                Fail(new ExplorationFailure(OutcomeKind.Livelock, "hot-wait",
                    $"backend {i} has waited for {_waitWhat[i]} for {step - since} steps (threshold {Options.LivenessThreshold}) under a fair schedule ('{_strategy.Name}'): starvation or a lost wakeup", i, step));
                return;
            }
        }
    }

    // ---- hooks from ControlledSyncRuntime

    internal void WaitStart(int me, ulong obj, string what)
    {
        _waitObj[me] = ObjectId(me, obj);
        _waitWhat[me] = what;
        if (_hotSince[me] < 0)
        {
            _hotSince[me] = Trace.Steps;
            _hotCount++;
        }
    }

    internal void WaitEnd(int me)
    {
        _waitWhat[me] = null;
        if (_hotSince[me] >= 0)
        {
            _hotSince[me] = -1;
            _hotCount--;
        }
    }

    internal void SpinAcquired(int me, ulong obj) => _spinHolder[ObjectId(me, obj)] = me;

    internal void SpinReleased(int me, ulong obj) => _spinHolder.Remove(ObjectId(me, obj));

    /// <summary>The canonical id (ObjectIds) of backend <paramref name="me"/>'s address <paramref name="addr"/>.</summary>
    public ulong ObjectId(int me, ulong addr) => _ids.Of(_runtimes[me].Memory, addr);

    // ---- read access for DeadlockAnalyzer

    public int BackendCount => _n;
    public bool IsRunning(int i) => _status[i] == StatusRunning;
    public bool IsFinished(int i) => _status[i] == StatusFinished;
    internal PendingOp PendingOf(int i) => _pending[i];
    public SyncOpKind PendingKind(int i) => _pending[i].Kind;
    public ulong PendingObj(int i) => _pending[i].Obj;
    public string? WaitWhat(int i) => _waitWhat[i];
    public ulong WaitObj(int i) => _waitObj[i];
    public int SpinHolder(ulong obj) => _spinHolder.TryGetValue(obj, out int h) ? h : -1;
    public uint PendingWord(int i) => _runtimes[i].Memory.ReadU32(_pending[i].Addr);
    public IEnumerable<(ulong Obj, string Mode)> HeldBy(int i) => _heldBy is null ? [] : _heldBy(i).Select(x => (ObjectId(i, x.Obj), x.Mode));
}
