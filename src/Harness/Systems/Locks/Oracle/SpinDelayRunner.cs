// SpinDelayRunner: the spin-delay faithfulness oracle. Runs a SpinWaitOp list through the port's
// spinlock code (SLock.S_LOCK / s_lock / perform_spin_delay / finish_spin_delay, SyncBackend's
// start and exit: s_lock.c and proc.c) on one backend of a one-spinlock SyncSegment, with the
// holder played by ScriptedSpinRuntime, and compares what the port did with SpinDelayModel.
// After every op:
//   O1  the sleeps are the model's, one by one: the same length (MIN_DELAY_USEC first, growth by the
//       draw, the wrap to the minimum past MAX_DELAY_USEC) after the same failed spin;
//   O2  the port took exactly one draw per sleep;
//   O3  S_LOCK returned the number of sleeps (0 for a lock taken at the first TAS);
//   O4  the PANIC "stuck spinlock detected" came exactly when the model's did (after NUM_DELAYS
//       sleeps, at failed spin (NUM_DELAYS + 1) x spins_per_delay), and never otherwise;
//   O5  the backend's spins_per_delay and the shared one equal the model's (finish_spin_delay,
//       set/update_spins_per_delay, and the cluster restart after a PANIC);
//   O6  with checking on, SpinDelayCheck (SD1-SD3) holds; s_lock asserts SD4 on every turn itself.
// Assert failures and other exceptions of the port end the run with their own outcome kinds.
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using Harness.Core;
using Models.Locks;

namespace Harness.Systems.Locks.Oracle;

public sealed class SpinDelayRunner : IReachReporter
{
    private readonly bool _checking;

    public SpinDelayRunner(bool checking)
    {
        _checking = checking;
        Reach = new ReachHits(LocksReach.SpinDelayGoals);
    }

    /// <summary>The goals (LocksReach.SpinDelayGoals) the current run hit.</summary>
    public ReachHits Reach { get; }

    public Outcome Run(IReadOnlyList<SpinWaitOp> ops, TextWriter? trace = null) =>
        new Execution(_checking, trace, Reach).Run(ops);

    /// <summary>The first difference between the port's sleeps and the model's (O1), or null.</summary>
    public static string? CompareSleeps(IReadOnlyList<SpinSleep> port, IReadOnlyList<SpinSleep> model)
    {
        for (int k = 0; k < Math.Min(port.Count, model.Count); k++)
            if (port[k] != model[k])
                return $"sleep {k + 1}: the port slept {port[k].Usec} us after failed spin {port[k].AfterSpin}, the model {model[k].Usec} us after failed spin {model[k].AfterSpin}"
                       + (k > 0 ? $" (previous sleep {model[k - 1].Usec} us)" : "");
        if (port.Count != model.Count)
            return $"the port slept {port.Count} times, the model {model.Count}"
                   + (port.Count > model.Count ? $"; first extra sleep {port[model.Count].Usec} us after failed spin {port[model.Count].AfterSpin}"
                                               : $"; first missing sleep {model[port.Count].Usec} us after failed spin {model[port.Count].AfterSpin}");
        return null;
    }

    private sealed class Execution
    {
        private const string StuckMessage = "stuck spinlock detected at ";

        private readonly bool _checking;
        private readonly TextWriter? _trace;
        private readonly ReachHits _reach;
        private readonly SyncSegment _seg = new(numProcs: 1, numLWLocks: 0, numSpinLocks: 1);
        private readonly ScriptedSpinRuntime _rt;
        private readonly SpinDelayModel _model = new();
        private SyncBackend _b;

        public Execution(bool checking, TextWriter? trace, ReachHits reach)
        {
            _checking = checking;
            _trace = trace;
            _reach = reach;
            var memory = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
            _seg.MapInto(memory);
            _rt = new ScriptedSpinRuntime(memory);
            _b = StartBackend();
        }

        private ulong Lock => _seg.SpinLockAddr(0);

        private SyncBackend StartBackend()
        {
            var b = new SyncBackend(_rt, _seg, 0);
            b.Start();
            return b;
        }

        public Outcome Run(IReadOnlyList<SpinWaitOp> ops)
        {
            Outcome o = CompareState(-1, "start");
            for (int i = 0; i < ops.Count && !o.IsFailure; i++) o = Step(i, ops[i]);
            if (!o.IsFailure) _trace?.WriteLine($"ok: spins_per_delay {_b.spins_per_delay}, shared {SharedSpinsPerDelay}");
            return o;
        }

        private int SharedSpinsPerDelay => (int)_seg.InitMemory.ReadU32(_seg.SharedSpinsPerDelayAddr);

        private Outcome Step(int step, SpinWaitOp op)
        {
            switch (op.Kind)
            {
                case SpinWaitKind.Restart:
                    _b.Exit();
                    _b = StartBackend();
                    _model.BackendRestart();
                    _trace?.WriteLine($"{step}: restart: shared spins_per_delay {SharedSpinsPerDelay}, backend {_b.spins_per_delay}");
                    return CompareState(step, "restart");
                case SpinWaitKind.Free:
                    return Wait(step, op, null);
                case SpinWaitKind.Wait:
                    return Wait(step, op, op.FailedSpins(_model.SpinsPerDelay));
                default:
                    return Wait(step, op, SpinDelayModel.Forever);
            }
        }

        /// <param name="failedSpins">How long the holder keeps the lock (null: nobody holds it).</param>
        private Outcome Wait(int step, SpinWaitOp op, long? failedSpins)
        {
            int spinsPerDelayBefore = _model.SpinsPerDelay;
            _rt.Script(Lock, failedSpins, SpinDraws.For(op.Draws, op.Seed));
            int delays = -1;
            PgFatalException? panic = null;
            try
            {
                delays = SLock.S_LOCK(_b, Lock, "spin-delay-oracle", step, "SpinWaitOp");
                SLock.S_UNLOCK(_b, Lock);
            }
            catch (PgFatalException e) when (e.Level == FatalLevel.Panic && e.Message.StartsWith(StuckMessage, StringComparison.Ordinal))
            {
                panic = e;
            }
            catch (PgFatalException e)
            {
                return new Outcome(OutcomeKind.Crash, step, "wait/fatal", e.ToString());
            }
            catch (AssertionFailureException e)
            {
                return new Outcome(OutcomeKind.InvariantFailed, step, "wait/assert", e.Message);
            }
            catch (SpinBudgetExceededException e)
            {
                return new Outcome(OutcomeKind.Livelock, step, "wait/no-panic", e.Message);
            }
            catch (SimFaultException e)
            {
                return new Outcome(OutcomeKind.Fault, step, "wait/fault", e.Message);
            }
            long pauses = _rt.Pauses;

            SpinWaitPrediction expect = failedSpins is null
                ? new SpinWaitPrediction([], null, _model.SpinsPerDelay)     // M4: no s_lock, nothing changes
                : _model.Wait(failedSpins.Value, SpinDraws.For(op.Draws, op.Seed));
            _trace?.WriteLine($"{step}: {SpinWaitOpText.Instance.Format(op)}: {(failedSpins is long n ? $"{(n == SpinDelayModel.Forever ? "never released" : $"{n} failed spins")}" : "free")} at spins_per_delay {spinsPerDelayBefore}; "
                              + $"port: {Describe(_rt.Sleeps)}{(panic is null ? $", S_LOCK returned {delays}" : $", PANIC after failed spin {pauses}")}");

            if (CompareSleeps(_rt.Sleeps, expect.Sleeps) is { } diff)                                           // O1
                return new Outcome(OutcomeKind.ModelMismatch, step, "wait/sleeps", diff);
            if (_rt.DrawsTaken != _rt.Sleeps.Count)                                                             // O2
                return new Outcome(OutcomeKind.ModelMismatch, step, "wait/draws", $"the port took {_rt.DrawsTaken} draws for {_rt.Sleeps.Count} sleeps");
            if (expect.StuckAfterSpin is long stuckAt)                                                          // O4
            {
                if (panic is null)
                    return new Outcome(OutcomeKind.ModelMismatch, step, "wait/no-panic", $"S_LOCK returned {delays} after {pauses} failed spins; the model PANICs after failed spin {stuckAt}");
                if (pauses != stuckAt)
                    return new Outcome(OutcomeKind.ModelMismatch, step, "wait/panic-spin", $"the stuck-spinlock PANIC came after failed spin {pauses}, the model's after {stuckAt}");
                _reach.Hit(LocksReach.SpinStuck);
                // M3: the postmaster restarts the cluster; a new backend starts from the fresh estimate.
                _seg.Reset();
                _b = StartBackend();
            }
            else
            {
                if (panic is not null)
                    return new Outcome(OutcomeKind.ModelMismatch, step, "wait/panic", $"{panic} after {_rt.Sleeps.Count} sleeps and {pauses} failed spins; the model got the lock after {expect.Delays} sleeps");
                if (delays != expect.Delays)                                                                    // O3
                    return new Outcome(OutcomeKind.ModelMismatch, step, "wait/delays", $"S_LOCK returned {delays}, the model slept {expect.Delays} times");
                if (_seg.InitMemory.ReadU32(Lock) != 0)
                    return new Outcome(OutcomeKind.InvariantFailed, step, "wait/unlock", "the spinlock is still taken after S_UNLOCK");
            }
            if (expect.Delays > 0) _reach.Hit(LocksReach.SpinDelayed);
            for (int k = 1; k < expect.Sleeps.Count; k++)
                if (expect.Sleeps[k].Usec < expect.Sleeps[k - 1].Usec)
                {
                    _reach.Hit(LocksReach.SpinDelayWrapped);
                    break;
                }
            return CompareState(step, "wait");
        }

        /// <summary>O5 and O6.</summary>
        private Outcome CompareState(int step, string what)
        {
            if (_b.spins_per_delay != _model.SpinsPerDelay)
                return new Outcome(OutcomeKind.ModelMismatch, step, $"{what}/spins-per-delay", $"the backend's spins_per_delay is {_b.spins_per_delay}, the model's {_model.SpinsPerDelay}");
            if (SharedSpinsPerDelay != _model.SharedSpinsPerDelay)
                return new Outcome(OutcomeKind.ModelMismatch, step, $"{what}/shared-spins-per-delay", $"the shared spins_per_delay is {SharedSpinsPerDelay}, the model's {_model.SharedSpinsPerDelay}");
            if (!_checking) return Outcome.Ok;
            List<string> errors = SpinDelayCheck.Check(_seg, [_b]);
            if (errors.Count == 0) return Outcome.Ok;
            foreach (string e in errors) _trace?.WriteLine($"  {e}");
            return new Outcome(OutcomeKind.InvariantFailed, step, $"check/{errors[0].Split(':')[0]}", errors[0] + (errors.Count > 1 ? $" (+{errors.Count - 1} more)" : ""));
        }

        /// <summary>"3 sleeps (1000, 1523, 2011 us)", the middle of a long list elided.</summary>
        private static string Describe(IReadOnlyList<SpinSleep> sleeps)
        {
            if (sleeps.Count == 0) return "no sleep";
            IEnumerable<string> us = sleeps.Count <= 8
                ? sleeps.Select(s => s.Usec.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : sleeps.Take(5).Select(s => s.Usec.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Append("...").Append(sleeps[^1].Usec.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return $"{sleeps.Count} sleep(s) ({string.Join(", ", us)} us)";
        }
    }
}
