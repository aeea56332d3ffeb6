// `harness explore-compare`: the side-by-side measurement of our explorer and the Coyote engine on
// every registered scenario, as one Markdown table (docs/engines.md is produced by it). For every
// canary expectation of every system: iterations to the first failure of the expected kind under
// each engine, for seeds 1..N (median, and how many seeds caught it within the cap), with the
// canary's stated strategy for the explorer and its closest Coyote counterpart; for every correct
// scenario: a fixed budget under both engines, which must find nothing (a failure there is a false
// alarm, or a real bug, and fails the command). Throughput is iterations/s and decisions/s (our
// scheduling points: seam calls) summed over all of a row's runs. Counts decide everything; the
// clock only gives the rates, which depend on the machine and its load.
using System.CommandLine;
using System.Globalization;
using Harness.Core;
using Harness.Explore.Coyote;
using Harness.Explore.Scenarios;
using Harness.Explore;

namespace Harness.Cli;

public sealed class ExploreCompareCommand : IHarnessCommand
{
    public string Name => "explore-compare";
    public string Summary => "measure our explorer against the Coyote engine on every scenario and canary (Markdown table)";

    private readonly Option<int> _seeds = CliOptions.Int("--seeds", 20, 1, 1000, "canaries: seeds 1..N per engine");
    private readonly Option<int> _cap = CliOptions.Int("--cap", 2000, 1, 1_000_000, "canaries: iteration cap per seed", "C");
    private readonly Option<int> _budget = CliOptions.Int("--budget", 200, 1, 1_000_000, "correct scenarios: iterations per engine, seed 1", "B");
    private readonly Option<bool> _noYielding = CliOptions.Flag("--no-yielding", "skip canary expectations stated for yielding spin (slow under Coyote)");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_seeds, _cap, _budget, _noYielding);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        int seeds = args.Value(_seeds);
        int cap = args.Value(_cap);
        int budget = args.Value(_budget);
        bool noYielding = args.Value(_noYielding);
        stdout.WriteLine($"explore-compare: seeds 1..{seeds}, cap {cap} iterations per canary run, {budget} iterations per correct scenario (seed 1)");
        stdout.WriteLine();
        stdout.WriteLine("| scenario | expected | explorer strategy | explorer: median it. to bug (caught) | explorer it/s | explorer decisions/s | coyote strategy | coyote: median it. to bug (caught) | coyote it/s | coyote decisions/s | false alarms |");
        stdout.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        int falseAlarms = 0;
        using var explorer = new Explorer();
        var coyote = new CoyoteEngine();
        foreach ((ISystem system, ScenarioSet set) in args.Systems.Parts<ScenarioSet>())
        {
            foreach (IScenario s in set.Correct)
            {
                string ours = s.NeedsFairness ? "fair-pct" : "pct";
                string theirs = CoyoteStrategies.CounterpartOf(ours);
                ExplorationReport a = explorer.Run(s, new ExploreRun { Strategy = ours, Seed = 1, Iterations = budget, Minimize = false, SelfCheck = false });
                ExplorationReport b = coyote.Run(s, new ExploreRun { Strategy = theirs, Seed = 1, Iterations = budget, SelfCheck = false });
                int alarms = a.Failures + b.Failures;
                falseAlarms += alarms;
                string why = alarms == 0 ? "0" : $"**{alarms}**: {a.FirstFailure?.Failure.Signature ?? b.FirstFailure?.Failure.Signature}";
                stdout.WriteLine(Row(ScenarioSet.Qualified(system, s), "pass", ours, $"{a.Iterations} it., none", a.IterationsPerSecond, a.StepsPerSecond,
                    theirs, $"{b.Iterations} it., none", b.IterationsPerSecond, b.StepsPerSecond, why));
            }
            foreach (CanaryExpectation c in set.Canaries)
            {
                if (noYielding && c.SpinMode == SpinMode.Yielding) continue;
                // One row per canary: the explorer's expectation names the strategy both engines use
                // (Coyote's counterpart); an expectation written for Coyote adds no row of its own.
                if (c.Engine != ExploreEngines.Explorer) continue;
                IScenario s = set.Find(c.Name)!;
                ExploreOptions engine = c.SpinMode == SpinMode.Yielding ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps } : new ExploreOptions();
                string theirs = CoyoteStrategies.CounterpartOf(c.Strategy);
                Measure ma = Canary(seed => explorer.Run(s, new ExploreRun { Strategy = c.Strategy, Seed = seed, Iterations = cap, Engine = engine, Minimize = false, SelfCheck = false }), c, seeds);
                Measure mb = Canary(seed => coyote.Run(s, new ExploreRun { Strategy = theirs, Seed = seed, Iterations = cap, Engine = engine, SelfCheck = false }), c, seeds);
                string label = ScenarioSet.Qualified(system, s) + (c.SpinMode == SpinMode.Yielding ? " (yielding spin)" : "");
                stdout.WriteLine(Row(label, c.ExpectedKind.Name(), c.Strategy, ma.Text(seeds, cap), ma.ItPerS, ma.StepsPerS, theirs, mb.Text(seeds, cap), mb.ItPerS, mb.StepsPerS, "n/a (canary)"));
            }
        }
        stdout.WriteLine();
        stdout.WriteLine($"false alarms on correct scenarios: {falseAlarms}");
        return falseAlarms == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    private sealed record Measure(List<int> Found, int Wrong, double ItPerS, double StepsPerS)
    {
        public string Text(int seeds, int cap) => ExploreTableCommand.MedianText(Found, seeds, cap, Wrong);
    }

    /// <summary>Iterations to the first failure (1-based) of the expected kind, per seed 1..N.</summary>
    private static Measure Canary(Func<ulong, ExplorationReport> run, CanaryExpectation c, int seeds)
    {
        var found = new List<int>();
        int wrong = 0;
        long its = 0, steps = 0;
        double secs = 0;
        for (int seed = 1; seed <= seeds; seed++)
        {
            ExplorationReport r = run((ulong)seed);
            its += r.Iterations;
            steps += r.TotalSteps;
            secs += r.Seconds;
            if (r.FirstFailure is { } f)
            {
                if (f.Failure.Kind == c.ExpectedKind) found.Add(f.Iteration + 1);
                else wrong++;
            }
        }
        return new Measure(found, wrong, secs > 0 ? its / secs : 0, secs > 0 ? steps / secs : 0);
    }

    private static string Row(string name, string expected, string ours, string a, double aIt, double aSteps, string theirs, string b, double bIt, double bSteps, string alarms) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {expected} | {ours} | {a} | {aIt:0} | {aSteps:0} | {theirs} | {b} | {bIt:0} | {bSteps:0} | {alarms} |");
}
