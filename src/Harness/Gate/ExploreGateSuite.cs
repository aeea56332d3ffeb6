// ExploreGateSuite: the explorer's part of `harness gate`. For every system's scenario set: a
// bounded exploration of every correct scenario under several strategies (which must find
// nothing: zero false alarms), and every canary under the strategy and budget its system states
// (ScenarioSet.Canaries), which must be caught with the stated kind. Fixed seeds derived from the
// gate seed and the system's name; budgets scale with --scale. About 10-20 s at scale 1.
//
// Two engines: each canary runs on the engine its expectation names (the one that needs fewer
// iterations to catch it, docs/engines.md; expectations marked InGate=false are left to the
// winner), and every correct scenario also gets one Coyote run (CoyoteCorrectIterations, its
// prioritization or fair-prioritization strategy), so that no correct scenario raises a false
// alarm under either engine. Case names say which engine ran ("/coyote:prioritization").
using System.Diagnostics;
using Allocator.Common;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Gate;

public sealed class ExploreGateSuite : IGateSuite
{
    public const int BaseIterations = 200;
    /// <summary>Coyote iterations per correct scenario at scale 1 (Coyote runs ~200 iterations/s here).</summary>
    public const int CoyoteCorrectIterations = 50;

    public string Name => "explore";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        using var explorer = new Explorer();
        foreach ((ISystem system, ScenarioSet set) in options.Gated.Parts<ScenarioSet>())
        {
            // Seeds are derived per system, so adding a system changes no other system's seeds.
            ulong systemSeed = Prng.Derive(options.Seed, StableName.Hash(system.Name));
            ulong n = 0;
            foreach (IScenario s in set.Correct)
            {
                string[] strategies = s.NeedsFairness ? ["fair-pct", "random", "probabilistic"] : ["pct", "random", "dfs", "portfolio"];
                foreach (string strategy in strategies)
                {
                    ulong seed = Prng.Derive(systemSeed, n++);
                    var run = new ExploreRun
                    {
                        Strategy = strategy,
                        Seed = seed,
                        Iterations = BaseIterations * options.Scale,
                        Preemptions = 2,
                        Swarm = strategy == "portfolio",
                        Minimize = true,
                    };
                    if (options.Owns(Name, CaseName(ExploreEngines.Explorer, ScenarioSet.Qualified(system, s), run, null)))
                        results.Add(Check(explorer, ExploreEngines.Explorer, ScenarioSet.Qualified(system, s), s, run, null, options, log));
                }
                var coyoteRun = new ExploreRun
                {
                    Strategy = s.NeedsFairness ? "fair-prioritization" : "prioritization",
                    Seed = Prng.Derive(systemSeed, n++),
                    Iterations = CoyoteCorrectIterations * options.Scale,
                };
                if (options.Owns(Name, CaseName(ExploreEngines.Coyote, ScenarioSet.Qualified(system, s), coyoteRun, null)))
                    results.Add(Check(explorer, ExploreEngines.Coyote, ScenarioSet.Qualified(system, s), s, coyoteRun, null, options, log));
            }
            foreach (CanaryExpectation c in set.Canaries)
            {
                if (!c.InGate) continue;
                IScenario s = set.Find(c.Name)!;
                var run = new ExploreRun
                {
                    Strategy = c.Strategy,
                    Seed = c.Seed,
                    Iterations = c.Budget,
                    Engine = c.SpinMode == SpinMode.Yielding ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps } : new ExploreOptions(),
                    Minimize = false,
                    SelfCheck = true,
                };
                if (options.Owns(Name, CaseName(c.Engine, ScenarioSet.Qualified(system, s), run, c.ExpectedKind)))
                    results.Add(Check(explorer, c.Engine, ScenarioSet.Qualified(system, s), s, run, c.ExpectedKind, options, log));
            }
        }
        return results;
    }

    /// <summary>The case's JUnit name: scenario, engine, strategy and spin mode; canaries prefixed "canary:".</summary>
    private static string CaseName(string engine, string qualified, ExploreRun run, OutcomeKind? mustFail) =>
        $"{(mustFail is null ? "" : "canary:")}{qualified}/{(engine == ExploreEngines.Coyote ? "coyote:" : "")}{run.Strategy}{(run.Engine.SpinMode == SpinMode.Yielding ? "/yielding" : "")}";

    /// <param name="mustFail">null: a correct scenario, which must pass; else a canary, which must fail with this kind.</param>
    private GateResult Check(Explorer explorer, string engine, string qualified, IScenario s, ExploreRun run, OutcomeKind? mustFail, GateOptions options, TextWriter log)
    {
        var sw = WallClock.StartNew();
        bool coyote = engine == ExploreEngines.Coyote;
        string caseName = CaseName(engine, qualified, run, mustFail);
        string repro = $"harness explore {qualified}{(coyote ? " --engine coyote" : "")} --strategy {run.Strategy} --seed {run.Seed} --iterations {run.Iterations}" +
                       (run.Swarm ? " --swarm" : "") + (run.Engine.SpinMode == SpinMode.Yielding ? " --spin yielding" : "") +
                       (run.Strategy == "dfs" ? $" --preemptions {run.Preemptions}" : "");
        ExplorationReport r;
        try
        {
            r = ExploreEngines.Run(engine, explorer, s, run);
        }
        catch (Exception e)
        {
            return new GateResult(Name, caseName, false, $"{engine} crashed: {e.GetType().Name}: {e.Message}", repro, sw.Elapsed.TotalSeconds);
        }
        FailureReport? f = r.FirstFailure;
        string counts = $"{engine}: {r.Iterations} iterations, {r.TotalSteps} steps, {r.DistinctSchedules} distinct schedules{(r.Exhausted ? ", exhausted" : "")}";
        if (mustFail is not OutcomeKind kind)
        {
            if (f is null) return new GateResult(Name, caseName, true, counts, null, sw.Elapsed.TotalSeconds).WithReach(r.Reach);
            string artifact = Path.Combine(options.ArtifactDir, $"{(coyote ? "coyote" : "explore")}-{qualified.Replace('/', '-')}-{run.Strategy}-{run.Seed}.json");
            if (coyote) Harness.Explore.Coyote.CoyoteArtifacts.Save(Harness.Explore.Coyote.CoyoteArtifacts.Build(qualified, run, Harness.Explore.Coyote.CoyoteEngine.OptionsFor(s, run), f), artifact);
            else ExploreArtifacts.Build(qualified, run, f).Save(artifact);
            log.WriteLine($"    explore: {qualified} failed: {f.Failure}");
            return new GateResult(Name, caseName, false, $"FALSE ALARM or real bug: {f.Failure.Signature} at iteration {f.Iteration}: {ExplorationFailure.FirstLine(f.Failure.Message)}; artifact {artifact}",
                $"harness repro {artifact}  (or: {repro})", sw.Elapsed.TotalSeconds).WithReach(r.Reach);
        }
        if (f is not null && f.Failure.Kind == kind && f.Deterministic)
            return new GateResult(Name, caseName, true, $"{engine} caught {f.Failure.Signature} at iteration {f.Iteration} of {run.Iterations}", null, sw.Elapsed.TotalSeconds);
        string why = f is null ? $"not caught in {counts}" : !f.Deterministic ? "caught but the replay was not deterministic" : $"caught as {f.Failure.Signature}, expected {kind.Name()}";
        return new GateResult(Name, caseName, false, $"canary {why}", repro, sw.Elapsed.TotalSeconds);
    }
}
