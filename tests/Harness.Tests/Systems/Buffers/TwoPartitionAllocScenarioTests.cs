// buffers/two-partition-alloc (issue 13, scenario 11): the blocks it uses fall in exactly two
// partitions, the scenario runs PostgreSQL 15's BufferAlloc, the correct variant passes small
// budgets of two strategies, and the wrong lock order is caught as a deadlock whose report names
// the cycle and the two partition locks.
using Allocator.Buffers;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers;
using Harness.Systems.Buffers.Scenarios;
using Xunit;

namespace Harness.Tests.Systems.Buffers;

public sealed class TwoPartitionAllocScenarioTests
{
    private static ScenarioSet Set => SystemRegistry.Default.Find(BuffersSystem.SystemName)!.Parts.OfType<ScenarioSet>().Single();

    [Fact]
    public void The_blocks_fall_in_two_partitions_lower_first()
    {
        var b = TwoPartitionAllocScenario.Blocks;
        Assert.True(b.P < b.Q);
        Assert.Equal(b.P, TwoPartitionAllocScenario.PartitionOf(b.Pa));
        Assert.Equal(b.P, TwoPartitionAllocScenario.PartitionOf(b.Pb));
        Assert.Equal(b.Q, TwoPartitionAllocScenario.PartitionOf(b.Qa));
        Assert.Equal(b.Q, TwoPartitionAllocScenario.PartitionOf(b.Qb));
        Assert.Equal(4, new[] { b.Pa, b.Pb, b.Qa, b.Qb }.Distinct().Count());
    }

    [Fact]
    public void The_scenario_runs_the_v15_variant()
    {
        using var explorer = new Explorer();
        IScenario s = Set.Find("two-partition-alloc")!;
        var inst = (BufferScenarioInstance)explorer.Instance(s, ScenarioConfig.Default(s));
        Assert.Equal(BufferCanary.None, inst.Canary);
        Assert.Equal(BufferCanary.TwoPartitionLocksNewFirst, BufferScenarios.Planted["canary-two-partition-new-first"]);
    }

    [Theory]
    [InlineData("random", 3)]
    [InlineData("pct", 3)]
    [InlineData("random", 2)]
    public void Correct_run_passes_a_small_budget(string strategy, int backends)
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find("two-partition-alloc")!, new ExploreRun { Strategy = strategy, Seed = 4, Iterations = 150, Backends = backends, Minimize = false });
        Assert.True(r.FirstFailure is null, $"two-partition-alloc under {strategy}: {r.FirstFailure?.Failure}");
        Assert.Equal(150, r.Completed);
    }

    [Fact]
    public void New_lock_first_breaks_lock_order_R2_at_the_second_acquire_in_the_first_schedule()
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find("canary-two-partition-new-first")!, new ExploreRun { Strategy = "pct", Seed = 5, Iterations = 10, Minimize = false });
        FailureReport f = Assert.IsType<FailureReport>(r.FirstFailure);
        Assert.Equal(0, f.Iteration);
        Assert.Equal(OutcomeKind.InvariantFailed, f.Failure.Kind);
        Assert.Equal(Allocator.Sync.LockOrderCheck.RuleSite("R2"), f.Failure.Site);
        var b = TwoPartitionAllocScenario.Blocks;
        Assert.Contains($"requests BufferMapping partition {Math.Min(b.P, b.Q)} while holding BufferMapping partition {Math.Max(b.P, b.Q)}", f.Failure.Message);
    }

    [Fact]
    public void New_lock_first_deadlocks_and_the_report_names_the_cycle()
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find("canary-two-partition-new-first-unchecked")!, new ExploreRun { Strategy = "probabilistic", Seed = 2, Iterations = 100, Minimize = false });
        Assert.NotNull(r.FirstFailure);
        ExplorationFailure f = r.FirstFailure!.Failure;
        Assert.Equal(OutcomeKind.Deadlock, f.Kind);
        Assert.Equal("cycle", f.Site);
        Assert.Contains("wait-for cycle backend", f.Message);
        var b = TwoPartitionAllocScenario.Blocks;
        Assert.Contains($"BufferMapping partition {b.P}", f.Message);
        Assert.Contains($"BufferMapping partition {b.Q}", f.Message);
    }
}
