// The lanes view of a replayed schedule: the formatter's layout (one column per backend, a step in
// its backend's column, holdings only when they change, long cells wrapped inside their column),
// and a real canary's failing schedule replayed with the view on: every recorded step appears once
// in the lane of the backend that took it, the backends' locks and pins (with the page values)
// show up, and the failure is the same as without the view.
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Lanes;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class LanesTests
{
    [Fact]
    public void Formatter_puts_each_row_in_its_backends_column_and_shows_holdings_when_they_change()
    {
        var log = new LaneLog(2);
        log.RecordStep(0, 1, "cas32 lock", "");
        log.RecordStep(1, 1, "read32 word", "X lock");
        log.RecordStep(2, 0, "read32 lock", "");
        log.RecordStep(3, 1, "write32 word", "X lock");
        log.Note(0, "gives up");
        log.RecordExit(1, "");
        List<string> lines = LaneFormatter.Format(log, width: 14);
        Assert.Equal(" step | backend 0      | backend 1", lines[0]);
        Assert.Equal("    0 |                | cas32 lock", lines[2]);
        Assert.Equal("      |                | holds: X lock", lines[3]);
        Assert.Equal("    1 |                | read32 word", lines[4]);
        Assert.Equal("    2 | read32 lock    |", lines[5]);
        Assert.Equal("    3 |                | write32 word", lines[6]); // holdings unchanged: no line
        Assert.Equal("      | » gives up     |", lines[7]);
        Assert.Equal("      |                | holds: nothing", lines[8]);
        Assert.Equal("      |                | (exits)", lines[9]);
        Assert.Equal(10, lines.Count);
    }

    [Fact]
    public void Long_cells_wrap_inside_their_column()
    {
        var log = new LaneLog(2);
        log.RecordStep(0, 0, "cas32 a-very-long-object-name-indeed", "S partition 5; pin buffer 1 (block 0 = 1000)");
        List<string> lines = LaneFormatter.Format(log, width: 16);
        Assert.All(lines.Skip(2), l => Assert.True(l.Length <= 6 + 2 * 19, l));
        Assert.Contains(lines, l => l.Contains("| holds: S", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("|   partition 5;", StringComparison.Ordinal));
    }

    [Fact]
    public void A_canarys_failing_schedule_replays_into_lanes_with_locks_pins_and_page_values()
    {
        IScenario canary = SystemRegistry.Default.Find(BuffersSystem.SystemName)!.Parts.OfType<ScenarioSet>().Single()
            .Find("canary-exclusive-taken-shared")!;
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(canary, new ExploreRun { Strategy = "random", Seed = 1, Iterations = 50 });
        FailureReport f = Assert.IsType<FailureReport>(r.FirstFailure);
        ScheduleToken token = ScheduleToken.Decode(f.MinimizedToken ?? f.Token);

        IterationResult plain = explorer.Replay(canary, token);
        (IterationResult viewed, LaneLog log) = explorer.ReplayWithLanes(canary, token);
        Assert.Equal(plain.TraceHash, viewed.TraceHash);
        Assert.Equal(plain.Failure?.Signature, viewed.Failure?.Signature);

        LaneEvent[] steps = log.Events.Where(e => e.Kind == LaneEventKind.Step).ToArray();
        Assert.Equal(Enumerable.Range(0, token.Trace.Steps), steps.Select(e => e.Step));
        for (int i = 0; i < steps.Length; i++) Assert.Equal(token.Trace.StepBackend(i), steps[i].Backend);
        Assert.Contains(log.Events, e => e.Holds is not null && e.Holds.Contains("content lock of buffer", StringComparison.Ordinal));
        Assert.Contains(log.Events, e => e.Holds is not null && e.Holds.Contains("(block 0 = 1000)", StringComparison.Ordinal));

        IReadOnlyList<string> lanes = Assert.IsAssignableFrom<IReadOnlyList<string>>(f.Lanes);
        Assert.StartsWith("outcome: invariant-failed [shared-with-exclusive]", lanes[^1], StringComparison.Ordinal);
    }
}
