// `harness explore`: systematic concurrency testing of a registered scenario with the controlled
// scheduler. Prints its seed and configuration first, a live progress line (iterations, it/s,
// steps/s, decisions/s, distinct schedules, failures), a summary with the throughput figures, and
// on failure: the failure, the readable (minimized) trace, the replay token, the repro artifact and
// the one command that reproduces it. `--replay TOKEN` replays a token; `--list` lists scenarios.
// `--engine coyote` runs the same scenario under Microsoft Coyote instead (Explore/Coyote).
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
    public string Usage => """
        usage: harness explore SCENARIO [--engine explorer|coyote] [--strategy S] [--iterations N] [--seed S] [--max-steps M] [--preemptions P]
                               [--depth D] [--backends B] [--ops K] [--swarm] [--spin blocking|yielding]
                               [--on-max-steps fail|continue] [--no-minimize] [--trace-lines N] [--artifacts DIR] [--events FILE] [--shard I/N]
                               [--regressions [--on-regression stop|continue] [--repo DIR]] [--progress live|plain|none]
               harness explore [SCENARIO] --replay TOKEN
               harness explore --list
          --engine E        explorer (default: our controlled scheduler) or coyote (Microsoft Coyote's TestingEngine)
          --strategy S      random | probabilistic | pct | fair-pct | dfs | portfolio (default pct; fair-pct for liveness scenarios)
                            coyote: random | probabilistic | prioritization (= pct) | fair-prioritization (= fair-pct) |
                            delay-bounding | fair-delay-bounding | q-learning
          --strategy-value V  coyote: the strategy's bound (priority changes, delays, probability level; Coyote's default)
          --iterations N    iteration budget (default 1000); dfs stops earlier when exhausted
          --seed S          seed (default 1); iteration i of a seeded strategy uses Prng.Derive(S, i)
          --max-steps M     steps per iteration before the step-bound policy applies (default 20000; 200000 with --spin yielding)
          --preemptions P   dfs: iterative preemption bounds 0..P (default 3; -1 = unbounded)
          --depth D         pct / fair-pct bug depth (default 3)
          --backends B      backends (default: the scenario's); --ops K operations per backend
          --swarm           a new configuration (backends, ops, operation mix) per iteration
          --spin MODE       blocking (default: spin = wait until the word changes) or yielding (faithful; stuck-spinlock PANIC)
          --on-max-steps    fail (default) or continue
          --trace-lines N   lines of the schedule printed on failure (default 100, the last ones)
          --artifacts DIR   where the repro artifact goes (default out/explore)
          --shard I/N       run only iterations i with i mod N = I-1 (random and probabilistic only: N machines
                            with 1/N..N/N run exactly this command's iterations between them)
          --events FILE     the JSONL event log: configuration, periodic stats, the finding, end counts (default ARTIFACTS/events.jsonl; '-': stdout alone)
          --progress M      status display: live panel (terminal), plain progress lines (and on stderr every 30 s), none
        """ + "\n" + RegressionsFirst.Usage;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool list = args.Flag("list");
        string? replay = args.String("replay");
        string? strategyArg = args.String("strategy");
        string engineName = args.String("engine", "explorer");
        if (engineName is not ("explorer" or CoyoteEngine.Name)) throw new UsageException($"--engine is explorer or coyote, not '{engineName}'");
        int? strategyValue = args.String("strategy-value") is null ? null : args.Int("strategy-value", 0, 0, 1_000_000);
        int iterations = args.Int("iterations", ExploreRun.DefaultIterations, 1, int.MaxValue);
        ulong seed = args.ULong("seed", 1);
        string spin = args.String("spin", "blocking");
        if (spin is not ("blocking" or "yielding")) throw new UsageException($"--spin is blocking or yielding, not '{spin}'");
        SpinMode spinMode = spin == "yielding" ? SpinMode.Yielding : SpinMode.Blocking;
        int maxSteps = args.Int("max-steps", spinMode == SpinMode.Yielding ? ExploreOptions.DefaultYieldingMaxSteps : ExploreOptions.DefaultMaxSteps, 1, int.MaxValue);
        int preemptions = args.Int("preemptions", DfsStrategy.DefaultMaxPreemptions, -1, 64);
        int depth = args.Int("depth", PctStrategy.DefaultDepth, 1, 64);
        int? backends = args.String("backends") is null ? null : args.Int("backends", 0, 1, ControlledEngine.MaxBackends);
        int? ops = args.String("ops") is null ? null : args.Int("ops", 0, 1, 100_000);
        bool swarm = args.Flag("swarm");
        string onMax = args.String("on-max-steps", "fail");
        if (onMax is not ("fail" or "continue")) throw new UsageException($"--on-max-steps is fail or continue, not '{onMax}'");
        bool noMinimize = args.Flag("no-minimize");
        int traceLines = args.Int("trace-lines", 100, 1, int.MaxValue);
        string artifacts = args.String("artifacts", Path.Combine("out", "explore"));
        string? eventsPath = args.String("events");
        Gate.GateShard shard = args.String("shard") is string sh ? Gate.GateShard.Parse(sh) : Gate.GateShard.All;
        (bool regressions, bool stopOnRegression, string? repoArg) = RegressionsFirst.Options(args);
        string? progress = Report.Progress.ProgressModes.Read(args);
        args.RejectUnknown();

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
            return Program.ExitOk;
        }
        if (replay is not null) return Replay(args.Systems, args.Positional0, replay, stdout);

        string name = args.Positional0 ?? throw new UsageException("which scenario? (harness explore --list)");
        (ISystem system, IScenario scenario) = ScenarioSet.Resolve(args.Systems, name);
        name = ScenarioSet.Qualified(system, scenario);
        string strategy = strategyArg ?? (scenario.NeedsFairness ? "fair-pct" : "pct");
        using var output = Report.Progress.CampaignOutput.Open("explore", eventsPath ?? Path.Combine(artifacts, "events.jsonl"), progress, stdout, stderr);
        EventLog events = output.Events;
        Report.Progress.ProgressSink sink = output.Progress;
        stdout = output.Out;
        int regressed = regressions ? RegressionsFirst.Run(repoArg, args.Systems, system, events, "explore", stdout) : 0;
        if (regressed > 0 && stopOnRegression) return Program.ExitFailure;
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
                Engine = new ExploreOptions { MaxSteps = maxSteps, SpinMode = spinMode, StepBoundPolicy = onMax == "continue" ? StepBoundPolicy.Continue : StepBoundPolicy.Fail },
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
            Backends = backends, Ops = ops, Swarm = swarm, Minimize = !noMinimize, ShardIndex = shard.Index, ShardCount = shard.Count,
            Engine = new ExploreOptions { MaxSteps = maxSteps, SpinMode = spinMode, StepBoundPolicy = onMax == "continue" ? StepBoundPolicy.Continue : StepBoundPolicy.Fail },
        };
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explore: scenario={name} strategy={strategy} seed={seed} iterations={iterations} max-steps={maxSteps} spin={spin} " +
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
        if (f is null) return regressed > 0 ? Program.ExitFailure : Program.ExitOk;

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
        return Program.ExitFailure;
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
        if (f is null) return regressed > 0 ? Program.ExitFailure : Program.ExitOk;

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
        return Program.ExitFailure;
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
        return r.Failure is null ? Program.ExitOk : Program.ExitFailure;
    }
}
