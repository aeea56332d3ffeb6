// DSA's concurrency scenarios under the explorer: every correct scenario passes a budget of each of
// random, pct and dfs (preemption-bounded) from a fixed seed, and a swarm portfolio run; every
// canary (a scenario over an area with a planted DsaCanary) is caught within its stated strategy
// and budget with its stated kind, replayably, while the scenario it shadows passes that same
// budget; and each scenario reaches the interleaving it exists for (a slot reused under a stale
// mapping, attaches both refused at refcnt 0 and granted, a superblock destroyed, a segment made).
using Allocator.Dsa;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Systems.Dsa;
using Harness.Systems.Dsa.Scenarios;
using Xunit;

namespace Harness.Tests.Systems.Dsa;

public sealed class DsaScenarioTests
{
    private static ScenarioSet Set => SystemRegistry.Default.Find(DsaSystem.SystemName)!.Parts.OfType<ScenarioSet>().Single();

    public static TheoryData<string, string> CorrectRuns()
    {
        var d = new TheoryData<string, string>();
        foreach (IScenario s in DsaScenarios.Correct)
            foreach (string strategy in new[] { "random", "pct", "dfs" })
                d.Add(s.Name, strategy);
        return d;
    }

    public static TheoryData<string> CorrectNames() => new(DsaScenarios.Correct.Select(s => s.Name));

    public static TheoryData<string> CanaryNames() => new(DsaScenarios.Expectations.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CorrectRuns))]
    public void Correct_scenario_passes(string name, string strategy)
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find(name)!, new ExploreRun { Strategy = strategy, Seed = 11, Iterations = 100, Preemptions = 2, Minimize = false });
        Assert.True(r.FirstFailure is null, $"{name} under {strategy}: {r.FirstFailure?.Failure}");
        Assert.True(r.Iterations == 100 || r.Exhausted);
        Assert.Equal(r.Iterations, r.Completed);
        Assert.True(r.DistinctSchedules > 1, "every iteration ran the same schedule");
    }

    [Theory]
    [MemberData(nameof(CorrectNames))]
    public void Correct_scenario_passes_a_swarm_of_configurations(string name)
    {
        // as the gate's portfolio run does: 2..3 backends, 1..2x the ops, random operation mixes
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find(name)!, new ExploreRun { Strategy = "portfolio", Seed = 5, Iterations = 60, Swarm = true, Minimize = false });
        Assert.True(r.FirstFailure is null, $"{name} in a swarm: {r.FirstFailure?.Failure}");
        Assert.Equal(60, r.Completed);
    }

    [Theory]
    [MemberData(nameof(CanaryNames))]
    public void Canary_is_caught_within_its_budget(string canary)
    {
        CanaryExpectation c = DsaScenarios.Expectations.Single(x => x.Name == canary);
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find(c.Name)!, new ExploreRun { Strategy = c.Strategy, Seed = c.Seed, Iterations = c.Budget, Minimize = false });
        Assert.True(r.FirstFailure is not null, $"{c.Name} not caught by {c.Strategy} in {c.Budget} iterations");
        Assert.Equal(c.ExpectedKind, r.FirstFailure!.Failure.Kind);
        Assert.True(r.FirstFailure.Deterministic, "the failing schedule did not replay identically");
    }

    [Theory]
    [MemberData(nameof(CanaryNames))]
    public void Shadowed_scenario_passes_the_canary_budget(string canary)
    {
        CanaryExpectation c = DsaScenarios.Expectations.Single(x => x.Name == canary);
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(Set.Find(c.Shadows)!, new ExploreRun { Strategy = c.Strategy, Seed = c.Seed, Iterations = c.Budget, Minimize = false });
        Assert.True(r.FirstFailure is null, $"false alarm on {c.Shadows}: {r.FirstFailure?.Failure}");
        Assert.Equal(c.Budget, r.Completed);
    }

    [Theory]
    [MemberData(nameof(CanaryNames))]
    public void Canary_scenario_plants_its_canary_and_the_shadow_none(string canary)
    {
        CanaryExpectation c = DsaScenarios.Expectations.Single(x => x.Name == canary);
        using var explorer = new Explorer();
        IScenario bad = Set.Find(c.Name)!, good = Set.Find(c.Shadows)!;
        Assert.True(bad.IsCanary);
        var badInstance = (DsaScenarioInstance)explorer.Instance(bad, ScenarioConfig.Default(bad));
        Assert.Equal(DsaScenarios.Planted[c.Name], badInstance.Options.Canary);
        var goodInstance = (DsaScenarioInstance)explorer.Instance(good, ScenarioConfig.Default(good));
        Assert.Equal(DsaCanary.None, goodInstance.Options.Canary);
    }

    /// <summary>Runs <paramref name="name"/> under <paramref name="strategyName"/> from seed 3 and
    /// returns each completed iteration's instance observation.</summary>
    private static List<T> Observe<T>(string name, string strategyName, int iterations, Func<DsaScenarioInstance, T> observe)
    {
        IScenario s = Set.Find(name)!;
        using var explorer = new Explorer();
        ISchedulingStrategy strategy = Harness.Explore.Strategies.StrategyFactory.Create(strategyName, 3);
        var seen = new List<T>();
        ScenarioConfig config = ScenarioConfig.Default(s);
        for (int it = 0; it < iterations; it++)
        {
            strategy.BeginIteration(it, config.Backends);
            IterationResult r = explorer.RunOnce(s, config, strategy, new ExploreOptions());
            strategy.EndIteration(r.Decisions);
            Assert.True(r.Outcome == IterationOutcome.Completed, $"{name}: {r.Failure}");
            seen.Add(observe((DsaScenarioInstance)explorer.Instance(s, config)));
        }
        return seen;
    }

    [Fact]
    public void Quiescent_points_inside_iterations_are_walked()
    {
        List<long> walks = Observe("dsa-one-class", "random", 10, i => i.QuiescentChecks);
        Assert.True(walks[^1] >= 10, $"only {walks[^1]} quiescent walks in 10 iterations");
    }

    [Fact]
    public void Slot_reuse_resolves_the_new_segment_in_the_reused_slot()
    {
        List<int> reused = Observe("dsa-slot-reuse", "random", 20, i => ((DsaSlotReuseScenario)i).SlotReusedSeen);
        Assert.All(reused, n => Assert.Equal(1, n));
    }

    [Fact]
    public void Attach_detach_sees_attaches_refused_before_and_inside_the_release_window_and_granted()
    {
        List<(int Refused, int AtZero, int Attached)> seen = Observe("dsa-attach-detach", "pct", 200, i =>
        {
            var a = (DsaAttachDetachScenario)i;
            return (a.Refused, a.RefusedAtZeroRefcnt, a.Attached);
        });
        Assert.Contains(seen, x => x.Refused == 1 && x.AtZero == 0); // the control segment was gone
        Assert.Contains(seen, x => x.AtZero == 1);                    // inside the release window: fddf45b380's check
        Assert.Contains(seen, x => x.Attached == 1);
        Assert.All(seen, x => Assert.Equal(1, x.Refused + x.Attached));
    }
}
