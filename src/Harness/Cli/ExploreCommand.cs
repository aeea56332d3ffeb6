// `harness explore`: systematic concurrency testing of a registered scenario with the controlled
// scheduler. Prints its seed and configuration first, a live progress line (iterations, it/s,
// steps/s, decisions/s, distinct schedules, failures), a summary with the throughput figures, and
// on failure: the failure, the readable (minimized) trace, the replay token, the repro artifact and
// the one command that reproduces it. `--replay TOKEN` replays a token; `--list` lists scenarios.
// `--engine coyote` runs the same scenario under Microsoft Coyote instead (Explore/Coyote).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Harness.Core;
using Harness.Explore.Coyote;
using Harness.Explore.Scenarios;
using Harness.Explore.Strategies;
using Harness.Explore;

using Harness.Report;

namespace Harness.Cli;

public sealed class ExploreCommand : IHarnessCommand
{
    public string Name => "explore";
    public string Summary => "explore a concurrency scenario's schedules (random, pct, dfs, ...); replay a schedule token";

    private readonly Argument<string?> _scenario = CliOptions.Optional("scenario", "a registered scenario, system/name or a bare name when only one system has it (--list lists them)");
    private readonly Option<bool> _list = CliOptions.Flag("--list", "list the scenarios, canaries and strategies");
    private readonly Option<string?> _replay = CliOptions.OptionalText("--replay", "replay a schedule token (SCENARIO may be left out: the token names it)", "TOKEN");
    private readonly Option<string> _engine = CliOptions.Choice("--engine", "explorer", "explorer (our controlled scheduler) or coyote (Microsoft Coyote's TestingEngine)", "explorer", CoyoteEngine.Name);
    private readonly Option<string?> _strategy = CliOptions.OptionalText("--strategy",
        "explorer: random | probabilistic | pct | fair-pct | dfs | portfolio (default pct; fair-pct for liveness scenarios); " +
        "coyote: random | probabilistic | prioritization (= pct) | fair-prioritization (= fair-pct) | delay-bounding | fair-delay-bounding | q-learning", "S");
    private readonly Option<int?> _strategyValue = CliOptions.OptionalInt("--strategy-value", 0, 1_000_000,
        "coyote: the strategy's bound (priority changes, delays, probability level; Coyote's default)", "V");
    private readonly Option<int> _iterations = CliOptions.Int("--iterations", ExploreRun.DefaultIterations, 1, int.MaxValue, "iteration budget; dfs stops earlier when exhausted");
    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", 1, "seed; iteration i of a seeded strategy uses Prng.Derive(S, i)");
    private readonly Option<int?> _maxSteps = CliOptions.OptionalInt("--max-steps", 1, int.MaxValue,
        $"steps per iteration before the step-bound policy applies (default {ExploreOptions.DefaultMaxSteps}; {ExploreOptions.DefaultYieldingMaxSteps} with --spin yielding)", "M");
    private readonly Option<int> _preemptions = CliOptions.Int("--preemptions", DfsStrategy.DefaultMaxPreemptions, -1, 64, "dfs: iterative preemption bounds 0..P; -1 = unbounded", "P");
    private readonly Option<int> _depth = CliOptions.Int("--depth", PctStrategy.DefaultDepth, 1, 64, "pct / fair-pct bug depth", "D");
    private readonly Option<int?> _backends = CliOptions.OptionalInt("--backends", 1, ControlledEngine.MaxBackends, "backends (default: the scenario's)", "B");
    private readonly Option<int?> _ops = CliOptions.OptionalInt("--ops", 1, 100_000, "operations per backend (default: the scenario's)", "K");
    private readonly Option<bool> _swarm = CliOptions.Flag("--swarm", "a new configuration (backends, ops, operation mix) per iteration");
    private readonly Option<string> _spin = CliOptions.Choice("--spin", "blocking",
        "blocking (spin = wait until the word changes) or yielding (faithful; stuck-spinlock PANIC)", "blocking", "yielding");
    private readonly Option<string> _onMaxSteps = CliOptions.Choice("--on-max-steps", "fail", "what a step-bounded iteration is", "fail", "continue");
    private readonly Option<bool> _noMinimize = CliOptions.Flag("--no-minimize", "print the failing schedule as found, without minimizing its preemptions");
    private readonly Option<int> _traceLines = CliOptions.Int("--trace-lines", 100, 1, int.MaxValue, "lines of the schedule printed on failure (the last ones)");
    private readonly Option<string> _artifacts = CliOptions.Text("--artifacts", Path.Combine("out", "explore"), "where the repro artifact goes", "DIR");
    private readonly Option<string?> _events = CliOptions.OptionalText("--events",
        "the JSONL event log: configuration, periodic stats, the finding, end counts (default ARTIFACTS/events.jsonl; '-': stdout alone)", "FILE");
    private readonly RegressionsFirst _regressions = new();
    private readonly Option<string?> _progress = Report.Progress.ProgressModes.Option();
    private readonly Option<Gate.GateShard> _shard = CliOptions.Shard(
        "run only iterations i with i mod N = I-1 (random and probabilistic only: N machines with 1/N..N/N run exactly this command's iterations between them)");

    public void Declare(Command command, SystemRegistry systems)
    {
        CliOptions.Complete(_scenario, ScenarioSet.All(systems).Select(x => ScenarioSet.Qualified(x.System, x.Scenario)));
        CliOptions.Complete(_strategy, StrategyFactory.Names.Concat(CoyoteStrategies.Names).Distinct());
        command.AddAll(_scenario, _list, _replay, _engine, _strategy, _strategyValue, _iterations, _seed, _maxSteps, _preemptions, _depth,
            _backends, _ops, _swarm, _spin, _onMaxSteps, _noMinimize, _traceLines, _artifacts, _events, _shard, _progress);
        _regressions.AddTo(command);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool list = args.Value(_list);
        string? replay = args.Get(_replay);
        string? strategyArg = args.Get(_strategy);
        string engineName = args.Value(_engine);
        int? strategyValue = args.Get(_strategyValue);
        int iterations = args.Value(_iterations);
        ulong seed = args.Value(_seed);
        string spin = args.Value(_spin);
        SpinMode spinMode = spin == "yielding" ? SpinMode.Yielding : SpinMode.Blocking;
        int preemptions = args.Value(_preemptions);
        int depth = args.Value(_depth);
        int? backends = args.Get(_backends);
        int? ops = args.Get(_ops);
        // one engine configuration for both engines: the step bound's default depends on the spin mode
        var engineOptions = new ExploreOptions
        {
            MaxSteps = args.Get(_maxSteps) ?? (spinMode == SpinMode.Yielding ? ExploreOptions.DefaultYieldingMaxSteps : ExploreOptions.DefaultMaxSteps),
            SpinMode = spinMode,
            StepBoundPolicy = args.Value(_onMaxSteps) == "continue" ? StepBoundPolicy.Continue : StepBoundPolicy.Fail,
        };
        bool swarm = args.Value(_swarm);
        int traceLines = args.Value(_traceLines);
        string artifacts = args.Value(_artifacts);
        string? eventsPath = args.Get(_events);
        Gate.GateShard shard = args.Value(_shard);
        (bool regressions, bool stopOnRegression, string? repoArg) = _regressions.Options(args);
        string? progress = args.Get(_progress);

        if (list)
        {
            var all = ScenarioSet.All(args.Systems).ToList();
            stdout.WriteLine("scenarios:");
            foreach (var (sys, _, s) in all.Where(x => !x.Scenario.IsCanary))
                stdout.WriteLine($"  {ScenarioSet.Qualified(sys, s),-42} {s.Description} [{s.MinBackends}..{s.MaxBackends} backends, default {s.DefaultBackends}x{s.DefaultOps}]{(s.NeedsFairness ? " (fair strategies)" : "")}");
            stdout.WriteLine("canaries (deliberately broken; the explorer must catch them):");
            foreach (var (sys, _, s) in all.Where(x => x.Scenario.IsCanary)) stdout.WriteLine($"  {ScenarioSet.Qualified(sys, s),-42} {s.Description}");
            stdout.WriteLine("(a bare scenario name works when only one system has it)");
            stdout.WriteLine($"strategies: {string.Join(", ", StrategyFactory.Names)}");
            return ExitCodes.Ok;
        }
        if (replay is not null) return Replay(args.Systems, args.Get(_scenario), replay, stdout);

        string name = args.Get(_scenario) ?? throw new UsageException("which scenario? (harness explore --list)");
        (ISystem system, IScenario scenario) = ScenarioSet.Resolve(args.Systems, name);
        name = ScenarioSet.Qualified(system, scenario);
        string strategy = strategyArg ?? (scenario.NeedsFairness ? "fair-pct" : "pct");
        using var output = Report.Progress.CampaignOutput.Open("explore", eventsPath ?? Path.Combine(artifacts, "events.jsonl"), progress, stdout, stderr);
        EventLog events = output.Events;
        Report.Progress.ProgressSink sink = output.Progress;
        stdout = output.Out;
        int regressed = regressions ? RegressionsFirst.Run(repoArg, args.Systems, system, events, "explore", stdout) : 0;
        if (regressed > 0 && stopOnRegression) return ExitCodes.Finding;
        if (shard.Count > 1 && (engineName == CoyoteEngine.Name || !ExploreRun.ShardableStrategies.Contains(strategy)))
            throw new UsageException($"--shard needs our explorer with a strategy whose iterations are independent ({string.Join(", ", ExploreRun.ShardableStrategies)}); " +
                                     $"{(engineName == CoyoteEngine.Name ? "the coyote engine" : strategy)} would run different schedules in shards than on one machine");
        if (engineName == CoyoteEngine.Name)
        {
            if (swarm) throw new UsageException("--swarm is not supported by the coyote engine (one configuration per run)");
            if (!CoyoteStrategies.Names.Contains(strategy)) throw new UsageException($"unknown coyote strategy '{strategy}' (known: {string.Join(", ", CoyoteStrategies.Names)})");
            if (scenario.NeedsFairness && !CoyoteStrategies.IsFair(strategy))
                throw new UsageException($"{name} checks liveness and needs a fair strategy (random, probabilistic, fair-prioritization, fair-delay-bounding), not {strategy}");
            if (backends is int cb && (cb < scenario.MinBackends || cb > scenario.MaxBackends))
                throw new UsageException($"{name} runs {scenario.MinBackends}..{scenario.MaxBackends} backends");
            var crun = new ExploreRun
            {
                Strategy = strategy, Seed = seed, Iterations = iterations, StrategyValue = strategyValue, Backends = backends, Ops = ops,
                Engine = engineOptions,
            };
            Start(events, name, CoyoteEngine.Name, crun, scenario);
            return RunCoyote(name, scenario, crun, spin, traceLines, artifacts, stdout, events, regressed, sink.Mode == Report.Progress.ProgressMode.Live);
        }
        if (!StrategyFactory.Names.Contains(strategy)) throw new UsageException($"unknown strategy '{strategy}' (known: {string.Join(", ", StrategyFactory.Names)})");
        if (scenario.NeedsFairness && strategy is "pct" or "dfs")
            throw new UsageException($"{name} checks liveness and needs a fair strategy (fair-pct, random, probabilistic, portfolio), not {strategy}");
        if (backends is int bk && (bk < scenario.MinBackends || bk > scenario.MaxBackends))
            throw new UsageException($"{name} runs {scenario.MinBackends}..{scenario.MaxBackends} backends");

        var run = new ExploreRun
        {
            Strategy = strategy, Seed = seed, Iterations = iterations, Depth = depth, Preemptions = preemptions,
            Backends = backends, Ops = ops, Swarm = swarm, Minimize = !args.Value(_noMinimize), ShardIndex = shard.Index, ShardCount = shard.Count,
            Engine = engineOptions,
        };
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: scenario={name} strategy={strategy} seed={seed} iterations={iterations} max-steps={engineOptions.MaxSteps} spin={spin} " +
            $"{(swarm ? "swarm" : $"backends={backends ?? scenario.DefaultBackends} ops={ops ?? scenario.DefaultOps}")}{(strategy == "dfs" ? $" preemptions=0..{preemptions}" : "")}{(strategy.Contains("pct", StringComparison.Ordinal) ? $" depth={depth}" : "")}{(shard.Count > 1 ? $" shard={shard}" : "")}"));
        Start(events, name, "explorer", run, scenario);
        stdout.WriteLine($"explore: events={events.Path}");
        using var explorer = new Explorer();
        bool live = sink.Mode == Report.Progress.ProgressMode.Live;   // the panel shows the progress lines' numbers
        explorer.Progress = r =>
        {
            Stats(events, r);
            if (!live) stdout.WriteLine(ProgressLine(r, iterations));
        };
        ExplorationReport report = explorer.Run(scenario, run);
        End(events, report);
        stdout.WriteLine(ProgressLine(report, iterations));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: {report.Iterations} iterations ({report.Completed} completed, {report.Bounded} bounded, {report.Failures} failed){(report.Exhausted ? ", search exhausted" : "")}; " +
            $"{report.TotalSteps} steps, {report.TotalDecisions} decisions; steps/iteration min/avg/max {report.MinSteps}/{(report.Iterations == 0 ? 0 : report.TotalSteps / report.Iterations)}/{report.MaxStepsSeen}; " +
            $"{report.DistinctSchedules} distinct schedules; {report.Seconds:0.00} s"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: throughput {report.IterationsPerSecond:0} iterations/s, {report.StepsPerSecond:0} decisions/s (scheduling points), {(report.Seconds > 0 ? report.TotalDecisions / report.Seconds : 0):0} choices/s (points with more than one runnable backend)"));
        if (report.Reach is { } reach) stdout.WriteLine($"explore: {ReachTally.Summary(reach.Counts)}");
        FailureReport? f = report.FirstFailure;
        if (f is null) return regressed > 0 ? ExitCodes.Finding : ExitCodes.Ok;

        stdout.WriteLine($"FAILURE: {f.Failure.Kind.Name()} ({f.Failure.Site}) at step {f.Failure.Step} of iteration {f.Iteration} [{f.StrategyDescription}; {f.Config}]");
        stdout.WriteLine($"  {f.Failure.Message.Replace("\n", "\n  ", StringComparison.Ordinal)}");
        stdout.WriteLine($"determinism self-check: {(f.DeterminismChecked ? (f.Deterministic ? "replay matched (same trace hash, same failure)" : "MISMATCH: the replay differed; the scenario is not deterministic") : "skipped")}");
        IReadOnlyList<string> trace = f.MinimizedTrace ?? f.Trace;
        stdout.WriteLine(f.MinimizedTrace is null
            ? $"schedule ({f.Preemptions} preemptions, {trace.Count - 1} steps), one lane per backend; \"holds\" is what the backend holds before the step below it:"
            : $"minimized schedule ({f.Preemptions} -> {f.MinimizedPreemptions} preemptions, {trace.Count - 1} steps), one lane per backend; \"holds\" is what the backend holds before the step below it:");
        if (f.Lanes is { } lanes)
        {
            // the header and rule, then the last lines (the failure is at the end)
            foreach (string line in lanes.Take(2)) stdout.WriteLine($"  {line}");
            int from = Math.Max(2, lanes.Count - traceLines);
            if (from > 2) stdout.WriteLine($"  ... {from - 2} earlier lines omitted (--trace-lines N shows more)");
            foreach (string line in lanes.Skip(from)) stdout.WriteLine($"  {line}");
        }
        else
        {
            stdout.WriteLine($"  {trace[0]}");
            foreach (string line in trace.Skip(Math.Max(1, trace.Count - traceLines))) stdout.WriteLine($"  {line}");
        }
        string token = f.MinimizedToken ?? f.Token;
        string file = Path.Combine(artifacts, $"explore-{name.Replace('/', '-')}-{strategy}-{seed}.json");
        ExploreArtifacts.Build(name, run, f).Save(file);
        Finding(events, f, file);
        stdout.WriteLine($"token: {token}");
        stdout.WriteLine($"artifact: {file}");
        stdout.WriteLine($"reproduce: harness repro {file}");
        stdout.WriteLine($"       or: harness explore {name} --replay {token}");
        return ExitCodes.Finding;
    }

    /// <param name="regressed">Saved failures that regressed before the campaign (--on-regression continue): the exit code is 1 then.</param>
    private static int RunCoyote(string name, IScenario scenario, ExploreRun run, string spin, int traceLines, string artifacts, TextWriter stdout, EventLog events, int regressed, bool live)
    {
        string strategy = CoyoteStrategies.Canonical(run.Strategy);
        ExploreOptions options = CoyoteEngine.OptionsFor(scenario, run);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: engine=coyote scenario={name} strategy={strategy} strategy-value={CoyoteEngine.StrategyValue(run)} seed={run.Seed} (coyote seed {CoyoteStrategies.SeedOf(run.Seed)}) " +
            $"iterations={run.Iterations} max-steps={run.Engine.MaxSteps} spin={spin} backends={run.Backends ?? scenario.DefaultBackends} ops={run.Ops ?? scenario.DefaultOps} " +
            $"liveness={(options.Liveness ? $"monitor, threshold {options.LivenessThreshold}" : "off")}"));
        var engine = new CoyoteEngine();
        engine.Progress = r =>
        {
            Stats(events, r);
            if (!live) stdout.WriteLine(ProgressLine(r, run.Iterations));
        };
        ExplorationReport report = engine.Run(scenario, run);
        End(events, report);
        stdout.WriteLine(ProgressLine(report, run.Iterations));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: {report.Iterations} iterations ({report.Completed} completed, {report.Bounded} bounded, {report.Failures} failed); " +
            $"{report.TotalSteps} steps, {report.TotalDecisions} coyote scheduling steps; steps/iteration min/avg/max {report.MinSteps}/{(report.Iterations == 0 ? 0 : report.TotalSteps / report.Iterations)}/{report.MaxStepsSeen}; " +
            $"{report.DistinctSchedules} distinct schedules; {report.Seconds:0.00} s"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: throughput {report.IterationsPerSecond:0} iterations/s, {report.StepsPerSecond:0} decisions/s (scheduling points), {(report.Seconds > 0 ? report.TotalDecisions / report.Seconds : 0):0} coyote scheduling steps/s"));
        if (report.Reach is { } reach) stdout.WriteLine($"explore: {ReachTally.Summary(reach.Counts)}");
        FailureReport? f = report.FirstFailure;
        if (f is null) return regressed > 0 ? ExitCodes.Finding : ExitCodes.Ok;

        stdout.WriteLine($"FAILURE: {f.Failure.Kind.Name()} ({f.Failure.Site}) at step {f.Failure.Step} of iteration {f.Iteration} [{f.StrategyDescription}; {f.Config}]");
        stdout.WriteLine($"  {f.Failure.Message.Replace("\n", "\n  ", StringComparison.Ordinal)}");
        stdout.WriteLine($"determinism self-check: {(f.DeterminismChecked ? (f.Deterministic ? "replay matched (same trace hash, same failure, same step)" : "MISMATCH: the Coyote replay differed") : "skipped")}");
        stdout.WriteLine($"trace (last {Math.Min(traceLines, f.Trace.Count - 1)} of {f.Trace.Count - 1} steps):");
        stdout.WriteLine($"  {f.Trace[0]}");
        foreach (string line in f.Trace.Skip(Math.Max(1, f.Trace.Count - traceLines))) stdout.WriteLine($"  {line}");
        string file = Path.Combine(artifacts, $"coyote-{name.Replace('/', '-')}-{strategy}-{run.Seed}.json");
        string traceFile = CoyoteArtifacts.Save(CoyoteArtifacts.Build(name, run, options, f), file);
        Finding(events, f, file);
        stdout.WriteLine($"artifact: {file} (coyote trace: {traceFile})");
        stdout.WriteLine($"reproduce: harness repro {file}");
        stdout.WriteLine($"   under coyote's CLI: {CoyoteArtifacts.CoyoteReplayCommand(file, Path.Combine(AppContext.BaseDirectory, "harness.dll"))}");
        return ExitCodes.Finding;
    }

    private static void Start(EventLog events, string name, string engine, ExploreRun run, IScenario scenario) =>
        events.Write("start", ("scenario", name), ("explore_engine", engine), ("strategy", run.Strategy), ("seed", run.Seed), ("iterations", run.Iterations),
            ("backends", run.Backends ?? scenario.DefaultBackends), ("ops", run.Ops ?? scenario.DefaultOps), ("swarm", run.Swarm),
            ("max_steps", run.Engine.MaxSteps), ("spin", run.Engine.SpinMode.ToString()), ("depth", run.Depth), ("preemptions", run.Preemptions), ("shard", $"{run.ShardIndex}/{run.ShardCount}"));

    private static void Stats(EventLog events, ExplorationReport r) =>
        events.Write("stats", ("iterations", r.Iterations), ("it_per_s", r.IterationsPerSecond), ("decisions_per_s", r.StepsPerSecond),
            ("distinct_schedules", r.DistinctSchedules), ("failures", r.Failures), ("reach", r.Reach?.Counts));

    private static void End(EventLog events, ExplorationReport r)
    {
        Stats(events, r);   // the last point of the plots, also for runs shorter than one progress period
        events.Write("end", ("iterations", r.Iterations), ("completed", r.Completed), ("bounded", r.Bounded), ("failures", r.Failures),
            ("exhausted", r.Exhausted), ("steps", r.TotalSteps), ("decisions", r.TotalDecisions), ("distinct_schedules", r.DistinctSchedules),
            ("reach", r.Reach?.Counts));
    }

    private static void Finding(EventLog events, FailureReport f, string artifact) =>
        events.Write("finding", ("signature", f.Failure.Signature), ("kind", f.Failure.Kind.Name()), ("step", f.Failure.Step), ("iteration", f.Iteration),
            ("reason", ExplorationFailure.FirstLine(f.Failure.Message)), ("deterministic", f.Deterministic), ("artifact", artifact), ("repro", $"harness repro {artifact}"),
            ("backends", f.LaneLog?.Backends ?? 0),
            ("lanes", f.LaneLog?.Events.Select(e => new object?[] { e.Backend, e.Step, e.Kind.ToString(), e.Text, e.Holds }) ?? Enumerable.Empty<object?[]>()));

    private static string ProgressLine(ExplorationReport r, int budget) => string.Create(CultureInfo.InvariantCulture,
        $"  it {r.Iterations}/{budget}  {r.IterationsPerSecond:0} it/s  {r.StepsPerSecond:0} decisions/s  distinct {r.DistinctSchedules}  failures {r.Failures}");

    private static int Replay(SystemRegistry systems, string? scenarioName, string tokenText, TextWriter stdout)
    {
        ScheduleToken token = ScheduleToken.Decode(tokenText);
        (_, IScenario scenario) = ScenarioSet.Resolve(systems, scenarioName ?? token.Scenario);
        var sw = WallClock.StartNew();
        IterationResult r = ExploreReplayer.ReplayToken(scenario, token, stdout);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replayed {r.Steps} steps in {sw.Elapsed.TotalMilliseconds:0.0} ms; trace hash {(r.TraceHash == token.Trace.Hash ? "matches" : "DIFFERS from")} the recorded one"));
        return r.Failure is null ? ExitCodes.Ok : ExitCodes.Finding;
    }
}
