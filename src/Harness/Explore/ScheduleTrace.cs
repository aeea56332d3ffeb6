// ScheduleTrace: the record of one explored schedule.
//   * the decision list: at every step where more than one backend could run, which one ran (the
//     authoritative record; forced steps are not stored), with the step it was taken at, the
//     backend that ran before it (to count preemptions) and the enabled set;
//   * the validation stream: for every step, the backend that ran and the kind and object of the
//     operation it performed. Replay compares it step by step and names the first divergence.
//   * a hash of the validation stream, for distinct-schedule counts and the determinism self-check.
// Buffers are reused across iterations; Snapshot() copies one out (for a failure).
using Allocator.Sync;

namespace Harness.Explore;

public sealed class ScheduleTrace
{
    private int[] _stepBackend = new int[256];
    private SyncOpKind[] _stepKind = new SyncOpKind[256];
    private ulong[] _stepObj = new ulong[256];
    private int[] _decision = new int[64];
    private int[] _decisionStep = new int[64];
    private int[] _decisionPrev = new int[64];
    private ulong[] _decisionEnabled = new ulong[64];

    public int Steps { get; private set; }
    public int Decisions { get; private set; }
    public ulong Hash { get; private set; } = HashSeed;

    private const ulong HashSeed = 0xCBF29CE484222325UL;

    public void Clear()
    {
        Steps = 0;
        Decisions = 0;
        Hash = HashSeed;
    }

    public void RecordStep(int backend, SyncOpKind kind, ulong obj)
    {
        int i = Steps;
        if (i == _stepBackend.Length)
        {
            Array.Resize(ref _stepBackend, i * 2);
            Array.Resize(ref _stepKind, i * 2);
            Array.Resize(ref _stepObj, i * 2);
        }
        _stepBackend[i] = backend;
        _stepKind[i] = kind;
        _stepObj[i] = obj;
        Steps = i + 1;
        ulong h = Hash;
        h = (h ^ (ulong)(uint)backend ^ ((ulong)kind << 8)) * 0x100000001B3UL;
        h = (h ^ obj) * 0x100000001B3UL;
        Hash = h;
    }

    public void RecordDecision(int chosen, int step, int previous, ulong enabled)
    {
        int i = Decisions;
        if (i == _decision.Length)
        {
            Array.Resize(ref _decision, i * 2);
            Array.Resize(ref _decisionStep, i * 2);
            Array.Resize(ref _decisionPrev, i * 2);
            Array.Resize(ref _decisionEnabled, i * 2);
        }
        _decision[i] = chosen;
        _decisionStep[i] = step;
        _decisionPrev[i] = previous;
        _decisionEnabled[i] = enabled;
        Decisions = i + 1;
    }

    public int StepBackend(int i) => _stepBackend[i];
    public SyncOpKind StepKind(int i) => _stepKind[i];
    public ulong StepObj(int i) => _stepObj[i];
    public int Decision(int i) => _decision[i];
    public int DecisionStep(int i) => _decisionStep[i];
    public int DecisionPrevious(int i) => _decisionPrev[i];
    public ulong DecisionEnabled(int i) => _decisionEnabled[i];

    /// <summary>True if decision i switched away from a backend that could have continued.</summary>
    public bool IsPreemption(int i)
    {
        int prev = _decisionPrev[i];
        return prev >= 0 && _decision[i] != prev && (_decisionEnabled[i] & (1UL << prev)) != 0;
    }

    public int Preemptions
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Decisions; i++) if (IsPreemption(i)) n++;
            return n;
        }
    }

    public int[] DecisionList() => _decision.AsSpan(0, Decisions).ToArray();

    /// <summary>A copy (buffers are reused by the next iteration).</summary>
    public ScheduleTrace Snapshot()
    {
        var t = new ScheduleTrace();
        for (int i = 0; i < Steps; i++) t.RecordStep(_stepBackend[i], _stepKind[i], _stepObj[i]);
        for (int i = 0; i < Decisions; i++) t.RecordDecision(_decision[i], _decisionStep[i], _decisionPrev[i], _decisionEnabled[i]);
        return t;
    }
}
