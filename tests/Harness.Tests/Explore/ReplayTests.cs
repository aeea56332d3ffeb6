// Replay: token round trip, artifact round trip through `harness repro`'s replayer, divergence named
// at the first differing step, and the determinism self-check over many seeds.
using Harness.Artifacts;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class ReplayTests
{
    private static FailureReport FindFailure(string scenario, string strategy, int iterations, bool minimize = false)
    {
        using var explorer = new Explorer();
        ExplorationReport r = explorer.Run(LockScenarios.Find(scenario), new ExploreRun { Strategy = strategy, Seed = 1, Iterations = iterations, Minimize = minimize });
        return r.FirstFailure ?? throw new Xunit.Sdk.XunitException($"{scenario} not caught by {strategy} in {iterations}");
    }

    [Fact]
    public void Token_round_trips_and_replays_to_the_same_trace_and_failure()
    {
        FailureReport f = FindFailure("canary-no-second-attempt", "random", 200);
        Assert.True(f.Deterministic);
        ScheduleToken t = ScheduleToken.Decode(f.Token);
        Assert.Equal(f.Token, t.Encode());
        using var explorer = new Explorer();
        IterationResult again = explorer.Replay(LockScenarios.Find(t.Scenario), t);
        Assert.Equal(t.Trace.Hash, again.TraceHash);
        Assert.Equal(f.Failure.Signature, again.Failure!.Signature);
        Assert.Equal(f.Failure.Step, again.Failure.Step);
    }

    [Fact]
    public void Artifact_round_trips_through_the_replayer()
    {
        IScenario s = LockScenarios.Find("canary-opposite-lock-order");
        var run = new ExploreRun { Strategy = "pct", Seed = 1, Iterations = 200 };
        using var explorer = new Explorer();
        FailureReport f = explorer.Run(s, run).FirstFailure!;
        ReproArtifact artifact = ReproArtifact.Parse(ExploreArtifacts.Build("locks/canary-opposite-lock-order", run, f).ToJson());
        var trace = new StringWriter();
        ReplayResult result = ArtifactReplayers.For(artifact).Replay(artifact, SystemRegistry.Default, trace);
        Assert.True(result.Reproduced, result.Reason);
        Assert.Equal(OutcomeKind.Deadlock, result.Outcome.Kind);
        Assert.Equal("locks/canary-opposite-lock-order", artifact.Target);
        Assert.Contains("wait-for cycle", result.Reason + trace, StringComparison.Ordinal);
        Assert.Contains("BufMappingLock", trace.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_decision_is_reported_as_divergence_at_its_step()
    {
        IScenario s = LockScenarios.Find("lwlock-shared-exclusive");
        using var explorer = new Explorer();
        var cfg = ScenarioConfig.Default(s);
        var strategy = new Harness.Explore.Strategies.RandomStrategy(7);
        strategy.BeginIteration(0, cfg.Backends);
        IterationResult r = explorer.RunOnce(s, cfg, strategy, new ExploreOptions());
        Assert.Equal(IterationOutcome.Completed, r.Outcome);
        ScheduleTrace recorded = explorer.Engine.Trace.Snapshot();
        int[] decisions = recorded.DecisionList();
        // Change the first decision that had an alternative to the other choice.
        int d = 0;
        while (EnabledCount(recorded.DecisionEnabled(d)) < 2) d++;
        ulong enabled = recorded.DecisionEnabled(d);
        int other = Enumerable.Range(0, 64).First(b => (enabled & (1UL << b)) != 0 && b != decisions[d]);
        decisions[d] = other;
        var token = new ScheduleToken(s.Name, cfg, new ExploreOptions(), decisions, recorded);
        IterationResult replay = explorer.Replay(s, ScheduleToken.Decode(token.Encode()));
        Assert.Equal(OutcomeKind.Crash, replay.Failure!.Kind);
        Assert.Equal("replay-divergence/step", replay.Failure.Site);
        Assert.Equal(recorded.DecisionStep(d), replay.Failure.Step);
        Assert.Contains($"step {recorded.DecisionStep(d)}:", replay.Failure.Message, StringComparison.Ordinal);
    }

    private static int EnabledCount(ulong m) => System.Numerics.BitOperations.PopCount(m);

    [Fact]
    public void Corrupt_tokens_are_rejected_clearly()
    {
        Assert.Throws<MalformedInputException>(() => ScheduleToken.Decode("x1.abc"));
        Assert.Throws<MalformedInputException>(() => ScheduleToken.Decode("s1.AAAA"));
        FailureReport f = FindFailure("canary-waker-wakes-nobody", "random", 50);
        string truncated = f.Token[..(f.Token.Length / 2)];
        Assert.Throws<MalformedInputException>(() => ScheduleToken.Decode(truncated));
    }

    [Fact]
    public void Same_seed_same_exploration_over_many_seeds()
    {
        IScenario s = LockScenarios.Find("lwlock-shared-exclusive");
        using var a = new Explorer();
        using var b = new Explorer();
        for (ulong seed = 1; seed <= 40; seed++)
        {
            foreach (string strategy in new[] { "random", "pct", "portfolio" })
            {
                var run = new ExploreRun { Strategy = strategy, Seed = seed, Iterations = 5, Swarm = strategy == "portfolio" };
                ExplorationReport x = a.Run(s, run), y = b.Run(s, run);
                Assert.Equal((x.TotalSteps, x.TotalDecisions, x.DistinctSchedules, x.Failures), (y.TotalSteps, y.TotalDecisions, y.DistinctSchedules, y.Failures));
            }
        }
    }

    [Fact]
    public void Self_check_replays_random_schedules_bit_for_bit()
    {
        IScenario s = LockScenarios.Find("lwlock-wait-for-var");
        using var explorer = new Explorer();
        var cfg = ScenarioConfig.Default(s);
        for (int seed = 1; seed <= 30; seed++)
        {
            var strategy = new Harness.Explore.Strategies.RandomStrategy((ulong)seed);
            strategy.BeginIteration(0, cfg.Backends);
            IterationResult r = explorer.RunOnce(s, cfg, strategy, new ExploreOptions());
            ScheduleTrace t = explorer.Engine.Trace.Snapshot();
            IterationResult again = explorer.Replay(s, new ScheduleToken(s.Name, cfg, new ExploreOptions(), t.DecisionList(), t));
            Assert.Equal(r.TraceHash, again.TraceHash);
            Assert.Null(again.Failure);
        }
    }
}
