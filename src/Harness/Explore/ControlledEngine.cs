// ControlledEngine: the controlled runtime. Simulated backends run on dedicated threads, reused
// across iterations, and exactly one runs at a time. Every sync-seam call is a scheduling point
// placed before its operation: the running backend records what it is about to do, and the
// decision is made inline on its own thread (no scheduler thread): compute the enabled set, ask the
// strategy (only if there is a choice), record the step; if someone else was chosen, open that
// backend's gate and sleep on our own. Staying on the current backend therefore costs no switch.
//
// Iteration lifecycle:
//   1. startup: backends are started in index order, each running to its first scheduling point
//      (code before it touches nothing shared), so the first real decision sees every backend;
//   2. running: decisions until every backend has exited;
//   3. early end: a failure (an exception escaping a backend, a deadlock, a liveness violation,
//      the step bound) sets the abort flag; every parked backend is woken in turn and throws
//      ExplorationAbortedException from its scheduling point, so stacks unwind and threads return.
// The decision logic is in ControlledEngine.Decide.cs; the per-backend seam is ControlledSyncRuntime.
using Allocator.Sync;
using Harness.Core;

namespace Harness.Explore;

public sealed partial class ControlledEngine : IDisposable, IWaitGraph
{
    /// <summary>Largest number of backends per iteration (enabled sets are 64-bit masks; 16 is plenty).</summary>
    public const int MaxBackends = 16;

    private readonly Worker[] _workers;
    private readonly ControlledSyncRuntime[] _runtimes;
    private readonly PendingOp[] _pending = new PendingOp[MaxBackends];
    private readonly byte[] _status = new byte[MaxBackends]; // StatusIdle/Running/Finished
    private readonly long[] _hotSince = new long[MaxBackends];
    private readonly string?[] _waitWhat = new string?[MaxBackends];
    private readonly ulong[] _waitObj = new ulong[MaxBackends];
    private readonly Dictionary<ulong, int> _spinHolder = new();
    private readonly Dictionary<ulong, string> _names = new();
    private readonly ObjectIds _ids = new();
    private readonly ManualResetEventSlim _done = new(false, 100);

    private const byte StatusIdle = 0, StatusRunning = 1, StatusFinished = 2;

    // ---- per-iteration state (touched only by the one running thread, or by the caller while all are parked)
    private int _n;
    private Action[] _bodies = [];
    private ISchedulingStrategy _strategy = null!;
    private ScheduleTrace? _expected;
    private bool _startup;
    private int _startNext;
    private int _lastRunner;
    private bool _aborting;
    private bool _bounded;
    private ExplorationFailure? _failure;
    private int _hotCount;
    private Func<int, IEnumerable<(ulong Obj, string Mode)>>? _heldBy;
    private Action? _stepCheck;

    public ScheduleTrace Trace { get; } = new();

    /// <summary>While set (a replay for the lanes view), every step and exit is logged here, with
    /// what <see cref="HoldingOf"/> says the backend holds just before it.</summary>
    public Lanes.LaneLog? Lanes { get; set; }

    /// <summary>The lanes view's description of backend i's holdings (null: none described).</summary>
    public Func<int, string?>? HoldingOf { get; set; }
    public ExploreOptions Options { get; private set; } = new();

    public ControlledEngine(int maxBackends = MaxBackends)
    {
        if (maxBackends < 1 || maxBackends > MaxBackends) throw new ArgumentOutOfRangeException(nameof(maxBackends));
        _workers = new Worker[maxBackends];
        _runtimes = new ControlledSyncRuntime[maxBackends];
        for (int i = 0; i < maxBackends; i++) _runtimes[i] = new ControlledSyncRuntime(this, i);
    }

    /// <summary>The seam of backend <paramref name="i"/>. Its Memory is replaced by <see cref="FreshMemories"/>.</summary>
    public ControlledSyncRuntime Runtime(int i) => _runtimes[i];

    public int Capacity => _runtimes.Length;

    /// <summary>Gives the first <paramref name="n"/> backends new, empty address spaces (a new scenario instance).</summary>
    public void FreshMemories(int n)
    {
        for (int i = 0; i < n; i++) _runtimes[i].ResetMemory();
        _names.Clear();
    }

    /// <summary>A readable name for an object id (from NameObject), or its address.</summary>
    public string NameOf(ulong obj) => _names.TryGetValue(obj, out string? s) ? s : $"0x{obj:x}";

    internal void SetName(ulong obj, string name) => _names[obj] = name;

    public IReadOnlyDictionary<ulong, string> Names => _names;

    /// <summary>Runs one iteration: <paramref name="bodies"/>[i] is backend i's code.</summary>
    /// <param name="heldBy">Diagnostics: the objects backend i holds (locks), for deadlock reports.</param>
    /// <param name="expected">When replaying, the validation stream every step must match.</param>
    /// <param name="stepCheck">The scenario's invariants that hold between any two steps: called at
    /// every scheduling point (every backend parked before its next operation) on the backend that
    /// reached it; a ScenarioCheckException it throws fails the iteration at that step.</param>
    public IterationResult RunIteration(Action[] bodies, ISchedulingStrategy strategy, ExploreOptions options,
        Func<int, IEnumerable<(ulong Obj, string Mode)>>? heldBy = null, ScheduleTrace? expected = null, Action? stepCheck = null)
    {
        int n = bodies.Length;
        if (n < 1 || n > _runtimes.Length) throw new ArgumentOutOfRangeException(nameof(bodies), $"1..{_runtimes.Length} backends");
        _n = n;
        _bodies = bodies;
        _strategy = strategy;
        Options = options;
        _expected = expected;
        _heldBy = heldBy;
        _stepCheck = stepCheck;
        _startup = true;
        _startNext = 1;
        _lastRunner = -1;
        _aborting = false;
        _bounded = false;
        _failure = null;
        _hotCount = 0;
        _spinHolder.Clear();
        Trace.Clear();
        for (int i = 0; i < n; i++)
        {
            _status[i] = StatusRunning;
            _pending[i] = default;
            _hotSince[i] = -1;
            _waitWhat[i] = null;
            _runtimes[i].ResetPrng();
            _workers[i] ??= new Worker(this, i, options.GateSpinCount);
        }
        _done.Reset();
        _workers[0].Gate.Open();
        if (!_done.Wait(TimeSpan.FromSeconds(options.WatchdogSeconds)))
            throw new InvalidOperationException(
                $"explorer watchdog: no backend reached a scheduling point or exited within {options.WatchdogSeconds} s " +
                $"(step {Trace.Steps}); a simulated backend is blocked on something outside the sync seam. This is a harness bug.");
        if (_failure is null && !_bounded && _expected is not null && Trace.Steps < _expected.Steps)
            _failure = new ExplorationFailure(OutcomeKind.Crash, "replay-divergence/short", $"the run ended after {Trace.Steps} steps but the recorded schedule has {_expected.Steps}", -1, Trace.Steps);
        var outcome = _failure is not null ? IterationOutcome.Failed : _bounded ? IterationOutcome.Bounded : IterationOutcome.Completed;
        return new IterationResult(outcome, _failure, Trace.Steps, Trace.Decisions, Trace.Hash);
    }

    // ------------------------------------------------------------------ worker threads

    private sealed class Worker
    {
        public readonly Gate Gate;
        private readonly ControlledEngine _engine;
        private readonly int _index;
        public bool Shutdown;

        public Worker(ControlledEngine engine, int index, int spinCount)
        {
            _engine = engine;
            _index = index;
            Gate = new Gate(spinCount);
            var t = new Thread(Loop, 1 << 20) { IsBackground = true, Name = $"explorer-backend-{index}" };
            t.Start();
        }

        private void Loop()
        {
            while (true)
            {
                Gate.Wait();
                if (Shutdown) return;
                _engine.RunBody(_index);
            }
        }
    }

    private void RunBody(int b)
    {
        try
        {
            if (!_aborting) _bodies[b]();
        }
        catch (ExplorationAbortedException)
        {
        }
        catch (Exception e)
        {
            Fail(ExplorationFailure.FromException(e, b, Trace.Steps));
        }
        OnFinished(b);
    }

    private void OnFinished(int b)
    {
        _status[b] = StatusFinished;
        Lanes?.RecordExit(b, HoldingOf?.Invoke(b));
        if (_hotSince[b] >= 0) { _hotSince[b] = -1; _hotCount--; }
        if (_lastRunner == b) _lastRunner = -1;
        int next = _aborting ? NextToUnwind() : Decide(b, finished: true);
        if (next < 0 && _aborting) next = NextToUnwind();
        if (next < 0) _done.Set();
        else _workers[next].Gate.Open();
    }

    /// <summary>While aborting: the next backend that still has to unwind (or start and skip its body).</summary>
    private int NextToUnwind()
    {
        if (_startup)
        {
            // Backends never started still sit at the top of their loops: start them so they skip their bodies.
            if (_startNext < _n) return _startNext++;
            _startup = false;
        }
        for (int i = 0; i < _n; i++) if (_status[i] == StatusRunning) return i;
        return -1;
    }

    internal void Fail(ExplorationFailure failure)
    {
        _failure ??= failure;
        _aborting = true;
    }

    public void Dispose()
    {
        foreach (Worker? w in _workers)
        {
            if (w is null) continue;
            w.Shutdown = true;
            w.Gate.Open();
        }
    }
}

public enum IterationOutcome : byte { Completed, Failed, Bounded }

/// <summary>The result of one iteration. The trace is in ControlledEngine.Trace until the next one.</summary>
public sealed record IterationResult(IterationOutcome Outcome, ExplorationFailure? Failure, int Steps, int Decisions, ulong TraceHash);
