// Proof that Coyote runs are deterministic and their traces are real repros: the same seed and
// strategy give the same Coyote schedule trace and the same step trace twice; a recorded trace
// replays in-process to the same failure at the same step; a repro artifact round-trips through
// `harness repro` (exit 0, "REPRODUCED", our readable trace) and the companion .trace file is
// written for `coyote replay`.
using Harness.Cli;
using Harness.Artifacts;
using Harness.Core;
using Harness.Explore.Coyote;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Xunit;

namespace Harness.Tests.Explore.Coyote;

[Collection(Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class CoyoteReplayTests
{
    private static ExplorationReport Run(string scenario, string strategy, ulong seed) =>
        new CoyoteEngine().Run(LockScenarios.Find(scenario), new ExploreRun { Strategy = strategy, Seed = seed, Iterations = 200 });

    [Theory]
    [InlineData("canary-opposite-lock-order", "prioritization", 3UL)]
    [InlineData("canary-release-clears-has-waiters", "random", 5UL)]
    [InlineData("canary-lost-wakeup-liveness", "fair-prioritization", 2UL)]
    public void Same_seed_and_strategy_give_the_same_trace(string scenario, string strategy, ulong seed)
    {
        FailureReport a = Run(scenario, strategy, seed).FirstFailure!;
        FailureReport b = Run(scenario, strategy, seed).FirstFailure!;
        Assert.Equal(a.Token, b.Token);
        Assert.Equal(a.Trace, b.Trace);
        Assert.Equal(a.Iteration, b.Iteration);
        Assert.Equal(a.Failure, b.Failure);
        // A different seed explores differently (else the seed would decide nothing).
        ExplorationReport other = Run(scenario, strategy, seed + 100);
        Assert.True(other.FirstFailure is null || other.FirstFailure.Token != a.Token || other.FirstFailure.Iteration != a.Iteration);
    }

    [Theory]
    [InlineData("canary-opposite-lock-order", "prioritization")]
    [InlineData("canary-no-second-attempt", "prioritization")]
    [InlineData("canary-nonatomic-increment", "random")]
    public void A_trace_replays_to_the_same_failure_at_the_same_step(string scenario, string strategy)
    {
        IScenario s = LockScenarios.Find(scenario);
        var run = new ExploreRun { Strategy = strategy, Seed = 1, Iterations = 200 };
        FailureReport f = new CoyoteEngine().Run(s, run).FirstFailure!;
        CoyoteReplay r = CoyoteEngine.Replay(s, f.Config, CoyoteEngine.OptionsFor(s, run), f.Token);
        Assert.NotNull(r.Failure);
        Assert.Equal(f.Failure.Signature, r.Failure!.Signature);
        Assert.Equal(f.Failure.Step, r.Failure.Step);
        Assert.Equal(f.Trace, TraceFormatter.Format(r.Trace, r.NameOf));
    }

    [Fact]
    public void A_trace_of_another_scenario_does_not_reproduce()
    {
        IScenario s = LockScenarios.Find("canary-opposite-lock-order");
        var run = new ExploreRun { Strategy = "prioritization", Seed = 1, Iterations = 200 };
        FailureReport f = new CoyoteEngine().Run(s, run).FirstFailure!;
        CoyoteReplay r = CoyoteEngine.Replay(LockScenarios.Find("lwlock-partition-order"), f.Config, CoyoteEngine.OptionsFor(s, run), f.Token);
        Assert.True(r.Failure is null || r.Failure.Signature != f.Failure.Signature);
    }

    [Fact]
    public void An_artifact_round_trips_through_harness_repro()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"coyote-artifact-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var run = new ExploreRun { Strategy = "prioritization", Seed = 1, Iterations = 200 };
            IScenario s = LockScenarios.Find("canary-opposite-lock-order");
            FailureReport f = new CoyoteEngine().Run(s, run).FirstFailure!;
            string path = Path.Combine(dir, "a.json");
            string trace = CoyoteArtifacts.Save(CoyoteArtifacts.Build("locks/canary-opposite-lock-order", run, CoyoteEngine.OptionsFor(s, run), f), path);
            Assert.True(File.Exists(trace));
            Assert.EndsWith(".trace", trace, StringComparison.Ordinal);
            Assert.Equal(f.Token, File.ReadAllText(trace));
            ReproArtifact a = ReproArtifact.Load(path);
            Assert.Equal("coyote", a.Engine);
            Assert.Equal(OutcomeKind.Deadlock, a.Outcome.Kind);

            var stdout = new StringWriter();
            int rc = Program.Run(["repro", path], stdout, new StringWriter());
            string text = stdout.ToString();
            Assert.Equal(ExitCodes.Ok, rc);
            Assert.Contains("REPRODUCED: deadlock:cycle", text, StringComparison.Ordinal);
            Assert.Contains("replay (coyote)", text, StringComparison.Ordinal);
            Assert.Contains("wait-for cycle", text, StringComparison.Ordinal);
            Assert.Contains(f.Trace[^1], text, StringComparison.Ordinal);

            // A tampered trace (another scenario's schedule) must not claim to reproduce.
            ReproArtifact wrong = a with { Target = "locks/lwlock-partition-order" };
            wrong.Save(path);
            Assert.Equal(ExitCodes.Finding, Program.Run(["repro", path], new StringWriter(), new StringWriter()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cli_prints_configuration_summary_and_the_reproducing_commands()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"coyote-cli-{Environment.ProcessId}");
        try
        {
            var stdout = new StringWriter();
            int rc = Program.Run(["explore", "locks/canary-opposite-lock-order", "--engine", "coyote", "--strategy", "pct", "--seed", "1", "--iterations", "200", "--artifacts", dir], stdout, new StringWriter());
            string text = stdout.ToString();
            Assert.Equal(ExitCodes.Finding, rc);
            Assert.StartsWith("explore: engine=coyote scenario=locks/canary-opposite-lock-order strategy=prioritization", text, StringComparison.Ordinal);
            Assert.Contains("iterations/s", text, StringComparison.Ordinal);
            Assert.Contains("decisions/s", text, StringComparison.Ordinal);
            Assert.Contains("FAILURE: deadlock (cycle)", text, StringComparison.Ordinal);
            Assert.Contains("reproduce: harness repro ", text, StringComparison.Ordinal);
            Assert.Contains("dotnet tool run coyote replay ", text, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Usage, Program.Run(["explore", "locks/lwlock-no-lost-wakeup", "--engine", "coyote", "--strategy", "prioritization"], new StringWriter(), new StringWriter()));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
