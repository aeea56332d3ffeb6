// PageRegisterHistory: the page reads and writes a buffer scenario's backends issue in one
// iteration, as a history for the linearizability checker against PageRegisterModel. Times are a
// logical clock the scenario code ticks: the explorer runs one backend at a time and a backend's
// managed code between two scheduling points runs in one step, so the order of the ticks is the
// order of the explorer's steps (as in the locks system's linearizable-counter). An operation is
// invoked (Invoke) before the first call that leads to the access (ReadBuffer, LockBuffer) and
// responds when it is recorded, after the access (and, for a write, after the calls that finish
// it): the interval holds the access itself, which is the linearization point of a correct pool.
// An operation that ends in an ERROR before its access is simply never recorded.
using Harness.Explore.Linearizability;

namespace Harness.Systems.Buffers.Oracle;

public sealed class PageRegisterHistory
{
    private readonly List<HistoryOp> _ops = new();
    private long _clock;

    public IReadOnlyList<HistoryOp> Ops => _ops;

    /// <summary>Where each recorded access is also told, as a line in the backend's lane, while a
    /// schedule is replayed for the lanes view (null while exploring: nothing is formatted).</summary>
    public Action<int, string>? Notes { get; set; }

    public void Clear()
    {
        _ops.Clear();
        _clock = 0;
    }

    /// <summary>The invocation time of an operation about to start.</summary>
    public long Invoke() => ++_clock;

    /// <summary>Backend <paramref name="backend"/> read <paramref name="value"/> from page <paramref name="key"/>; responds now.</summary>
    public void Read(int backend, int key, long invoke, ulong value)
    {
        _ops.Add(new HistoryOp(backend, key, PageRegisterModel.Read, 0, (long)value, invoke, ++_clock));
        Notes?.Invoke(backend, $"reads block {key} = {value}");
    }

    /// <summary>Backend <paramref name="backend"/> wrote <paramref name="value"/> to page <paramref name="key"/>; responds now.</summary>
    public void Write(int backend, int key, long invoke, ulong value)
    {
        _ops.Add(new HistoryOp(backend, key, PageRegisterModel.Write, (long)value, 0, invoke, ++_clock));
        Notes?.Invoke(backend, $"wrote block {key} = {value} (released)");
    }

    /// <summary>Backend <paramref name="backend"/> dropped page <paramref name="key"/> (its relation's buffers); responds now.</summary>
    public void Drop(int backend, int key, long invoke)
    {
        _ops.Add(new HistoryOp(backend, key, PageRegisterModel.Drop, 0, 0, invoke, ++_clock));
        Notes?.Invoke(backend, $"dropped block {key}");
    }

    public LinearizabilityResult Check(PageRegisterModel model, long maxStates = LinearizabilityChecker.DefaultMaxStates) =>
        LinearizabilityChecker.Check(_ops, model, maxStates);
}
