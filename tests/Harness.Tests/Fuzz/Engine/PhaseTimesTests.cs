// Tests of the engine's per-phase timing (PhaseTimes): timing is counted per batch and per worker,
// a worker is never busier than the batches it ran in, and the figures reach the summary and the
// end event (they are only reported: the engine's determinism tests pin what runs).
using Harness.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class PhaseTimesTests
{
    [Fact]
    public void TwoWorkers_EveryBatchTimed_AndNoWorkerBusierThanItsBatches()
    {
        var options = new FuzzEngineOptions { Seed = 9, Execs = 1_000, Workers = 2, StatusEvery = 1 << 30 };
        FuzzRunResult r = new FuzzEngine(_ =>
        {
            var t = new MazeTarget();
            return new FuzzWorkerSetup(t, [t.Features]);
        }, options, TextWriter.Null).Run();
        PhaseTimes p = Assert.IsType<PhaseTimes>(r.Phases);
        Assert.Equal(2, p.Workers);
        Assert.Equal((1_000 + 63) / 64, p.Batches); // 15 full batches and one of 40
        Assert.True(p.Batch > 0 && p.Apply > 0 && p.Generate >= 0);
        for (int w = 0; w < 2; w++)
        {
            Assert.True(p.Busy(w) > 0, $"worker {w} was never timed");
            Assert.True(p.Busy(w) <= p.Batch, $"worker {w} busy {p.Busy(w)} ticks inside batches of {p.Batch}");
        }
        Assert.Contains("busy per worker", p.Describe());
        Assert.Contains(p.EventFields(), f => f.Item1 == "phase_busy_ms");
        Assert.Contains("collections (gen0/1/2)", p.Describe());
        Assert.True(p.GcPause >= TimeSpan.Zero);
        // every field is one the event log can write (the end event carries them)
        var text = new StringWriter();
        using (var log = new Harness.Report.EventLog(text, "fuzz")) log.Write("end", p.EventFields());
        Assert.Contains("\"gc_pause_ms\"", text.ToString());
    }
}
