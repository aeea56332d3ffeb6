// LaneLog: what a replayed schedule did, per backend, for the lanes view (LaneFormatter): every
// step (the operation and its object), what the backend held just before it (locks, spinlocks,
// pins and the pinned pages' values, as the scenario describes them through
// ScenarioInstance.Holding), the scenario's own notes, and each backend's exit. Recorded only while
// replaying for a report, never while exploring: the explorer's hot loop does not pay for it.
//
// Holdings are stored only when they change, so a long stretch of spinning on one word is one
// line per step and no repeated "holds" lines.
namespace Harness.Explore.Lanes;

public enum LaneEventKind
{
    /// <summary>A scheduling point: the backend performs Text (operation and object) at Step.</summary>
    Step,
    /// <summary>A note from the scenario (what a backend did at its level: "reads block 1 = 2000").</summary>
    Note,
    /// <summary>The backend's body returned.</summary>
    Exit,
}

/// <summary>One row source. Holds is the backend's holdings when they differ from the last ones
/// shown for it (null: unchanged); Step is the step number (-1 for notes and exits, which happen
/// between steps).</summary>
public readonly record struct LaneEvent(LaneEventKind Kind, int Backend, int Step, string Text, string? Holds);

public sealed class LaneLog
{
    private readonly List<LaneEvent> _events = [];
    private readonly string?[] _lastHolds;

    public LaneLog(int backends)
    {
        if (backends < 1) throw new ArgumentOutOfRangeException(nameof(backends));
        Backends = backends;
        _lastHolds = new string?[backends];
        Array.Fill(_lastHolds, "");
    }

    public int Backends { get; }

    public IReadOnlyList<LaneEvent> Events => _events;

    public void RecordStep(int step, int backend, string text, string? holds) =>
        _events.Add(new LaneEvent(LaneEventKind.Step, backend, step, text, Changed(backend, holds)));

    public void Note(int backend, string text) => _events.Add(new LaneEvent(LaneEventKind.Note, backend, -1, text, null));

    public void RecordExit(int backend, string? holds) =>
        _events.Add(new LaneEvent(LaneEventKind.Exit, backend, -1, "exits", Changed(backend, holds)));

    private string? Changed(int backend, string? holds)
    {
        if ((uint)backend >= (uint)Backends) throw new ArgumentOutOfRangeException(nameof(backend));
        holds ??= "";
        if (holds == _lastHolds[backend]) return null;
        _lastHolds[backend] = holds;
        return holds.Length == 0 ? "nothing" : holds;
    }
}
