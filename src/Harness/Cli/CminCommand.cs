// `harness cmin IN OUT`: corpus minimization. Keeps the smallest set of inputs from IN that still
// reaches every (edge, hit-count bucket) feature IN reaches, and writes it to OUT under
// content-hash names. Failing inputs are reported and left out.
using Harness.Core;
using System.CommandLine;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class CminCommand : IHarnessCommand
{
    public string Name => "cmin";
    public string Summary => "minimize a corpus folder, keeping every bucketed edge it reaches";

    private readonly Argument<string> _in = CliOptions.Required("in", "the corpus folder to minimize");
    private readonly Argument<string> _out = CliOptions.Required("out", "the output corpus folder (created; existing files stay)");
    private readonly Option<string?> _target = CliOptions.OptionalText("--target", "target (default: the one whose fuzz/corpus/<folder> IN is, or the only one)", "T");
    private readonly Option<int> _maxLen = CliOptions.Int("--max-len", 4096, 1, 1 << 20, "longest input in bytes", "B");
    private readonly Option<bool> _noInstrument = CliOptions.Flag("--no-instrument", "don't relaunch on the SharpFuzz-instrumented port (target features only)");
    private readonly FuzzTargetOptions _config = new();
    private readonly Option<string?> _progress = Report.Progress.ProgressModes.Option();

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_in, _out, _target);
        _config.AddTo(command);
        command.AddAll(_maxLen, _noInstrument, _progress);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? targetArg = args.Get(_target);
        int maxLen = args.Value(_maxLen);
        bool noInstrument = args.Value(_noInstrument);
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        string? progress = args.Get(_progress);
        string inDir = args.Get(_in)!, outDir = args.Get(_out)!;
        if (!Directory.Exists(inDir)) throw new InputException($"{inDir}: no such folder");
        string targetName = targetArg ?? DefaultTarget.Name(args.Systems, Path.Combine(inDir, "x"));
        IFuzzTarget target = FuzzTargets.Create(args.Systems, targetName, config);
        if (InstrumentedRun.RelaunchIfNeeded(noInstrument, stderr) is int code) return code;

        using var sink = Report.Progress.ProgressSink.Open(progress, stdout, stderr);
        stdout = sink.Out;
        var problems = new List<string>();
        List<CorpusFile> files = CorpusFolder.Load(inDir, maxLen, problems);
        // cmin keeps no event log; it tells the sink the same names a log would carry
        var clock = Harness.Core.WallClock.StartNew();
        sink.OnEvent(Name, "start", 0, [("in", inDir), ("inputs", files.Count)]);
        foreach (string p in problems) stdout.WriteLine($"cmin: {p}");
        var sources = FuzzEngine.SourcesFor(target, InstrumentedRun.IlCoverageAvailable);
        var executor = new FuzzExecutor(target, sources);
        executor.Run(ReadOnlySpan<byte>.Empty); // warm-up: static initialisers are not features
        CorpusMinimizeResult r = CorpusMinimizer.Minimize(executor, files, stdout, (tried, kept, features) =>
            sink.OnEvent(Name, "stats", clock.Elapsed.TotalSeconds, [("inputs", tried), ("kept", kept), ("features", features),
                ("cases_per_s", clock.Elapsed.TotalSeconds > 0 ? tried / clock.Elapsed.TotalSeconds : 0)]));
        sink.OnEvent(Name, "stats", clock.Elapsed.TotalSeconds, [("inputs", r.Inputs), ("kept", r.Kept.Count), ("features", r.Features), ("findings", r.Failing)]);
        sink.OnEvent(Name, "end", clock.Elapsed.TotalSeconds, [("inputs", r.Inputs), ("kept", r.Kept.Count)]);
        foreach (CorpusFile f in r.Kept) CorpusFolder.Save(outDir, f.Data);
        stdout.WriteLine($"cmin: {r.Inputs} inputs ({r.Failing} failing, {problems.Count} problems) -> {r.Kept.Count} kept in {outDir}; {r.Features} features over {string.Join("+", sources.Select(s => s.Name))}");
        return ExitCodes.Ok;
    }
}
