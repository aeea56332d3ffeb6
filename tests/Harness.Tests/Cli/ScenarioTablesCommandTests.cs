// `harness explore-table` and `harness time-to-bug`, end to end on the small locks system:
// a row per correct scenario and gate strategy with no failures, a row per canary with a median
// under every explorer strategy, and the median arithmetic (missed seeds count as above the cap).
using Harness.Cli;
using Xunit;

namespace Harness.Tests.Cli;

[Collection(Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class ScenarioTablesCommandTests
{
    [Fact]
    public void Locks_table_has_every_scenario_and_canary_and_no_false_alarm()
    {
        var stdout = new StringWriter();
        int code = Harness.Program.Run(["explore-table", "locks", "--seeds", "2", "--cap", "60", "--budget", "10"], stdout, stdout);
        string text = stdout.ToString();
        Assert.True(code == 0, text);
        string[] lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("| locks/linearizable-counter | dfs |", StringComparison.Ordinal));
        string canary = Assert.Single(lines, l => l.StartsWith("| locks/canary-nonatomic-increment |", StringComparison.Ordinal));
        // expected kind, gate run, then one cell per strategy
        Assert.Equal(3 + ExploreTableCommand.Strategies.Length, canary.Split('|', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("false alarms on correct scenarios: 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Median_counts_missed_seeds_as_above_the_cap()
    {
        Assert.Equal("3 (3/3)", ExploreTableCommand.MedianText([5, 3, 1], 3, 100, 0));
        Assert.Equal("> 100 (1/3)", ExploreTableCommand.MedianText([1], 3, 100, 0));
        Assert.Equal("9 (2/3, 1 other kind)", ExploreTableCommand.MedianText([9, 4], 3, 100, 1));
    }

    [Fact]
    public void Seed_median_pads_with_misses_and_refuses_more_values_than_runs()
    {
        Assert.Equal(2L, SeedMedian.Of(new long[] { 9, 2, 1 }, 4));
        Assert.Null(SeedMedian.Of(new[] { 1.5 }, 3));
        Assert.Equal(1.5, SeedMedian.Of(new[] { 1.5 }, 1));
        Assert.Throws<ArgumentException>(() => SeedMedian.Of(new[] { 1, 2 }, 1));
    }

    [Fact]
    public void Time_to_bug_measures_every_planted_bug_of_a_system()
    {
        var stdout = new StringWriter();
        int code = Harness.Program.Run(["time-to-bug", "locks", "--seeds", "2", "--cap-factor", "2"], stdout, stdout);
        string text = stdout.ToString();
        Assert.True(code == 0, text);
        string[] rows = text.Split('\n').Where(l => l.StartsWith("| locks |", StringComparison.Ordinal)).ToArray();
        var set = Harness.Core.SystemRegistry.Default.Find("locks")!.Parts.OfType<Harness.Explore.ScenarioSet>().Single();
        Assert.Equal(set.Canaries.Count, rows.Length);
        Assert.All(rows, r => Assert.Contains(" | 2/2 | ", r, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_system_is_a_clear_error()
    {
        var stdout = new StringWriter();
        int code = Harness.Program.Run(["explore-table", "no-such-system"], stdout, stdout);
        Assert.NotEqual(0, code);
        Assert.Contains("no-such-system", stdout.ToString(), StringComparison.Ordinal);
    }
}
