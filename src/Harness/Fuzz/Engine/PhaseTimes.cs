// PhaseTimes: where a fuzzing run's wall time goes, per phase of a batch, summed over the run's
// main loop (the mutated executions; seeds, imports and warm-up are left out). Main thread:
// Generate (candidates built before the batch is handed out: the serial part), Batch (the whole
// RunOnAll, from handing out the batch to the last worker done) and Apply (findings, commits,
// corpus saves queued, status lines: serial again). Per worker: Busy, the time it spent executing
// its candidates inside the batch; Batch minus a worker's Busy is its wait at the barrier (its
// idle share, or the cost of the hand-off itself).
//
// Beside the phases, the garbage collector's share of the same loop: collections per generation
// and the time the runtime had every managed thread paused for them (GC.GetTotalPauseDuration),
// which stops all workers at once and so is serial time too.
//
// Timing is only reported (the end event's "phases", the `harness fuzz` summary), never read back
// by the engine: it cannot change what runs.
//
// Invariants:
//   1. every counter only grows, and is written by one thread: the main thread's by the main
//      thread, worker w's Busy by worker w only (the gang's barrier orders them for the reader);
//   2. a worker's Busy never exceeds the Batch total it ran inside (up to timestamp resolution).
using System.Globalization;
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed class PhaseTimes
{
    private readonly long[] _busy;

    public PhaseTimes(int workers)
    {
        _busy = new long[workers];
    }

    /// <summary>Timestamp ticks the main thread spent generating candidates before their batch.</summary>
    public long Generate { get; private set; }

    /// <summary>Timestamp ticks from handing a batch out to the last worker done.</summary>
    public long Batch { get; private set; }

    /// <summary>Timestamp ticks the main thread spent applying results in candidate order.</summary>
    public long Apply { get; private set; }

    /// <summary>Batches timed.</summary>
    public long Batches { get; private set; }

    /// <summary>Timestamp ticks worker w spent executing inside batches.</summary>
    public long Busy(int worker) => _busy[worker];

    public int Workers => _busy.Length;

    private readonly int[] _gcAtStart = new int[3];
    private TimeSpan _pauseAtStart;
    private long _allocatedAtStart;

    /// <summary>Managed bytes allocated by every thread between LoopStarted and LoopEnded (what
    /// drives the collections).</summary>
    public long Allocated { get; private set; }

    /// <summary>Collections of generation 0, 1 and 2 between LoopStarted and LoopEnded.</summary>
    public int[] Collections { get; } = new int[3];

    /// <summary>Time every managed thread was paused for collections between LoopStarted and LoopEnded.</summary>
    public TimeSpan GcPause { get; private set; }

    /// <summary>Marks the main loop's start, for the garbage collector's figures.</summary>
    internal void LoopStarted()
    {
        for (int g = 0; g < 3; g++) _gcAtStart[g] = GC.CollectionCount(g);
        _pauseAtStart = GC.GetTotalPauseDuration();
        _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
    }

    /// <summary>Marks the main loop's end: the collections and pause time since LoopStarted.</summary>
    internal void LoopEnded()
    {
        for (int g = 0; g < 3; g++) Collections[g] = GC.CollectionCount(g) - _gcAtStart[g];
        GcPause = GC.GetTotalPauseDuration() - _pauseAtStart;
        Allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtStart;
    }

    /// <summary>One batch of the main loop: its generate, batch and apply ticks.</summary>
    internal void Add(long generate, long batch, long apply)
    {
        Generate += generate;
        Batch += batch;
        Apply += apply;
        Batches++;
    }

    internal void AddBusy(int worker, long ticks) => _busy[worker] += ticks;

    /// <summary>The end event's fields: milliseconds per phase, busy time as one [worker, ms] row per worker.</summary>
    public (string, object?)[] EventFields() =>
    [
        ("phase_batches", Batches), ("phase_generate_ms", Ms(Generate)), ("phase_batch_ms", Ms(Batch)), ("phase_apply_ms", Ms(Apply)),
        ("phase_busy_ms", _busy.Select((t, w) => new object?[] { w, Ms(t) }).ToArray()),
        ("gc_gen0", Collections[0]), ("gc_gen1", Collections[1]), ("gc_gen2", Collections[2]), ("gc_pause_ms", Math.Round(GcPause.TotalMilliseconds, 3)), ("gc_allocated_bytes", Allocated),
    ];

    /// <summary>"generate 3% batch 90% (worker busy 80%/75%) apply 7%": shares of the main loop's timed phases.</summary>
    public string Describe()
    {
        long total = Generate + Batch + Apply;
        if (total <= 0) return "no batches timed";
        string Share(long t) => (100.0 * t / total).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        string busy = string.Join("/", _busy.Select(Share));
        string gcPause = (100.0 * GcPause.TotalMilliseconds / WallClock.TicksToMilliseconds(total)).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        return $"generate {Share(Generate)} batch {Share(Batch)} (busy per worker {busy}) apply {Share(Apply)} over {Batches} batches; "
            + $"gc {Collections[0]}/{Collections[1]}/{Collections[2]} collections (gen0/1/2), paused {gcPause}, {Allocated / (1 << 20)} MiB allocated";
    }

    private static double Ms(long ticks) => Math.Round(WallClock.TicksToMilliseconds(ticks), 3);
}
