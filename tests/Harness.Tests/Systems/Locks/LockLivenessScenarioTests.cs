// The liveness scenarios of the three LWLock wait paths (lwlock-queued-release,
// lwlock-queued-acquire-or-wait, lwlock-queued-wait-for-var): the correct port passes them under
// every fair strategy the gate uses, with more backends than their default; each of their canaries
// is caught as a starvation verdict that names the waiter, the lock and how it waits, on every
// seed tried and with more backends than the default.
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Explore;
using Harness.Tests.Explore;
using Xunit;

namespace Harness.Tests.Systems.Locks;

[Collection(Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class LockLivenessScenarioTests
{
    [Theory]
    [InlineData("lwlock-queued-release", "fair-pct")]
    [InlineData("lwlock-queued-release", "random")]
    [InlineData("lwlock-queued-release", "probabilistic")]
    [InlineData("lwlock-queued-acquire-or-wait", "fair-pct")]
    [InlineData("lwlock-queued-acquire-or-wait", "random")]
    [InlineData("lwlock-queued-acquire-or-wait", "probabilistic")]
    [InlineData("lwlock-queued-wait-for-var", "fair-pct")]
    [InlineData("lwlock-queued-wait-for-var", "random")]
    [InlineData("lwlock-queued-wait-for-var", "probabilistic")]
    public void Correct_port_wakes_every_queued_waiter(string scenario, string strategy)
    {
        using var explorer = new Explorer();
        foreach (int backends in new[] { 3, 4 })
        {
            ExplorationReport r = explorer.Run(LockScenarios.Find(scenario),
                new ExploreRun { Strategy = strategy, Seed = 11, Iterations = 150, Backends = backends, Ops = 2, Minimize = false });
            Assert.True(r.FirstFailure is null, $"{scenario} ({backends} backends, {strategy}): {r.FirstFailure?.Failure}");
            Assert.Equal(150, r.Iterations);
        }
    }

    [Theory]
    [InlineData("canary-release-ok-not-rearmed", "queueLock (shared|exclusive)")]
    [InlineData("canary-acquire-or-wait-queues-exclusive", "WALWriteLock wait-until-free")]
    [InlineData("canary-update-var-wakes-nobody", "WALInsertLock wait-for-var")]
    public void Canary_is_a_starvation_verdict_naming_the_waiter_and_the_lock(string canary, string waitsOn)
    {
        using var explorer = new Explorer();
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            ExplorationReport r = explorer.Run(LockScenarios.Find(canary),
                new ExploreRun { Strategy = "fair-pct", Seed = seed, Iterations = 20, Minimize = false });
            Assert.True(r.FirstFailure is not null, $"{canary} not caught with seed {seed}");
            ExplorationFailure f = r.FirstFailure!.Failure;
            Assert.Equal(OutcomeKind.Livelock, f.Kind);
            Assert.Equal("hot-wait", f.Site);
            Assert.Matches(new Regex($"backend [1-9] has waited for LWLock {waitsOn} for \\d+ steps"), f.Message);
            Assert.True(r.FirstFailure.Deterministic, "the failing schedule did not replay identically");
        }
    }

    [Theory]
    [InlineData("canary-release-ok-not-rearmed", 4)]
    [InlineData("canary-acquire-or-wait-queues-exclusive", 4)]
    [InlineData("canary-update-var-wakes-nobody", 4)]
    public void Canary_is_caught_with_more_backends_too(string canary, int backends)
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(LockScenarios.Find(canary),
            new ExploreRun { Strategy = "fair-pct", Seed = 5, Iterations = 20, Backends = backends, Minimize = false });
        Assert.Equal(OutcomeKind.Livelock, r.FirstFailure?.Failure.Kind);
    }
}
