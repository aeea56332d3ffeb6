// `harness time-to-bug`: the headline figure (issue 16): for every planted bug of every system, run
// by the engine the gate trusts with it (a property canary by its property, a fuzz target's gate
// canary by the in-process fuzzer, a scenario canary by the explorer or Coyote, as its expectation
// says), from seeds 1..N, how many executions (property cases, fuzz executions, explored schedules)
// and how many seconds until the first failure of the expected kind; median and worst over the
// seeds, a seed that misses within the cap counting as above it. Counts decide every run (case,
// execution and iteration budgets); the clock only measures.
//
// Property times include FsCheck's shrinking of the failure (it happens inside the run); the fuzzer
// stops after the batch of its first finding, so its time includes at most one batch more.
using System.CommandLine;
using System.Globalization;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Properties;

namespace Harness.Cli;

public sealed class TimeToBugCommand : IHarnessCommand
{
    public string Name => "time-to-bug";
    public string Summary => "executions and seconds to the first failure for every planted bug, every engine that gates it (median and worst over seeds)";

    private readonly Argument<string?> _system = CliOptions.Optional("system", "one system (default: all)");
    private readonly Option<int> _seeds = CliOptions.Int("--seeds", 20, 1, 1000, "seeds 1..N per canary");
    private readonly Option<int> _capFactor = CliOptions.Int("--cap-factor", 10, 1, 1000, "budget per seed: F times the gate's budget for that canary", "F");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_system, _seeds, _capFactor);
    }

    private sealed record Row(string System, string Canary, string Engine, string Unit, List<long> Execs, List<double> Seconds, int Runs, long Cap);

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        int seeds = args.Value(_seeds);
        int factor = args.Value(_capFactor);
        string? only = args.Get(_system);
        if (only is not null) _ = args.Systems.Get(only);
        bool Wanted(ISystem s) => only is null || s.Name == only;
        stdout.WriteLine($"time-to-bug: seeds 1..{seeds}, cap {factor}x each canary's gate budget");
        var rows = new List<Row>();

        foreach ((ISystem system, PropertySuite suite) in args.Systems.Parts<PropertySuite>())
        {
            if (!Wanted(system)) continue;
            foreach (PropertyGateCanary c in suite.GateCanaries)
            {
                var row = new Row(system.Name, c.Canary, $"properties ({c.Property}, checking {(c.Checking ? "on" : "off")})", "cases", [], [], seeds, (long)c.Cases * factor);
                for (int seed = 1; seed <= seeds; seed++)
                {
                    PropertyReport r = suite.Get(c.Property).Create(c.Checking, c.Canary)
                        .Check(new PropertyRunSpec(Allocator.Common.Prng.Derive((ulong)seed, 0), PropertyRunSpec.DefaultGamma, (int)row.Cap, c.Ops, RampCases: c.Cases));
                    if (r.Failure?.Outcome.Kind == c.Expected) Add(row, r.Cases, r.Seconds);
                }
                rows.Add(row);
            }
        }

        foreach ((ISystem system, FuzzTargetDef def) in args.Systems.Parts<FuzzTargetDef>())
        {
            if (def.GateCanary is not { } canary || !Wanted(system)) continue;
            var row = new Row(system.Name, canary.Canary, $"fuzz ({def.Name}, in-process)", "execs", [], [], seeds, canary.Execs * factor);
            for (int seed = 1; seed <= seeds; seed++)
            {
                FuzzRunResult r = CanaryRun.Fuzz(def, canary.Canary, (ulong)seed, row.Cap, outDir: null, TextWriter.Null, stopAtFirstFinding: true);
                if (r.Findings.Count > 0) Add(row, r.Findings.Min(f => f.ExecIndex) + 1, r.Seconds);
            }
            rows.Add(row);
        }

        using var explorer = new Explorer();
        foreach ((ISystem system, ScenarioSet set) in args.Systems.Parts<ScenarioSet>())
        {
            if (!Wanted(system)) continue;
            foreach (CanaryExpectation c in set.Canaries)
            {
                IScenario s = set.Find(c.Name)!;
                var row = new Row(system.Name, c.Name, $"{c.Engine} ({c.Strategy}{(c.SpinMode == SpinMode.Yielding ? ", yielding spin" : "")}){(c.InGate ? "" : ", not its gate run")}", "schedules", [], [], seeds, (long)c.Budget * factor);
                ExploreOptions engine = c.SpinMode == SpinMode.Yielding
                    ? new ExploreOptions { SpinMode = SpinMode.Yielding, MaxSteps = ExploreOptions.DefaultYieldingMaxSteps }
                    : new ExploreOptions();
                for (int seed = 1; seed <= seeds; seed++)
                {
                    ExplorationReport r = ExploreEngines.Run(c.Engine, explorer, s,
                        new ExploreRun { Strategy = c.Strategy, Seed = (ulong)seed, Iterations = (int)row.Cap, Engine = engine, Minimize = false, SelfCheck = false });
                    if (r.FirstFailure is { } f && f.Failure.Kind == c.ExpectedKind) Add(row, f.Iteration + 1, r.Seconds);
                }
                rows.Add(row);
            }
        }

        stdout.WriteLine();
        stdout.WriteLine("| system | canary | engine | caught | median to bug | worst to bug | median s | worst s |");
        stdout.WriteLine("|---|---|---|---|---|---|---|---|");
        int missed = 0;
        foreach (Row r in rows)
        {
            if (r.Execs.Count < r.Runs) missed++;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.System} | {r.Canary} | {r.Engine} | {r.Execs.Count}/{r.Runs} | {Median(r.Execs, r.Runs, r.Cap)} {r.Unit} | {Worst(r.Execs, r.Runs, r.Cap)} | {MedianSeconds(r.Seconds, r.Runs)} | {(r.Seconds.Count == r.Runs ? r.Seconds.Max().ToString("0.000", CultureInfo.InvariantCulture) : "n/a")} |"));
        }
        stdout.WriteLine();
        stdout.WriteLine($"{rows.Count} canaries, {missed} missed by some seed within the cap");
        return ExitCodes.Ok;
    }

    private static void Add(Row row, long execs, double seconds)
    {
        row.Execs.Add(execs);
        row.Seconds.Add(seconds);
    }

    private static string Median(List<long> found, int runs, long cap) =>
        SeedMedian.Of(found, runs) is long mid ? mid.ToString(CultureInfo.InvariantCulture) : $"> {cap}";

    private static string Worst(List<long> found, int runs, long cap) =>
        found.Count < runs ? $"> {cap}" : found.Max().ToString(CultureInfo.InvariantCulture);

    private static string MedianSeconds(List<double> found, int runs) =>
        SeedMedian.Of(found, runs) is double mid ? mid.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
}
