// `harness check SYSTEM`: runs a system's FsCheck properties outside xunit, for long runs and for
// replaying a failure. Prints the seed first, one line per property run, the failing property's
// shrunk op list with its replay line (and writes a repro artifact), and a final summary with the
// throughput in cases/s. Knows no system: properties come from the system's PropertySuite.
// --shard i/n: the unit of work is one property run (a property in one checking build, with its
// cases from one FsCheck seed); run k of the unsharded command (in suite order, after --property and
// --checking) gets seed Prng.Derive(S, k) whatever the shard, and belongs to shard (k mod n) + 1. So
// n machines with 1/n..n/n run exactly the property runs, seeds and cases one machine runs, each
// once. A run is not split further: FsCheck draws case j+1 from case j's generator state and grows
// the size over the run, so cases of one run cannot be handed to different machines unchanged.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Allocator.Common;
using Harness.Core;
using Harness.Properties;

namespace Harness.Cli;

public sealed class CheckCommand : IHarnessCommand
{
    public const ulong DefaultSeed = 1;

    public string Name => "check";
    public string Summary => "run a system's FsCheck properties (port vs model, OOM, leaks, corruption, ...)";

    private readonly Argument<string> _system = CliOptions.Required("system", "a system with properties (harness systems lists them; e.g. mmgr)");
    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", DefaultSeed, "run seed; each property run derives its own from it");
    private readonly Option<int> _cases = CliOptions.Int("--cases", 1000, 1, 100_000_000, "cases per property run");
    private readonly Option<int> _ops = CliOptions.Int("--ops", 64, 1, 10_000, "longest op list", "M");
    private readonly Option<string?> _property = CliOptions.OptionalText("--property", "one of the system's properties (default: all)", "NAME");
    private readonly Option<string> _checking = CliOptions.Choice("--checking",
        "both", "the checking build (MEMORY_CONTEXT_CHECKING and the like); properties that need checking run only with it on", "on", "off", "both");
    private readonly Option<string> _canary = CliOptions.Text("--canary", PropertySuite.NoCanary, "run against a planted bug of the port (to see the properties catch it)", "NAME");
    private readonly Option<string?> _replay = CliOptions.OptionalText("--replay", "replay FsCheck's (seed, gamma[, size]) exactly as printed by a failure", "SEED,GAMMA[,SIZE]");
    private readonly Option<string> _artifacts = CliOptions.Text("--artifacts", Path.Combine("out", "check"), "where a failure's repro artifact goes", "DIR");
    private readonly Option<string?> _events = CliOptions.OptionalText("--events", "the JSONL event log (default ARTIFACTS/events.jsonl; '-': stdout alone)", "FILE");
    private readonly Option<Gate.GateShard> _shard = CliOptions.Shard(
        "run only property runs k with k mod N = I-1 (same seeds as unsharded): N machines with 1/N..N/N together run exactly the unsharded command's runs");
    private readonly Option<string?> _progress = Report.Progress.ProgressModes.Option();

    public void Declare(Command command, SystemRegistry systems)
    {
        CliOptions.Complete(_system, systems.Parts<PropertySuite>().Select(p => p.System.Name));
        command.AddAll(_system, _seed, _cases, _ops, _property, _checking, _canary, _replay, _artifacts, _events, _shard, _progress);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        ulong seed = args.Value(_seed);
        int cases = args.Value(_cases);
        int maxOps = args.Value(_ops);
        string? only = args.Get(_property);
        string checkingArg = args.Value(_checking);
        string canary = args.Value(_canary);
        string? replay = args.Get(_replay);
        string artifacts = args.Value(_artifacts);
        string? eventsPath = args.Get(_events);
        string? progress = args.Get(_progress);
        Gate.GateShard shard = args.Value(_shard);
        string systemName = args.Get(_system)!;
        (Harness.Core.ISystem system, PropertySuite suite) = PropertySuite.Of(args.Systems, systemName);
        if (only is not null) suite.Get(only);   // an unknown name is an UnknownNameException listing the known ones
        bool[] checkings = checkingArg switch
        {
            "on" => [true],
            "off" => [false],
            _ => [true, false],
        };
        (ulong Seed, ulong Gamma, int? Size)? replayArgs = replay is null ? null : ParseReplay(replay);
        if (replay is not null && shard.Count > 1) throw new UsageException("--replay runs one case: it has nothing to shard");
        using var output = Report.Progress.CampaignOutput.Open("check", eventsPath ?? Path.Combine(artifacts, "events.jsonl"), progress, stdout, stderr);
        Report.EventLog events = output.Events;
        stdout = output.Out;
        stdout.WriteLine($"check {system.Name}: seed={seed} cases={cases} ops={maxOps} property={only ?? "all"} checking={checkingArg}"
            + (canary == PropertySuite.NoCanary ? "" : $" canary={canary}") + (replay is null ? "" : $" replay={replay}") + (shard.Count > 1 ? $" shard={shard}" : ""));
        events.Write("start", ("system", system.Name), ("seed", seed), ("cases", cases), ("ops", maxOps), ("property", only), ("checking", checkingArg),
            ("canary", canary), ("replay", replay), ("shard", shard.ToString()));
        var total = WallClock.StartNew();
        long allCases = 0;
        int failed = 0;
        int runs = 0;
        ulong index = 0;
        var reach = new List<ReachCount>();
        foreach (PropertyDef property in suite.Properties)
        {
            if (only is not null && property.Name != only) continue;
            foreach (bool checking in checkings)
            {
                if (!property.Allows(checking)) continue;
                ulong position = index++;
                if (!shard.OwnsPosition(position)) continue;
                runs++;
                ulong runSeed = replayArgs?.Seed ?? Prng.Derive(seed, position);
                ulong gamma = replayArgs?.Gamma ?? PropertyRunSpec.DefaultGamma;
                IPropertyRun run = property.Create(checking, canary);
                PropertyReport report = run.Check(new PropertyRunSpec(runSeed, gamma, replayArgs is null ? cases : 1, maxOps, replayArgs?.Size));
                allCases += report.Cases;
                if (report.Reach is not null) reach.AddRange(report.Reach.Counts);
                stdout.WriteLine($"  {(report.Passed ? "PASS" : "FAIL")} {property.Name} checking={(checking ? "on" : "off")} seed={runSeed}: {report.Summary}");
                events.Write("stats", ("property", property.Name), ("checking", checking), ("seed", runSeed), ("cases", report.Cases), ("passed", report.Passed),
                    ("total_cases", allCases), ("cases_per_s", total.Elapsed.TotalSeconds > 0 ? allCases / total.Elapsed.TotalSeconds : 0),
                    ("reach", report.Reach?.Counts));
                if (report.Passed) continue;
                failed++;
                report.WriteFailure(stdout);
                string path = Path.Combine(artifacts, string.Create(CultureInfo.InvariantCulture, $"{system.Name}-{property.Name}-{(checking ? "on" : "off")}-{runSeed}.json"));
                report.ToArtifact()!.Save(path);
                stdout.WriteLine($"  artifact: {path}  (replay: harness repro {path})");
                PropertyFailure pf = report.Failure!;
                events.Write("finding", ("signature", pf.Outcome.Signature), ("kind", pf.Outcome.Kind.Name()), ("step", pf.Outcome.Step),
                    ("reason", pf.Outcome.Reason), ("property", property.Name), ("shrunk", pf.Shrunk), ("original_ops", pf.OriginalLength),
                    ("artifact", path), ("repro", $"harness repro {path}"));
            }
        }
        double s = total.Elapsed.TotalSeconds;
        events.Write("end", ("cases", allCases), ("failed", failed), ("runs", runs), ("runs_all_shards", (long)index), ("reach", reach.Count == 0 ? null : reach));
        if (shard.Count > 1) stdout.WriteLine($"check {system.Name}: shard {shard} ran {runs} of the {index} property runs");
        if (reach.Count > 0) stdout.WriteLine($"check {system.Name}: {ReachTally.Summary(reach)}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"check {system.Name}: {allCases} cases, {failed} failed, {s:0.0}s, {(s > 0 ? allCases / s : 0):0} cases/s"));
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    private static (ulong, ulong, int?) ParseReplay(string text)
    {
        string[] parts = text.Trim('(', ')').Split(',');
        if (parts.Length is < 2 or > 3 || !Numbers.TryParseULong(parts[0].Trim(), out ulong s) || !Numbers.TryParseULong(parts[1].Trim(), out ulong g))
            throw new UsageException($"--replay takes SEED,GAMMA[,SIZE] as FsCheck prints them, not '{text}'");
        if (parts.Length == 2) return (s, g, null);
        if (!int.TryParse(parts[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int z)) throw new UsageException($"--replay size must be a number, not '{parts[2]}'");
        return (s, g, z);
    }
}
