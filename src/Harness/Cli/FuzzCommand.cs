// `harness fuzz TARGET`: the deterministic in-process coverage-guided fuzzer.
// Prints its seed and configuration first, a status line by execution count, and for every new
// finding the artifact path and the one `harness repro` command. Exit 0 = no finding, 1 = findings.
// --workers W runs W parallel workers (own target instance each); the run is a function of
// (seed, execs, workers), so W is printed with the seed and in every "repeat exactly" line.
// --sync-dir DIR --name NAME makes the run one worker of a multi-process (multi-machine) campaign
// that shares DIR with other `harness fuzz` workers and afl-fuzz -M/-S instances (SyncWorker);
// it works in DIR/NAME and is then not repeatable from its seed.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class FuzzCommand : IHarnessCommand
{
    /// <summary>The seed used when --seed is not given (printed like any other).</summary>
    public const ulong DefaultSeed = 1;

    public string Name => "fuzz";
    public string Summary => "coverage-guided in-process fuzzing of a target (deterministic per seed, exec count and workers)";
    public string Usage => """
        usage: harness fuzz TARGET [--seed S] [--execs N] [--workers W] [--seconds T] [--corpus DIR] [--out DIR]
                                   [--ops-max M] [--canary NAME] [--max-len B] [--status-every K] [--events FILE] [--no-instrument]
                                   [--regressions [--on-regression stop|continue] [--repo DIR]]
                                   [--progress live|plain|none] [--sync-dir DIR --name NAME [--main] [--sync-every K]]
          TARGET          a registered fuzz target (harness systems lists them)
          --seed S        mutation seed (default 1); same seed + --execs + --workers = same corpus and findings
          --execs N       mutated executions (default 100000; unlimited when only --seconds is given)
          --workers W     parallel workers, 1..16 (default 1); results depend on W: repeat with the same W
          --seconds T     also stop after T seconds (between batches) and report the exec count reached (repeat with --execs)
          --corpus DIR    seed inputs (default the target's fuzz/corpus folder when it exists; 'none' for no seeds)
          --out DIR       new corpus entries go to DIR/corpus, findings to DIR/findings (default out/fuzz/TARGET)
          --ops-max M     most operations one input decodes to (default 64)
          --canary NAME   switch on a planted bug of the port (e.g. FreelistIndexOffByOne)
          --max-len B     longest input in bytes (default 4096)
          --status-every K  status line every K execs after the first powers of two (default 50000)
          --events FILE   the JSONL event log (default OUT/events.jsonl; appended to when resuming; '-': stdout,
                          which then carries the log alone: the command's own lines go to stderr)
          --no-instrument don't relaunch on the SharpFuzz-instrumented port (target features only;
                          with --workers above 1 always so: SharpFuzz's map is one for all threads)
          --progress M    status display: live panel (terminal), plain lines on stderr every 30 s, none
          --sync-dir DIR  share DIR with other workers (harness fuzz and afl-fuzz -M/-S): export kept inputs to
                          DIR/NAME/queue in afl's naming, import the others' every K execs, write DIR/NAME/fuzzer_stats;
                          --out defaults to DIR/NAME. Imports depend on other processes: not repeatable from the seed
          --name NAME     this worker's folder in DIR;  --main  mark it as afl's main node (afl -S instances import
                          only from main nodes);  --sync-every K  executions between imports (default 4096)
        """ + "\n" + RegressionsFirst.Usage;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string target = args.Positional0 ?? throw new UsageException("which target? (known: " + string.Join(", ", FuzzTargets.All(args.Systems).Select(d => d.Name)) + ")");
        if (args.Positional.Count > 1) throw new UsageException($"unexpected argument '{args.Positional[1]}'");
        ulong seed = args.ULong("seed", DefaultSeed);
        double? seconds = args.String("seconds") is string st
            ? double.TryParse(st, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double sv) && sv > 0 ? sv
              : throw new UsageException($"--seconds takes a positive number, not '{st}'")
            : null;
        long execs = args.Long("execs", seconds is null ? 100_000 : long.MaxValue, 0);
        string? corpus = args.String("corpus");
        string? outDir = args.String("out");
        int maxLen = args.Int("max-len", 4096, 1, 1 << 20);
        long statusEvery = args.Long("status-every", 50_000, 1);
        int workers = args.Int("workers", 1, 1, FuzzEngineOptions.MaxWorkers);
        bool noInstrument = args.Flag("no-instrument");
        string? eventsPath = args.String("events");
        string? progress = Report.Progress.ProgressModes.Read(args);
        string? syncDir = args.String("sync-dir");
        string? syncName = args.String("name");
        bool syncMain = args.Flag("main");
        long syncEvery = args.Long("sync-every", Harness.Fuzz.Sync.SyncWorker.DefaultImportEvery, 1);
        FuzzTargetConfig config = args.FuzzTargetConfig();
        (bool regressions, bool stopOnRegression, string? repoArg) = RegressionsFirst.Options(args);
        args.RejectUnknown();

        if ((syncDir is null) != (syncName is null)) throw new UsageException("--sync-dir and --name go together");
        if (syncDir is null && syncMain) throw new UsageException("--main needs --sync-dir and --name");
        Harness.Fuzz.Sync.SyncWorker? sync = syncDir is null ? null
            : new Harness.Fuzz.Sync.SyncWorker(syncDir, Harness.Fuzz.Afl.AflSyncRole.CheckName(syncName!), syncMain, syncEvery);
        FuzzTargetDef def = FuzzTargets.Find(args.Systems, target);
        target = def.Name;   // an alias runs, and is reported, under the target's own name
        IFuzzTarget t = def.Create(config); // validates the name and config before any relaunch
        string? noIlMap = InstrumentedRun.WhyNoIlMapForWorkers(workers);
        if (noIlMap is not null && !noInstrument) stderr.WriteLine("fuzz: " + noIlMap);
        if (InstrumentedRun.RelaunchIfNeeded(noInstrument || noIlMap is not null, stderr) is int code) return code;

        string? repo = TryRepo();
        if (corpus is null && repo is not null && Directory.Exists(def.CorpusPath(repo)))
            corpus = def.CorpusPath(repo);
        if (corpus == "none") corpus = null;
        if (corpus is not null && !Directory.Exists(corpus)) throw new InputException($"--corpus {corpus}: no such folder");
        outDir ??= sync?.Home ?? Path.Combine("out", "fuzz", target);

        bool il = InstrumentedRun.IlCoverageAvailable && noIlMap is null;
        var sources = FuzzEngine.SourcesFor(t, includeIlMap: il);   // named in the configuration line
        var createWorker = FuzzWorkerSetup.Factory(() => def.Create(config), includeIlMap: il);
        using var output = Report.Progress.CampaignOutput.Open("fuzz", eventsPath ?? Path.Combine(outDir, "events.jsonl"), progress, stdout, stderr);
        Report.EventLog events = output.Events;
        stdout = output.Out;
        var options = new FuzzEngineOptions
        {
            Events = events,
            Seed = seed,
            Execs = execs,
            Seconds = seconds,
            MaxLength = maxLen,
            StatusEvery = statusEvery,
            CorpusDirs = corpus is null ? Array.Empty<string>() : [corpus],
            OutDir = outDir,
            TargetConfig = config.ToDictionary(),
            Workers = workers,
            Sync = sync,
        };
        stdout.WriteLine($"fuzz: target={target} seed={seed} execs={(execs == long.MaxValue ? "unlimited" : execs)} workers={workers} seconds={(seconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-")} "
            + $"ops-max={config.OpsMax} canary={config.Canary} max-len={maxLen}");
        stdout.WriteLine($"fuzz: events={events.Path}");
        stdout.WriteLine($"fuzz: corpus={corpus ?? "none"} out={outDir} coverage={string.Join("+", sources.Select(s => s.Name))} (IL-instrumented port: {(InstrumentedRun.IlCoverageAvailable ? "sharpfuzz" : "no")})");

        int regressed = 0;
        if (regressions)
        {
            ISystem system = args.Systems.Parts<FuzzTargetDef>().First(p => p.Part == def).System;
            regressed = RegressionsFirst.Run(repoArg ?? repo, args.Systems, system, events, "fuzz", stdout);
            if (regressed > 0 && stopOnRegression) return Program.ExitFailure;
        }
        FuzzRunResult r = new FuzzEngine(createWorker, options, stdout).Run();
        stdout.WriteLine($"fuzz: {r.Execs} execs in {r.Seconds:0.0}s ({r.ExecsPerSecond:0} exec/s, {workers} worker{(workers == 1 ? "" : "s")}), {r.SeedInputs} seed inputs, corpus {r.Corpus.Count}, edges {r.Edges}, features {r.Features}, findings {r.Findings.Count}");
        if (r.Reach is { } reach) stdout.WriteLine($"fuzz: {ReachTally.Summary(reach.Counts)}");
        if (r.StoppedByTime) stdout.WriteLine($"fuzz: to repeat this run exactly: harness fuzz {target} --seed {seed} --execs {r.Execs} --workers {workers}{ConfigArgs(config)}");
        foreach (Finding f in r.Findings)
        {
            string when = f.ExecIndex < 0 ? "first while running the seed corpus" : $"first at exec {f.ExecIndex}";
            stdout.WriteLine($"finding {f.Signature} (x{f.Hits}, {when}, op {f.Outcome.Step}): {f.Outcome.Reason}");
            if (f.ArtifactPath is not null) stdout.WriteLine($"  harness repro {f.ArtifactPath}");
        }
        return r.Findings.Count == 0 && regressed == 0 ? Program.ExitOk : Program.ExitFailure;
    }

    /// <summary>The --ops-max/--canary options that rebuild a target config (empty for the default), for printed commands.</summary>
    internal static string ConfigArgs(FuzzTargetConfig c) =>
        (c.OpsMax != FuzzTargetConfig.DefaultOpsMax ? $" --ops-max {c.OpsMax}" : "") + (c.Canary != "None" ? $" --canary {c.Canary}" : "");

    private static string? TryRepo()
    {
        try
        {
            return RepoRoot.Find();
        }
        catch (InputException)
        {
            return null;
        }
    }
}
