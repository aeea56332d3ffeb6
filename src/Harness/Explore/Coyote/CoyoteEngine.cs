// CoyoteEngine: the second exploration engine. Runs a registered scenario under Microsoft Coyote's
// TestingEngine (the strategies of CoyoteStrategies, seeded, with an iteration budget and step
// bounds) and reports in the explorer's terms: an ExplorationReport with iteration, step and
// scheduling-decision counts and the first failure as an ExplorationFailure in our one outcome
// vocabulary, with Coyote's reproducible schedule trace as its token, our readable trace, and a
// determinism self-check (the trace replayed in-process must give the same step trace and failure).
//
// Counting: "steps" are our seam calls (as in the explorer); "decisions" are Coyote's scheduling
// steps (every scheduling point Coyote took, including task creation and completion), taken from its
// test report. Our own step bound (ExploreOptions.MaxSteps, policy fail) is checked at every seam
// call; Coyote's bounds are set above it (4x + 1000 unfair, 10x that fair) so they only end an
// iteration under policy "continue" (with liveness on, the unfair prefix of a fair strategy is
// shortened: see BaseConfiguration).
//
// Failures that Coyote finds itself (its liveness monitor check, its own deadlock detector as a
// fallback to ours) are classified from its bug report: a liveness report is a livelock at site
// "hot-wait" (the explorer's name for the same thing), a deadlock is analysed by DeadlockAnalyzer on
// the backends' recorded state. Budgets are counts; the clock only feeds progress and rates.
using Harness.Core;
using Harness.Explore.Scenarios;
using Microsoft.Coyote.SystematicTesting;
using Microsoft.Coyote;

namespace Harness.Explore.Coyote;

public sealed class CoyoteEngine
{
    public const string Name = "coyote";

    /// <summary>Called about every 250 ms of wall time with the report so far.</summary>
    public Action<ExplorationReport>? Progress { get; set; }

    /// <summary>Coyote's strategy bound for a run: the run's StrategyValue, else Coyote's default.</summary>
    public static int StrategyValue(ExploreRun run) => run.StrategyValue ?? CoyoteStrategies.DefaultValue(run.Strategy);

    /// <summary>Liveness monitors only for scenarios that need them, and only under fair strategies.</summary>
    public static ExploreOptions OptionsFor(IScenario scenario, ExploreRun run) =>
        run.Engine with { Liveness = scenario.NeedsFairness && CoyoteStrategies.IsFair(run.Strategy) };

    public static Configuration BaseConfiguration(ExploreOptions options)
    {
        uint bound = options.StepBoundPolicy == StepBoundPolicy.Fail ? (uint)Math.Min(int.MaxValue / 40L, options.MaxSteps * 4L + 1000) : (uint)options.MaxSteps;
        // Coyote's fair strategies run unfairly for the first MaxUnfairSchedulingSteps steps of an
        // iteration and count liveness temperature all along; with liveness on, that prefix must be
        // well below the temperature threshold, or a correct scenario whose poller spins through the
        // unfair prefix reads as a starved waiter (measured: a false alarm on lwlock-no-lost-wakeup).
        uint unfair = options.Liveness ? (uint)Math.Max(1, options.LivenessThreshold / 4) : bound;
        return Configuration.Create()
            .WithMaxSchedulingSteps(unfair, bound * 10)
            .WithLivenessTemperatureThreshold((uint)options.LivenessThreshold)
            .WithPotentialDeadlocksReportedAsBugs(true)
            .WithConsoleLoggingEnabled(false)
            .WithTelemetryEnabled(false);
    }

    public ExplorationReport Run(IScenario scenario, ExploreRun run)
    {
        if (run.Swarm) throw new ArgumentException("the Coyote engine runs one configuration per exploration (no --swarm)", nameof(run));
        var config = new ScenarioConfig(run.Backends ?? scenario.DefaultBackends, run.Ops ?? scenario.DefaultOps, 0);
        ExploreOptions options = OptionsFor(scenario, run);
        var host = new CoyoteScenarioHost(scenario, config, options);
        Configuration c = CoyoteStrategies.Apply(BaseConfiguration(options), run.Strategy, StrategyValue(run))
            .WithTestingIterations((uint)run.Iterations)
            .WithRandomGeneratorSeed(CoyoteStrategies.SeedOf(run.Seed));
        var report = new ExplorationReport { Scenario = scenario.Name, Strategy = $"coyote:{CoyoteStrategies.Canonical(run.Strategy)}", Seed = run.Seed };
        var hashes = new HashSet<ulong>();
        var sw = WallClock.StartNew();
        long nextProgress = 250;
        using TestingEngine engine = TestingEngine.Create(c, host.Test);
        engine.SetLogger(new SilentCoyoteLogger());
        engine.RegisterEndIterationCallBack(_ =>
        {
            CoyoteBackendSet s = host.Set;
            report.Iterations++;
            if (host.Instance.Reach is { } hits) (report.Reach ??= new ReachTally($"explore:{scenario.Name}", hits.Goals)).Record(hits);
            report.TotalSteps += s.Trace.Steps;
            report.MinSteps = Math.Min(report.MinSteps, s.Trace.Steps);
            report.MaxStepsSeen = Math.Max(report.MaxStepsSeen, s.Trace.Steps);
            hashes.Add(s.Trace.Hash);
            if (s.Failure is not null) report.Failures++;
            else if (host.IterationCompleted) report.Completed++;
            else report.Bounded++;
            if (Progress is not null && sw.ElapsedMilliseconds >= nextProgress)
            {
                report.DistinctSchedules = hashes.Count;
                report.Seconds = sw.Elapsed.TotalSeconds;
                Progress(report);
                nextProgress = sw.ElapsedMilliseconds + 250;
            }
        });
        engine.Run();
        report.Seconds = sw.Elapsed.TotalSeconds;
        report.DistinctSchedules = hashes.Count;
        report.TotalDecisions = (long)engine.TestReport.TotalExploredFairSteps + engine.TestReport.TotalExploredUnfairSteps;
        if (report.MinSteps == int.MaxValue) report.MinSteps = 0;
        if (engine.TestReport.InternalErrors.Count > 0)
            throw new InvalidOperationException($"Coyote internal error: {engine.TestReport.InternalErrors.First()}");
        if (engine.TestReport.NumOfFoundBugs > 0)
        {
            ExplorationFailure failure = Classify(host.Set, engine.TestReport.BugReports.FirstOrDefault() ?? "");
            if (host.Set.Failure is null)
            {
                // Found by Coyote itself: the end-of-iteration callback counted it as completed or bounded.
                report.Failures++;
                if (host.IterationCompleted) report.Completed--; else report.Bounded--;
            }
            ScheduleTrace trace = host.Set.Trace.Snapshot();
            List<string> lines = TraceFormatter.Format(trace, host.Set.NameOf);
            string token = engine.ReproducibleTrace;
            bool deterministic = true;
            if (run.SelfCheck)
            {
                CoyoteReplay again = Replay(scenario, config, options, token);
                deterministic = again.TraceHash == trace.Hash && again.Failure?.Signature == failure.Signature && again.Steps == trace.Steps;
            }
            string describe = $"coyote {CoyoteStrategies.Canonical(run.Strategy)} value={StrategyValue(run)} coyote-seed={CoyoteStrategies.SeedOf(run.Seed)}";
            report.FirstFailure = new FailureReport(failure, report.Iterations - 1, config, describe, token, lines, 0, null, 0, null, run.SelfCheck, deterministic);
        }
        return report;
    }

    /// <summary>Replays a Coyote schedule trace of <paramref name="scenario"/> in-process (one iteration).</summary>
    public static CoyoteReplay Replay(IScenario scenario, ScenarioConfig config, ExploreOptions options, string traceJson)
    {
        var host = new CoyoteScenarioHost(scenario, config, options);
        Configuration c = BaseConfiguration(options).WithReproducibleTrace(traceJson);
        using TestingEngine engine = TestingEngine.Create(c, host.Test);
        engine.SetLogger(new SilentCoyoteLogger());
        engine.Run();
        ExplorationFailure? failure = engine.TestReport.NumOfFoundBugs > 0 ? Classify(host.Set, engine.TestReport.BugReports.FirstOrDefault() ?? "") : null;
        ScheduleTrace trace = host.Set.Trace.Snapshot();
        return new CoyoteReplay(failure, trace.Steps, trace.Hash, trace, host.Set.NameOf, host.IterationCompleted);
    }

    /// <summary>The failure of the last iteration in our vocabulary: ours if our checks found it,
    /// else Coyote's report classified.</summary>
    internal static ExplorationFailure Classify(CoyoteBackendSet set, string bugReport)
    {
        if (set.Failure is not null) return set.Failure;
        int step = set.Trace.Steps;
        if (bugReport.Contains("liveness bug", StringComparison.Ordinal))
            return new ExplorationFailure(OutcomeKind.Livelock, "hot-wait",
                $"Coyote's liveness monitor stayed hot past its temperature threshold ({set.Options.LivenessThreshold} scheduling steps) under a fair schedule: starvation or a lost wakeup; {set.DescribeWaiters()}\n  coyote: {bugReport}", -1, step);
        if (bugReport.Contains("eadlock", StringComparison.Ordinal))
        {
            ExplorationFailure d = DeadlockAnalyzer.Analyze(set, step);
            return d with { Message = $"{d.Message}\n  coyote: {bugReport}" };
        }
        if (bugReport.Contains("steps bound", StringComparison.Ordinal))
            return new ExplorationFailure(OutcomeKind.Timeout, "max-steps", $"Coyote's scheduling step bound was reached: {bugReport}", -1, step);
        return new ExplorationFailure(OutcomeKind.Crash, "coyote", bugReport, -1, step);
    }
}

/// <summary>The outcome of replaying one Coyote trace: our failure (or none), the step trace and its hash.</summary>
public sealed record CoyoteReplay(ExplorationFailure? Failure, int Steps, ulong TraceHash, ScheduleTrace Trace, Func<ulong, string> NameOf, bool Completed);
