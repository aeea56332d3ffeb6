// Explorer: runs a scenario under a strategy for a budget of iterations on one ControlledEngine,
// and turns the first failure into a report: replay token and readable trace, a determinism
// self-check (replay and compare trace hashes), and a minimized schedule (preemptions removed while
// the same failure signature holds). Budgets are counts; the clock only feeds the progress line.
using System.Diagnostics;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore.Strategies;

namespace Harness.Explore;

public sealed class Explorer : IDisposable
{
    private readonly ControlledEngine _engine = new();
    private ScenarioInstance? _instance;
    private IScenario? _instanceScenario;

    public ControlledEngine Engine => _engine;

    /// <summary>Called about every 250 ms of wall time with the report so far (progress lines).</summary>
    public Action<ExplorationReport>? Progress { get; set; }

    public ScenarioInstance Instance(IScenario scenario, ScenarioConfig config)
    {
        if (_instance is not null && _instanceScenario == scenario && _instance.Config == config) return _instance;
        _engine.FreshMemories(config.Backends);
        var rts = Enumerable.Range(0, config.Backends).Select(i => (Allocator.Sync.ISyncRuntime)_engine.Runtime(i)).ToList();
        _instance = scenario.Create(config, rts);
        _instanceScenario = scenario;
        return _instance;
    }

    /// <summary>One iteration of <paramref name="scenario"/> in <paramref name="config"/>, including the end-state checks.</summary>
    public IterationResult RunOnce(IScenario scenario, ScenarioConfig config, ISchedulingStrategy strategy, ExploreOptions options, ScheduleTrace? expected = null)
    {
        ScenarioInstance inst = Instance(scenario, config);
        inst.Reset();
        inst.Reach?.Clear();
        IterationResult r = _engine.RunIteration(inst.Bodies, strategy, options, inst.HeldBy, expected, inst.CheckStep);
        if (r.Outcome == IterationOutcome.Completed)
        {
            try
            {
                inst.CheckFinal();
            }
            catch (Exception e)
            {
                r = r with { Outcome = IterationOutcome.Failed, Failure = ExplorationFailure.FromException(e, -1, r.Steps) };
            }
        }
        return r;
    }

    public ExplorationReport Run(IScenario scenario, ExploreRun run)
    {
        ISchedulingStrategy strategy = StrategyFactory.Create(run.Strategy, run.Seed, run.Depth, run.Preemptions);
        var report = new ExplorationReport { Scenario = scenario.Name, Strategy = run.Strategy, Seed = run.Seed };
        var hashes = new HashSet<ulong>();
        ScenarioConfig fixedConfig = new(run.Backends ?? scenario.DefaultBackends, run.Ops ?? scenario.DefaultOps, 0);
        ExploreOptions unfair = run.Engine with { Liveness = false };
        ExploreOptions fair = run.Engine with { Liveness = scenario.NeedsFairness };
        var sw = WallClock.StartNew();
        long nextProgress = 250;
        if (run.ShardCount > 1 && !ExploreRun.ShardableStrategies.Contains(run.Strategy))
            throw new ArgumentException($"strategy {run.Strategy} cannot be sharded (iterations depend on earlier ones)", nameof(run));
        for (int it = 0; it < run.Iterations; it++)
        {
            if (run.ShardCount > 1 && it % run.ShardCount != run.ShardIndex - 1) continue;
            ScenarioConfig config = run.Swarm ? ScenarioConfig.Swarm(scenario, run.Seed, it) : fixedConfig;
            if (!strategy.BeginIteration(it, config.Backends))
            {
                report.Exhausted = true;
                break;
            }
            string describe = strategy.Describe();
            // Liveness monitors only mean something under a fair schedule (the token records the choice).
            ExploreOptions options = strategy.IsFair ? fair : unfair;
            IterationResult r = RunOnce(scenario, config, strategy, options);
            if (_instance!.Reach is { } hits) (report.Reach ??= new ReachTally($"explore:{scenario.Name}", hits.Goals)).Record(hits);
            strategy.EndIteration(r.Decisions);
            report.Iterations++;
            report.TotalSteps += r.Steps;
            report.TotalDecisions += r.Decisions;
            report.MinSteps = Math.Min(report.MinSteps, r.Steps);
            report.MaxStepsSeen = Math.Max(report.MaxStepsSeen, r.Steps);
            hashes.Add(r.TraceHash);
            if (r.Outcome == IterationOutcome.Completed) report.Completed++;
            else if (r.Outcome == IterationOutcome.Bounded) report.Bounded++;
            else
            {
                report.Failures++;
                if (report.FirstFailure is null) report.FirstFailure = Describe(scenario, config, options, r.Failure!, it, describe, run);
                if (run.StopOnFirstFailure) break;
            }
            if (Progress is not null && sw.ElapsedMilliseconds >= nextProgress)
            {
                report.DistinctSchedules = hashes.Count;
                report.Seconds = sw.Elapsed.TotalSeconds;
                Progress(report);
                nextProgress = sw.ElapsedMilliseconds + 250;
            }
        }
        if (strategy is DfsStrategy dfs) report.Exhausted |= dfs.Exhausted;
        report.DistinctSchedules = hashes.Count;
        report.Seconds = sw.Elapsed.TotalSeconds;
        if (report.MinSteps == int.MaxValue) report.MinSteps = 0;
        return report;
    }

    private FailureReport Describe(IScenario scenario, ScenarioConfig config, ExploreOptions options, ExplorationFailure failure, int iteration, string describe, ExploreRun run)
    {
        ScheduleTrace trace = _engine.Trace.Snapshot();
        int[] decisions = trace.DecisionList();
        var token = new ScheduleToken(scenario.Name, config, options, decisions, trace);
        List<string> lines = TraceFormatter.Format(trace, _engine.NameOf);
        bool checkedDet = false, deterministic = true;
        if (run.SelfCheck)
        {
            IterationResult again = Replay(scenario, token);
            checkedDet = true;
            deterministic = again.TraceHash == trace.Hash && again.Failure?.Signature == failure.Signature;
        }
        string? minToken = null;
        List<string>? minLines = null;
        int minPre = trace.Preemptions;
        if (run.Minimize)
        {
            (ScheduleTrace? m, _) = Minimizer.Minimize(this, scenario, config, options, trace, failure);
            if (m is not null)
            {
                minToken = new ScheduleToken(scenario.Name, config, options, m.DecisionList(), m).Encode();
                minLines = TraceFormatter.Format(m, _engine.NameOf);
                minPre = m.Preemptions;
            }
        }
        // the lanes view of the schedule the report leads with (the minimized one when there is one)
        ScheduleToken shown = minToken is null ? token : ScheduleToken.Decode(minToken);
        (IterationResult lanesRun, Lanes.LaneLog log) = ReplayWithLanes(scenario, shown);
        List<string> lanes = Lanes.LaneFormatter.Format(log);
        lanes.Add($"outcome: {(lanesRun.Failure is null ? "completed (the replay did not fail)" : lanesRun.Failure.ToOutcome().ToString())}");
        return new FailureReport(failure, iteration, config, describe, token.Encode(), lines, trace.Preemptions, minToken, minPre, minLines, checkedDet, deterministic)
        {
            Lanes = lanes,
            LaneLog = log,
        };
    }

    /// <summary>Replays a token strictly and records the lanes view's log on the way (backend
    /// steps, holdings, the scenario's notes); the failure, if any, is the replay's.</summary>
    public (IterationResult Result, Lanes.LaneLog Log) ReplayWithLanes(IScenario scenario, ScheduleToken token)
    {
        ScenarioInstance inst = Instance(scenario, token.Config);
        var log = new Lanes.LaneLog(token.Config.Backends);
        inst.Lanes = log;
        _engine.Lanes = log;
        _engine.HoldingOf = inst.Holding;
        try
        {
            return (Replay(scenario, token), log);
        }
        finally
        {
            inst.Lanes = null;
            _engine.Lanes = null;
            _engine.HoldingOf = null;
        }
    }

    /// <summary>Replays a token strictly: every decision as recorded, every step validated.</summary>
    public IterationResult Replay(IScenario scenario, ScheduleToken token) =>
        RunOnce(scenario, token.Config, new ReplayStrategy(token.Decisions), token.Options, token.Trace);

    public void Dispose() => _engine.Dispose();
}
