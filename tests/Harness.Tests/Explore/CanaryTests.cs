// Proof that the explorer finds bugs, and only bugs: every canary in CanaryCatalog is caught by its
// stated strategy within its stated budget with the stated failure kind (and the failing schedule
// replays deterministically); the correct scenario it shadows passes the same strategy and budget
// with zero failures.
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Canaries;
using Harness.Systems.Locks.Scenarios;
using Xunit;

namespace Harness.Tests.Explore;

[Collection(Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class CanaryTests
{
    public static TheoryData<int> Entries()
    {
        var d = new TheoryData<int>();
        // The explorer's own expectations; Coyote's are proven in Explore/Coyote/CoyoteCanaryTests.
        for (int i = 0; i < CanaryCatalog.Expectations.Count; i++)
            if (CanaryCatalog.Expectations[i].Engine == ExploreEngines.Explorer) d.Add(i);
        return d;
    }

    private static ExploreRun RunFor(CanaryExpectation c) => new()
    {
        Strategy = c.Strategy,
        Seed = c.Seed,
        Iterations = c.Budget,
        Minimize = false,
        Engine = c.SpinMode == SpinMode.Yielding ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps } : new ExploreOptions(),
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void Canary_is_caught_within_its_budget(int index)
    {
        CanaryExpectation c = CanaryCatalog.Expectations[index];
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(LockScenarios.Find(c.Name), RunFor(c));
        Assert.True(r.FirstFailure is not null, $"{c.Name} not caught by {c.Strategy} in {c.Budget} iterations");
        Assert.Equal(c.ExpectedKind, r.FirstFailure!.Failure.Kind);
        Assert.True(r.FirstFailure.Deterministic, "the failing schedule did not replay identically");
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Correct_port_passes_the_same_budget_with_no_false_alarm(int index)
    {
        CanaryExpectation c = CanaryCatalog.Expectations[index];
        IScenario correct = LockScenarios.Find(c.Shadows);
        IScenario canary = LockScenarios.Find(c.Name);
        using var explorer = new Explorer();
        ExploreRun run = RunFor(c) with { Backends = canary.DefaultBackends, Ops = canary.DefaultOps };
        ExplorationReport r = explorer.Run(correct, run);
        Assert.True(r.FirstFailure is null, $"false alarm on {c.Shadows}: {r.FirstFailure?.Failure}");
        Assert.Equal(0, r.Failures);
        Assert.True(r.Iterations == c.Budget || r.Exhausted);
    }

    [Theory]
    [InlineData("canary-opposite-lock-order", OutcomeKind.Deadlock, "cycle")]
    [InlineData("canary-waker-wakes-nobody", OutcomeKind.LostWakeup, "lost-wakeup")]
    [InlineData("canary-spin-release-forgets-write", OutcomeKind.Deadlock, "leaked-lock")]
    public void Deadlock_report_names_targets_holders_and_cycle_or_lost_wakeup(string scenario, OutcomeKind kind, string site)
    {
        using var explorer = new Explorer();
        FailureReport f = explorer.Run(LockScenarios.Find(scenario), new ExploreRun { Strategy = "random", Iterations = 200 }).FirstFailure!;
        Assert.Equal(kind, f.Failure.Kind);
        Assert.Equal(site, f.Failure.Site);
        Assert.Contains("backend", f.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("holders:", f.Failure.Message, StringComparison.Ordinal);
        if (site == "cycle") Assert.Matches(@"wait-for cycle backend \d -> backend \d -> backend \d", f.Failure.Message);
        if (site == "lost-wakeup") Assert.Contains("waiting for LWLock lockA", f.Failure.Message, StringComparison.Ordinal);
    }
}
