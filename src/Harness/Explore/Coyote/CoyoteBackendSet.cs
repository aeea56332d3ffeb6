// CoyoteBackendSet: the simulated backends of one scenario instance under Coyote, and everything the
// engine records about them in the current iteration. Each backend body runs as its own
// Coyote-controlled operation (Harness.Controlled.Backends.RunAll); each seam call of a backend
// comes here (through its CoyoteSyncRuntime) and becomes:
//   * a scheduling point: SchedulingPoint.Interleave (Yield for spin sleeps and yielding spins),
//     placed before the operation, as in our explorer;
//   * a recorded step (backend, operation, object) once the backend runs again, so the readable
//     trace and its hash are in the same terms as the explorer's;
//   * for a blocking operation (a semaphore at 0, a blocking spin on an unchanged word), a
//     controlled wait: Backends.BlockUntil, which Coyote sees as a paused operation whose condition
//     it re-evaluates at every scheduling point.
// Deadlocks are detected here before Coyote does, at the moment the last runnable backend blocks or
// exits, so that DeadlockAnalyzer gives the same diagnosis (cycle, leaked lock, lost wakeup) and the
// same outcome kind as under our explorer; Coyote's own deadlock report is the fallback. A failure
// is recorded with its full description and then handed to Coyote with Specification.Assert, which
// stops the iteration, keeps Coyote's schedule trace and unwinds the backends with
// ThreadInterruptedException (which nothing here may catch).
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;

namespace Harness.Explore.Coyote;

public sealed class CoyoteBackendSet : IWaitGraph
{
    private readonly CoyoteSyncRuntime[] _runtimes;
    private readonly Dictionary<ulong, string> _names = new();
    private readonly ObjectIds _ids = new();
    private readonly Dictionary<ulong, int> _spinHolder = new();
    private readonly byte[] _status;
    private readonly bool[] _blocked;
    private readonly SyncOpKind[] _pendingKind;
    private readonly ulong[] _pendingObj;
    private readonly bool[] _blockOnSem;
    private readonly uint[] _blockValue;
    private readonly string?[] _waitWhat;
    private readonly ulong[] _waitObj;
    private readonly Func<bool>[] _canRun;
    private Func<int, IEnumerable<(ulong Obj, string Mode)>>? _heldBy;
    private Action? _stepCheck;
    private int _n;

    private const byte StatusRunning = 1, StatusFinished = 2;

    public CoyoteBackendSet(int capacity)
    {
        _runtimes = new CoyoteSyncRuntime[capacity];
        _status = new byte[capacity];
        _blocked = new bool[capacity];
        _pendingKind = new SyncOpKind[capacity];
        _pendingObj = new ulong[capacity];
        _blockOnSem = new bool[capacity];
        _blockValue = new uint[capacity];
        _waitWhat = new string?[capacity];
        _waitObj = new ulong[capacity];
        _canRun = new Func<bool>[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _runtimes[i] = new CoyoteSyncRuntime(this, i);
            int me = i;
            _canRun[i] = () => ConditionHolds(me);
        }
    }

    public ScheduleTrace Trace { get; } = new();
    public ExploreOptions Options { get; private set; } = new();
    /// <summary>The first failure of the current iteration as our engine describes it, or null.</summary>
    public ExplorationFailure? Failure { get; private set; }
    /// <summary>True while the liveness monitor is registered in the current iteration.</summary>
    public bool MonitorsOn { get; private set; }

    public CoyoteSyncRuntime Runtime(int i) => _runtimes[i];

    public int Capacity => _runtimes.Length;

    /// <summary>Gives the first <paramref name="n"/> backends new address spaces (a new scenario instance).</summary>
    public void FreshMemories(int n)
    {
        for (int i = 0; i < n; i++) _runtimes[i].ResetMemory();
        _names.Clear();
    }

    internal void SetName(ulong obj, string name) => _names[obj] = name;

    public string NameOf(ulong obj) => _names.TryGetValue(obj, out string? s) ? s : $"0x{obj:x}";

    /// <summary>Starts an iteration with <paramref name="n"/> backends (called by the test's root operation).</summary>
    /// <param name="stepCheck">The scenario's between-steps invariants (ScenarioInstance.CheckStep),
    /// run at every scheduling point once the backend there is scheduled, all others paused.</param>
    public void BeginIteration(int n, ExploreOptions options, Func<int, IEnumerable<(ulong Obj, string Mode)>>? heldBy, bool monitors, Action? stepCheck = null)
    {
        _n = n;
        Options = options;
        _heldBy = heldBy;
        _stepCheck = stepCheck;
        Failure = null;
        MonitorsOn = monitors;
        Trace.Clear();
        _spinHolder.Clear();
        for (int i = 0; i < n; i++)
        {
            _status[i] = StatusRunning;
            _blocked[i] = false;
            _waitWhat[i] = null;
            _runtimes[i].ResetPrng();
        }
    }

    /// <summary>Backend <paramref name="b"/>'s whole life, as one controlled operation.</summary>
    public void RunBackend(int b, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e) when (e is not ThreadInterruptedException)
        {
            Fail(ExplorationFailure.FromException(e, b, Trace.Steps));
        }
        _status[b] = StatusFinished;
        if (_waitWhat[b] is not null) WaitEnd(b);
        // The last runnable backend exiting while others are blocked leaves nothing that can wake them.
        if (AnyRunning() && !AnyCanRun()) Fail(DeadlockAnalyzer.Analyze(this, Trace.Steps));
    }

    /// <summary>Records a failure found by our checks and stops the iteration through Coyote.</summary>
    public void Fail(ExplorationFailure failure)
    {
        Failure ??= failure;
        Specification.Assert(false, "{0}", $"{failure.Signature}: {ExplorationFailure.FirstLine(failure.Message)}");
    }

    // ---- scheduling points, from CoyoteSyncRuntime

    internal void Point(int me, SyncOpKind kind, ulong obj)
    {
        SchedulingPoint.Interleave();
        Step(me, kind, obj);
    }

    internal void YieldPoint(int me, SyncOpKind kind, ulong obj)
    {
        SchedulingPoint.Yield();
        Step(me, kind, obj);
    }

    /// <summary>A point that may block: until the word at <paramref name="obj"/> differs from
    /// <paramref name="value"/> (blocking spin), or until the semaphore count is positive.</summary>
    internal void BlockingPoint(int me, SyncOpKind kind, ulong obj, bool semaphore, uint value)
    {
        SchedulingPoint.Interleave();
        _pendingKind[me] = kind;
        _pendingObj[me] = obj;
        _blockOnSem[me] = semaphore;
        _blockValue[me] = value;
        _blocked[me] = true;
        if (!ConditionHolds(me))
        {
            if (!AnyCanRun()) Fail(DeadlockAnalyzer.Analyze(this, Trace.Steps));
            Harness.Controlled.Backends.BlockUntil(_canRun[me]);
        }
        _blocked[me] = false;
        Step(me, kind, obj);
    }

    private void Step(int me, SyncOpKind kind, ulong addr)
    {
        _stepCheck?.Invoke();
        ulong obj = ObjectId(me, addr);
        if (Trace.Steps >= Options.MaxSteps && Options.StepBoundPolicy == StepBoundPolicy.Fail)
            Fail(new ExplorationFailure(OutcomeKind.Timeout, "max-steps",
                $"no end after {Trace.Steps} steps (--max-steps {Options.MaxSteps}); usual causes: a livelock, or an unfair schedule of a spin or retry loop", -1, Trace.Steps));
        Trace.RecordStep(me, kind, obj);
    }

    private bool ConditionHolds(int b)
    {
        uint w = _runtimes[b].Memory.ReadU32(_pendingObj[b]);
        return _blockOnSem[b] ? w > 0 : w != _blockValue[b];
    }

    private bool CanRun(int b) => _status[b] == StatusRunning && (!_blocked[b] || ConditionHolds(b));

    private bool AnyCanRun()
    {
        for (int i = 0; i < _n; i++) if (CanRun(i)) return true;
        return false;
    }

    private bool AnyRunning()
    {
        for (int i = 0; i < _n; i++) if (_status[i] == StatusRunning) return true;
        return false;
    }

    // ---- waits (liveness) and spinlock holders, from CoyoteSyncRuntime

    internal void WaitStart(int me, ulong obj, string what)
    {
        bool was = _waitWhat[me] is not null;
        _waitObj[me] = ObjectId(me, obj);
        _waitWhat[me] = what;
        if (!was && MonitorsOn) Specification.Monitor<WaitLivenessMonitor>(new WaitLivenessMonitor.WaitStarted(me));
    }

    internal void WaitEnd(int me)
    {
        if (_waitWhat[me] is null) return;
        _waitWhat[me] = null;
        if (MonitorsOn) Specification.Monitor<WaitLivenessMonitor>(new WaitLivenessMonitor.WaitEnded(me));
    }

    internal void SpinAcquired(int me, ulong obj) => _spinHolder[ObjectId(me, obj)] = me;

    internal void SpinReleased(int me, ulong obj) => _spinHolder.Remove(ObjectId(me, obj));

    /// <summary>The canonical id (ObjectIds) of backend <paramref name="me"/>'s address <paramref name="addr"/>.</summary>
    public ulong ObjectId(int me, ulong addr) => _ids.Of(_runtimes[me].Memory, addr);

    /// <summary>The longest-waiting backend's wait, for a liveness report ("backend 2 waits for lockA exclusive").</summary>
    public string DescribeWaiters()
    {
        var parts = new List<string>();
        for (int i = 0; i < _n; i++)
            if (_waitWhat[i] is string w) parts.Add($"backend {i} waits for {w}");
        return parts.Count == 0 ? "no backend reports a wait" : string.Join("; ", parts);
    }

    // ---- IWaitGraph

    public int BackendCount => _n;
    public bool IsRunning(int b) => _status[b] == StatusRunning;
    public bool IsFinished(int b) => _status[b] == StatusFinished;
    public SyncOpKind PendingKind(int b) => _pendingKind[b];
    public ulong PendingObj(int b) => ObjectId(b, _pendingObj[b]);
    public string? WaitWhat(int b) => _waitWhat[b];
    public ulong WaitObj(int b) => _waitObj[b];
    public int SpinHolder(ulong obj) => _spinHolder.TryGetValue(obj, out int h) ? h : -1;
    public uint PendingWord(int b) => _runtimes[b].Memory.ReadU32(_pendingObj[b]);
    public IEnumerable<(ulong Obj, string Mode)> HeldBy(int b) => _heldBy is null ? [] : _heldBy(b).Select(x => (ObjectId(b, x.Obj), x.Mode));
}
