// Proof that the Coyote engine finds the bugs our explorer finds, as the same outcome kinds, and
// only bugs: every canary expectation of the lock system is caught by Coyote (with the Coyote
// counterpart of the expectation's strategy, seed 1) within CoyoteBudget iterations, as the
// expectation's kind, and the failing trace replays deterministically; every correct scenario
// passes CorrectBudget iterations with no failure. Also a system that is not locks (the tests'
// counter system), to show the engine is generic over IScenario.
using Harness.Core;
using Harness.Explore.Coyote;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Canaries;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Explore.Coyote;

[Collection(Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class CoyoteCanaryTests
{
    /// <summary>The stated budget: every canary's median over 20 seeds is at most 15 iterations and
    /// its worst seed far below this (docs/engines.md).</summary>
    public const int CoyoteBudget = 200;
    public const int CorrectBudget = 100;

    public static TheoryData<int> Canaries()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < CanaryCatalog.Expectations.Count; i++) d.Add(i);
        return d;
    }

    public static TheoryData<string> Correct()
    {
        var d = new TheoryData<string>();
        foreach (var (system, set) in SystemRegistry.Default.Parts<ScenarioSet>())
            foreach (IScenario s in set.Correct) d.Add(ScenarioSet.Qualified(system, s));
        return d;
    }

    private static ExploreOptions OptionsFor(CanaryExpectation c) =>
        c.SpinMode == SpinMode.Yielding ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps } : new ExploreOptions();

    [Theory]
    [MemberData(nameof(Canaries))]
    public void Canary_is_caught_by_coyote_as_the_same_kind(int index)
    {
        CanaryExpectation c = CanaryCatalog.Expectations[index];
        string strategy = c.Engine == ExploreEngines.Coyote ? c.Strategy : CoyoteStrategies.CounterpartOf(c.Strategy);
        int budget = c.Engine == ExploreEngines.Coyote ? c.Budget : CoyoteBudget;
        ExplorationReport r = new CoyoteEngine().Run(LockScenarios.Find(c.Name), new ExploreRun { Strategy = strategy, Seed = c.Seed, Iterations = budget, Engine = OptionsFor(c) });
        Assert.True(r.FirstFailure is not null, $"{c.Name} not caught by coyote {strategy} in {budget} iterations");
        Assert.Equal(c.ExpectedKind, r.FirstFailure!.Failure.Kind);
        Assert.True(r.FirstFailure.Deterministic, "the failing Coyote trace did not replay to the same failure at the same step");
    }

    [Theory]
    [MemberData(nameof(Correct))]
    public void Correct_scenario_passes_with_no_false_alarm(string name)
    {
        IScenario s = LockScenarios.Find(name);
        foreach (string strategy in s.NeedsFairness ? new[] { "fair-prioritization", "random" } : ["prioritization", "random"])
        {
            ExplorationReport r = new CoyoteEngine().Run(s, new ExploreRun { Strategy = strategy, Seed = 7, Iterations = CorrectBudget });
            Assert.True(r.FirstFailure is null, $"false alarm on {name} under coyote {strategy}: {r.FirstFailure?.Failure}");
            Assert.Equal(CorrectBudget, r.Iterations);
            Assert.Equal(CorrectBudget, r.Completed);
            Assert.True(r.TotalSteps > r.Iterations, "no scheduling points were recorded");
        }
    }

    [Fact]
    public void A_second_system_runs_under_coyote_too()
    {
        var systems = SystemRegistry.Default.With(new CounterSystem());
        IScenario canary = ScenarioSet.Resolve(systems, "counter/canary-unlocked-increment").Scenario;
        IScenario correct = ScenarioSet.Resolve(systems, "counter/bounded-increment").Scenario;
        ExplorationReport bad = new CoyoteEngine().Run(canary, new ExploreRun { Strategy = "random", Iterations = CoyoteBudget });
        Assert.Equal(OutcomeKind.InvariantFailed, bad.FirstFailure?.Failure.Kind);
        ExplorationReport good = new CoyoteEngine().Run(correct, new ExploreRun { Strategy = "random", Iterations = CorrectBudget });
        Assert.Null(good.FirstFailure);
    }
}
