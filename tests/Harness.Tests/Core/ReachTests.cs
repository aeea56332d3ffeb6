// Reach goals: a run's hits are counted once per run however often the event happened, cleared by
// recording, added across workers; a goal a set does not declare is refused (it would be counted
// nowhere); and the summary line names the goals no run reached.
using Harness.Core;
using Xunit;

namespace Harness.Tests.Core;

public sealed class ReachTests
{
    private static readonly ReachGoal A = new("sys", "a", "event a");
    private static readonly ReachGoal B = new("sys", "b", "event b");
    private static readonly ReachGoal C = new("sys", "c", "event c");

    [Fact]
    public void A_run_counts_each_goal_once_and_recording_clears_the_run()
    {
        var hits = new ReachHits([A, B, C]);
        var tally = new ReachTally("fuzz:sys", hits.Goals);
        hits.Hit(A);
        hits.Hit(A);
        hits.Hit(C);
        tally.Record(hits);
        Assert.Equal(0UL, hits.Bits);
        hits.Hit(A);
        tally.Record(hits);
        tally.Record(hits);   // a run that reached nothing
        Assert.Equal(3, tally.Runs);
        Assert.Equal([2L, 0L, 1L], [tally.HitsOf(A), tally.HitsOf(B), tally.HitsOf(C)]);
        Assert.Equal([B], tally.Unreached);
        tally.Check();
        hits.Check();
    }

    [Fact]
    public void Tallies_of_workers_add_up_and_a_cleared_tally_counts_nothing()
    {
        var hits = new ReachHits([A, B]);
        var w0 = new ReachTally("fuzz:sys", hits.Goals);
        var w1 = new ReachTally("fuzz:sys", hits.Goals);
        hits.Hit(B);
        w0.Record(hits);
        hits.Hit(B);
        w1.Record(hits);
        w1.Record(hits);
        var sum = new ReachTally("fuzz:sys", hits.Goals);
        sum.Add(w0);
        sum.Add(w1);
        Assert.Equal((3L, 0L, 2L), (sum.Runs, sum.HitsOf(A), sum.HitsOf(B)));
        Assert.Throws<ArgumentException>(() => sum.Add(new ReachTally("fuzz:sys", [A])));
        w1.Clear();
        Assert.Equal((0L, 0L), (w1.Runs, w1.HitsOf(B)));
    }

    [Fact]
    public void An_undeclared_goal_or_a_bad_declaration_is_refused()
    {
        var hits = new ReachHits([A]);
        Assert.Throws<ArgumentException>(() => hits.Hit(B));
        Assert.Throws<ArgumentException>(() => new ReachHits([]));
        Assert.Throws<ArgumentException>(() => new ReachHits([A, new ReachGoal("sys", "a", "same name")]));
        Assert.Throws<ArgumentException>(() => new ReachHits([A, new ReachGoal("other", "x", "another system")]));
        Assert.Throws<ArgumentException>(() => new ReachHits([.. Enumerable.Range(0, 65).Select(i => new ReachGoal("sys", $"g{i}", ""))]));
    }

    [Fact]
    public void The_summary_names_the_goals_no_owner_reached()
    {
        var hits = new ReachHits([A, B]);
        var one = new ReachTally("gate:x", hits.Goals);
        var two = new ReachTally("gate:y", hits.Goals);
        hits.Hit(A);
        one.Record(hits);
        two.Record(hits);
        Assert.Equal("reach: 1 of 2 goals (never: sys/b)", ReachTally.Summary(one.Counts.Concat(two.Counts)));
        hits.Hit(B);
        two.Record(hits);
        Assert.Equal("reach: 2 of 2 goals", ReachTally.Summary(one.Counts.Concat(two.Counts)));
    }
}
