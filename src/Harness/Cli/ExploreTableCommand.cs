// `harness explore-table`: the scenario table of a system's concurrency scenarios, as Markdown.
// For every correct scenario, under each strategy the gate runs it with (ExploreGateSuite): the
// iterations run, iterations/s, decisions/s (scheduling points) and distinct schedules of one
// budgeted run from seed 1. For every canary, under every strategy of our explorer: iterations to
// the first failure of the expected kind (1-based), median over seeds 1..N with the seeds that
// missed counted as above the cap, and how many seeds caught it; dfs is one deterministic run
// (seeds do not change it) and is skipped for scenarios that need a fair scheduler. The canary's
// gate run (engine, strategy, budget) is named beside it. Counts decide everything; the clock only
// gives the rates.
using System.CommandLine;
using System.Globalization;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;

namespace Harness.Cli;

public sealed class ExploreTableCommand : IHarnessCommand
{
    /// <summary>Every strategy of our explorer that a canary is measured under.</summary>
    public static readonly string[] Strategies = ["random", "pct", "fair-pct", "probabilistic", "dfs"];

    public string Name => "explore-table";
    public string Summary => "a system's scenario table: rates and distinct schedules per scenario, canary iterations-to-bug per strategy (Markdown)";

    private readonly Argument<string?> _system = CliOptions.Optional("system", "one system (default: every system with scenarios)");
    private readonly Option<int> _seeds = CliOptions.Int("--seeds", 20, 1, 1000, "canaries: seeds 1..N per strategy");
    private readonly Option<int> _cap = CliOptions.Int("--cap", 500, 1, 1_000_000, "canaries: iteration cap per seed", "C");
    private readonly Option<int> _budget = CliOptions.Int("--budget", 200, 1, 1_000_000, "correct scenarios: iterations per gate strategy, seed 1", "B");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_system, _seeds, _cap, _budget);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        int seeds = args.Value(_seeds);
        int cap = args.Value(_cap);
        int budget = args.Value(_budget);
        string? only = args.Get(_system);
        if (only is not null) _ = args.Systems.Get(only);
        stdout.WriteLine($"explore-table: seeds 1..{seeds}, cap {cap} iterations per canary run, {budget} iterations per correct scenario and strategy (seed 1)");
        int falseAlarms = 0;
        using var explorer = new Explorer();
        foreach ((ISystem system, ScenarioSet set) in args.Systems.Parts<ScenarioSet>())
        {
            if (only is not null && system.Name != only) continue;
            stdout.WriteLine();
            stdout.WriteLine($"### {system.Name}: correct scenarios (must find nothing)");
            stdout.WriteLine();
            stdout.WriteLine("| scenario | gate strategy | iterations | it/s | decisions/s | distinct schedules | failures |");
            stdout.WriteLine("|---|---|---|---|---|---|---|");
            foreach (IScenario s in set.Correct)
            {
                string[] gate = s.NeedsFairness ? ["fair-pct", "random", "probabilistic"] : ["pct", "random", "dfs"];
                foreach (string strategy in gate)
                {
                    ExplorationReport r = explorer.Run(s, new ExploreRun { Strategy = strategy, Seed = 1, Iterations = budget, Preemptions = 2, Minimize = false, SelfCheck = false });
                    falseAlarms += r.Failures;
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {ScenarioSet.Qualified(system, s)} | {strategy} | {r.Iterations}{(r.Exhausted ? " (exhausted)" : "")} | {r.IterationsPerSecond:0} | {r.StepsPerSecond:0} | {r.DistinctSchedules} | {(r.Failures == 0 ? "0" : $"**{r.Failures}**: {r.FirstFailure?.Failure.Signature}")} |"));
                }
            }
            stdout.WriteLine();
            stdout.WriteLine($"### {system.Name}: canaries, iterations to the first failure of the expected kind (median over seeds 1..{seeds}; caught/seeds)");
            stdout.WriteLine();
            stdout.WriteLine("| canary | expected | gate run | " + string.Join(" | ", Strategies) + " |");
            stdout.WriteLine("|---|---|---|" + string.Concat(Strategies.Select(_ => "---|")));
            foreach (CanaryExpectation c in set.Canaries)
            {
                if (c.Engine != ExploreEngines.Explorer) continue;
                IScenario s = set.Find(c.Name)!;
                ExploreOptions engine = c.SpinMode == SpinMode.Yielding
                    ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps }
                    : new ExploreOptions();
                var cells = new List<string>();
                foreach (string strategy in Strategies)
                {
                    if (strategy == "dfs" && s.NeedsFairness) { cells.Add("n/a (needs fairness)"); continue; }
                    int runs = strategy == "dfs" ? 1 : seeds;
                    var found = new List<int>();
                    int wrong = 0;
                    for (int seed = 1; seed <= runs; seed++)
                    {
                        ExplorationReport r = explorer.Run(s, new ExploreRun { Strategy = strategy, Seed = (ulong)seed, Iterations = cap, Engine = engine, Minimize = false, SelfCheck = false });
                        if (r.FirstFailure is not { } f) continue;
                        if (f.Failure.Kind == c.ExpectedKind) found.Add(f.Iteration + 1);
                        else wrong++;
                    }
                    cells.Add(MedianText(found, runs, cap, wrong));
                }
                string gateRun = c.InGate ? $"{c.Strategy}, {c.Budget} it." : $"not in the gate ({c.Strategy}, {c.Budget} it. stated)";
                stdout.WriteLine($"| {ScenarioSet.Qualified(system, s)} | {c.ExpectedKind.Name()} | {gateRun} | {string.Join(" | ", cells)} |");
            }
        }
        stdout.WriteLine();
        stdout.WriteLine($"false alarms on correct scenarios: {falseAlarms}");
        return falseAlarms == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    /// <summary>"median (caught/runs)"; runs that missed count as above the cap, so a median
    /// over mostly missed runs says "> cap" rather than the few lucky ones.</summary>
    public static string MedianText(List<int> found, int runs, int cap, int wrongKind)
    {
        string median = SeedMedian.Of(found, runs) is int mid ? mid.ToString(CultureInfo.InvariantCulture) : $"> {cap}";
        return $"{median} ({found.Count}/{runs}{(wrongKind > 0 ? $", {wrongKind} other kind" : "")})";
    }
}
