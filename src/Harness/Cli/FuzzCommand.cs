// `harness fuzz TARGET`: the deterministic in-process coverage-guided fuzzer.
// Prints its seed and configuration first, a status line by execution count, and for every new
// finding the artifact path and the one `harness repro` command. Exit 0 = no finding, 1 = findings.
// --workers W runs W parallel workers (own target instance each); the run is a function of
// (seed, execs, workers), so W is printed with the seed and in every "repeat exactly" line.
// --sync-dir DIR --name NAME makes the run one worker of a multi-process (multi-machine) campaign
// that shares DIR with other `harness fuzz` workers and afl-fuzz -M/-S instances (SyncWorker);
// it works in DIR/NAME and is then not repeatable from its seed.
using System.CommandLine;
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

    private readonly Argument<string> _target = CliOptions.Required("target", "a registered fuzz target (harness systems lists them)");
    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", DefaultSeed, "mutation seed; same seed + --execs + --workers = same corpus and findings");
    private readonly Option<long?> _execs = CliOptions.OptionalLong("--execs", 0, long.MaxValue, "mutated executions (default 100000; unlimited when only --seconds is given)");
    private readonly Option<int> _workers = CliOptions.Int("--workers", 1, 1, FuzzEngineOptions.MaxWorkers,
        $"parallel workers, 1..{FuzzEngineOptions.MaxWorkers}; results depend on W: repeat with the same W", "W");
    private readonly Option<double?> _seconds = CliOptions.OptionalSeconds("--seconds",
        "also stop after T seconds (between batches) and report the exec count reached (repeat with --execs)");
    private readonly Option<string?> _corpus = CliOptions.OptionalText("--corpus", "seed inputs (default the target's fuzz/corpus folder when it exists; 'none' for no seeds)", "DIR");
    private readonly Option<string?> _out = CliOptions.OptionalText("--out", "new corpus entries go to DIR/corpus, findings to DIR/findings (default out/fuzz/TARGET)", "DIR");
    private readonly FuzzTargetOptions _config = new();
    private readonly Option<int> _maxLen = CliOptions.Int("--max-len", 4096, 1, 1 << 20, "longest input in bytes", "B");
    private readonly Option<long> _statusEvery = CliOptions.Long("--status-every", 50_000, 1, long.MaxValue, "status line every K execs after the first powers of two", "K");
    private readonly Option<string?> _events = CliOptions.OptionalText("--events",
        "the JSONL event log (default OUT/events.jsonl; appended to when resuming; '-': stdout, which then carries the log alone: the command's own lines go to stderr)", "FILE");
    private readonly Option<string?> _progress = Report.Progress.ProgressModes.Option();
    private readonly Option<string?> _syncDir = CliOptions.OptionalText("--sync-dir",
        "share DIR with other workers (harness fuzz and afl-fuzz -M/-S): export kept inputs to DIR/NAME/queue in afl's naming, import the others' every K execs, " +
        "write DIR/NAME/fuzzer_stats; --out defaults to DIR/NAME. Imports depend on other processes: not repeatable from the seed", "DIR");
    private readonly Option<string?> _syncName = CliOptions.OptionalText("--name", "with --sync-dir: this worker's folder in DIR", "NAME");
    private readonly Option<bool> _syncMain = CliOptions.Flag("--main", "with --sync-dir: mark this worker as afl's main node (afl -S instances import only from main nodes)");
    private readonly Option<long> _syncEvery = CliOptions.Long("--sync-every", Harness.Fuzz.Sync.SyncWorker.DefaultImportEvery, 1, long.MaxValue,
        "with --sync-dir: executions between imports", "K");
    private readonly RegressionsFirst _regressions = new();
    private readonly Option<bool> _noInstrument = CliOptions.Flag("--no-instrument",
        "don't relaunch on the SharpFuzz-instrumented port (target features only; with --workers above 1 always so: SharpFuzz's map is one for all threads)");

    public void Declare(Command command, SystemRegistry systems)
    {
        CliOptions.Complete(_target, FuzzTargets.All(systems).Select(d => d.Name));
        command.AddAll(_target, _seed, _execs, _workers, _seconds, _corpus, _out);
        _config.AddTo(command);
        command.AddAll(_maxLen, _statusEvery, _events, _noInstrument, _progress, _syncDir, _syncName, _syncMain, _syncEvery);
        _regressions.AddTo(command);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string target = args.Get(_target)!;
        ulong seed = args.Value(_seed);
        double? seconds = args.Get(_seconds);
        long execs = args.Get(_execs) ?? (seconds is null ? 100_000 : long.MaxValue);
        string? corpus = args.Get(_corpus);
        string? outDir = args.Get(_out);
        int maxLen = args.Value(_maxLen);
        long statusEvery = args.Value(_statusEvery);
        int workers = args.Value(_workers);
        bool noInstrument = args.Value(_noInstrument);
        string? eventsPath = args.Get(_events);
        string? progress = args.Get(_progress);
        string? syncDir = args.Get(_syncDir);
        string? syncName = args.Get(_syncName);
        bool syncMain = args.Value(_syncMain);
        long syncEvery = args.Value(_syncEvery);
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        (bool regressions, bool stopOnRegression, string? repoArg) = _regressions.Options(args);

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
            if (regressed > 0 && stopOnRegression) return ExitCodes.Finding;
        }
        FuzzRunResult r = new FuzzEngine(createWorker, options, stdout).Run();
        stdout.WriteLine($"fuzz: {r.Execs} execs in {r.Seconds:0.0}s ({r.ExecsPerSecond:0} exec/s, {workers} worker{(workers == 1 ? "" : "s")}), {r.SeedInputs} seed inputs, corpus {r.Corpus.Count}, edges {r.Edges}, features {r.Features}, findings {r.Findings.Count}");
        if (r.Phases is { } phases) stdout.WriteLine($"fuzz: time by phase: {phases.Describe()}");
        if (r.Reach is { } reach) stdout.WriteLine($"fuzz: {ReachTally.Summary(reach.Counts)}");
        if (r.StoppedByTime) stdout.WriteLine($"fuzz: to repeat this run exactly: harness fuzz {target} --seed {seed} --execs {r.Execs} --workers {workers}{ConfigArgs(config)}");
        foreach (Finding f in r.Findings)
        {
            string when = f.ExecIndex < 0 ? "first while running the seed corpus" : $"first at exec {f.ExecIndex}";
            stdout.WriteLine($"finding {f.Signature} (x{f.Hits}, {when}, op {f.Outcome.Step}): {f.Outcome.Reason}");
            if (f.ArtifactPath is not null) stdout.WriteLine($"  harness repro {f.ArtifactPath}");
        }
        return r.Findings.Count == 0 && regressed == 0 ? ExitCodes.Ok : ExitCodes.Finding;
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
        catch (EnvironmentException)
        {
            return null;
        }
    }
}
