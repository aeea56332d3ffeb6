// ExploreGateSuite: the explorer's part of `harness gate`: a bounded exploration of every correct
// scenario under several strategies (which must find nothing: zero false alarms), and every canary
// under the strategy and budget stated in CanaryCatalog (which must be caught, with the stated kind).
// Fixed seeds derived from the gate seed; budgets scale with --scale. About 10-20 s at scale 1.
using System.Diagnostics;
using Allocator.Common;
using Harness.Gate;
using Harness.Systems.Locks.Canaries;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Gate;

public sealed class ExploreGateSuite : IGateSuite
{
    public const int BaseIterations = 200;

    public string Name => "explore";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        using var explorer = new Explorer();
        ulong n = 0;
        foreach (IScenario s in ScenarioRegistry.Correct)
        {
            string[] strategies = s.NeedsFairness ? ["fair-pct", "random", "probabilistic"] : ["pct", "random", "dfs", "portfolio"];
            foreach (string strategy in strategies)
            {
                ulong seed = Prng.Derive(options.Seed, n++);
                var run = new ExploreRun
                {
                    Strategy = strategy,
                    Seed = seed,
                    Iterations = BaseIterations * options.Scale,
                    Preemptions = 2,
                    Swarm = strategy == "portfolio",
                    Minimize = true,
                };
                results.Add(Check(explorer, s, run, mustFail: false, null, options, log));
            }
        }
        foreach (CanaryExpectation c in CanaryCatalog.Expectations)
        {
            IScenario s = ScenarioRegistry.Find(c.Name)!;
            var run = new ExploreRun
            {
                Strategy = c.Strategy,
                Seed = c.Seed,
                Iterations = c.Budget,
                Engine = c.SpinMode == SpinMode.Yielding ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps } : new ExploreOptions(),
                Minimize = false,
                SelfCheck = true,
            };
            results.Add(Check(explorer, s, run, mustFail: true, c.ExpectedKind, options, log));
        }
        return results;
    }

    private GateResult Check(Explorer explorer, IScenario s, ExploreRun run, bool mustFail, string? kind, GateOptions options, TextWriter log)
    {
        var sw = Stopwatch.StartNew();
        string caseName = $"{s.Name}/{run.Strategy}{(run.Engine.SpinMode == SpinMode.Yielding ? "/yielding" : "")}";
        string repro = $"harness explore {s.Name} --strategy {run.Strategy} --seed {run.Seed} --iterations {run.Iterations}" +
                       (run.Swarm ? " --swarm" : "") + (run.Engine.SpinMode == SpinMode.Yielding ? " --spin yielding" : "") +
                       (run.Strategy == "dfs" ? $" --preemptions {run.Preemptions}" : "");
        ExplorationReport r;
        try
        {
            r = explorer.Run(s, run);
        }
        catch (Exception e)
        {
            return new GateResult(Name, caseName, false, $"explorer crashed: {e.GetType().Name}: {e.Message}", repro, sw.Elapsed.TotalSeconds);
        }
        FailureReport? f = r.FirstFailure;
        string counts = $"{r.Iterations} iterations, {r.TotalSteps} steps, {r.DistinctSchedules} distinct schedules{(r.Exhausted ? ", exhausted" : "")}";
        if (!mustFail)
        {
            if (f is null) return new GateResult(Name, caseName, true, counts, null, sw.Elapsed.TotalSeconds);
            string artifact = Path.Combine(options.ArtifactDir, $"explore-{s.Name}-{run.Strategy}-{run.Seed}.json");
            ExploreArtifacts.Build(s, run, f).Save(artifact);
            log.WriteLine($"    explore: {s.Name} failed: {f.Failure}");
            return new GateResult(Name, caseName, false, $"FALSE ALARM or real bug: {f.Failure.Kind} ({f.Failure.Site}) at iteration {f.Iteration}: {ExploreArtifacts.FirstLine(f.Failure.Message)}; artifact {artifact}",
                $"harness repro {artifact}  (or: {repro})", sw.Elapsed.TotalSeconds);
        }
        if (f is not null && f.Failure.Kind == kind && f.Deterministic)
            return new GateResult(Name, $"canary:{caseName}", true, $"caught {f.Failure.Kind} ({f.Failure.Site}) at iteration {f.Iteration} of {run.Iterations}", null, sw.Elapsed.TotalSeconds);
        string why = f is null ? $"not caught in {counts}" : !f.Deterministic ? "caught but the replay was not deterministic" : $"caught as {f.Failure.Kind} ({f.Failure.Site}), expected {kind}";
        return new GateResult(Name, $"canary:{caseName}", false, $"canary {why}", repro, sw.Elapsed.TotalSeconds);
    }
}
