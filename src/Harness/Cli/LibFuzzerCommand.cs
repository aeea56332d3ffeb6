// `harness libfuzzer TARGET [-- LIBFUZZER_ARGS...]`: fuzzes TARGET with libFuzzer. The native driver
// (tools/libfuzzer/driver.c, built by clang-14 -fsanitize=fuzzer on first use or with --build) runs
// libFuzzer and starts `harness libfuzzer-worker TARGET` on the SharpFuzz-instrumented port, so
// every libFuzzer flag works as documented: -runs=, -max_total_time=, -merge=1, -jobs=/-workers=,
// -dict=, -seed=, -max_len=, a crash file to re-run.
// Defaults (each dropped when the user gives its own): -artifact_prefix=OUT/crashes/, -dict= the
// target's dictionary written to OUT/TARGET.dict, and the corpus OUT/corpus plus the target's
// fuzz/corpus folder when no corpus argument is given. After libFuzzer exits, every crash-* input it
// saved in this run is replayed in-process and, when it fails, written as CRASH.json beside it,
// with the `harness repro` line that names the failing invariant (timeout-, oom- and other saved
// inputs are listed with the command that runs them once).
// Exit code (ExitCodes): Ok libFuzzer exited 0 and saved nothing, Finding it saved an input or failed.
using Harness.Core;
using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Harness.Fuzz;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Engine;
using Harness.Fuzz.Instrumentation;
using Harness.Fuzz.LibFuzzer;

namespace Harness.Cli;

public sealed partial class LibFuzzerCommand : IHarnessCommand
{
    public string Name => "libfuzzer";
    public string Summary => "run libFuzzer (clang-14 -fsanitize=fuzzer driver + SharpFuzz worker) on a target; libFuzzer's flags after --";

    private readonly Argument<string> _target = CliOptions.Required("target", "sim-selftest (built in) or a registered fuzz target (harness systems lists them)");
    private readonly Argument<string[]> _libFuzzerArgs = CliOptions.ZeroOrMore("libfuzzer-args",
        "libFuzzer's own flags and corpus arguments, after --: e.g. -runs=100000 -seed=1, -max_total_time=600, -jobs=4 -workers=2, -merge=1 DEST SRC..., -dict=FILE, or a crash file to re-run it");
    private readonly Option<bool> _build = CliOptions.Flag("--build", "rebuild the driver (tools/libfuzzer/build.sh; also done when it is missing or older than its source)");
    private readonly Option<string?> _driver = CliOptions.OptionalText("--driver", "use this driver executable (default artifacts/libfuzzer/harness-libfuzzer-driver)", "PATH");
    private readonly Option<string?> _out = CliOptions.OptionalText("--out", "corpus, crashes and dictionary folder (default artifacts/libfuzzer/TARGET)", "DIR");
    private readonly FuzzTargetOptions _config = new();
    private readonly Option<bool> _noDict = CliOptions.Flag("--no-dict", "do not pass the target's dictionary");
    private readonly Option<bool> _print = CliOptions.Flag("--print", "print the driver command line and stop");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_target, _libFuzzerArgs, _build, _driver, _out);
        _config.AddTo(command);
        command.AddAll(_noDict, _print);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool build = args.Value(_build);
        string? driver = args.Get(_driver);
        string? outDir = args.Get(_out);
        bool noDict = args.Value(_noDict);
        bool printOnly = args.Value(_print);
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        string target = args.Get(_target)!;
        IReadOnlyList<string> user = args.Get(_libFuzzerArgs) ?? [];
        foreach (string a in user.Where(a => a.StartsWith("-max_len=", StringComparison.Ordinal)))
            if (!int.TryParse(a["-max_len=".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int maxLen)
                || maxLen > LibFuzzerProtocol.InputBytes)
                throw new UsageException($"{a}: the driver's input area holds {LibFuzzerProtocol.InputBytes} bytes");
        IFuzzTarget t = AflTargets.Get(args.Systems, target, config);   // an unknown name or canary fails here
        FuzzTargetDef? def = FuzzTargets.All(args.Systems).FirstOrDefault(d => d.Answers(target));
        target = t.Name;   // an alias runs under the target's own name

        string repo = RepoRoot.Find();
        bool ownDriver = driver is null;
        driver = Path.GetFullPath(driver ?? LibFuzzerDriver.DefaultPath(repo));
        if (build || (ownDriver && !LibFuzzerDriver.IsCurrent(repo, driver)))
            LibFuzzerDriver.Build(repo, driver, null, stderr);
        if (!File.Exists(driver)) throw new InputException($"no driver at {driver} (run with --build)");

        outDir = Path.GetFullPath(outDir ?? Path.Combine(repo, "artifacts", "libfuzzer", target));
        string corpus = Path.Combine(outDir, "corpus");
        string crashes = Path.Combine(outDir, "crashes");
        Directory.CreateDirectory(corpus);
        Directory.CreateDirectory(crashes);
        string? dict = null;
        if (!noDict && FuzzDictionaryFile.Write(t, Path.Combine(outDir, target + ".dict"))) dict = Path.Combine(outDir, target + ".dict");
        var defaultCorpus = new List<string> { corpus };
        if (def is not null && Directory.Exists(def.CorpusPath(repo))) defaultCorpus.Add(def.CorpusPath(repo));

        string folder = InstrumentedFolder.Ensure(stderr);
        LibFuzzerCommandLine line = LibFuzzerCommandLine.Build(driver, DotnetHost.Path, folder, target, config,
            defaultCorpus, dict, crashes + Path.DirectorySeparatorChar, user);
        stdout.WriteLine(line.ToShell());
        if (printOnly) return ExitCodes.Ok;

        // Saved inputs land in the folder of the effective -artifact_prefix (ours or the user's);
        // a prefix with a file-name part only names files there, which Unconverted still finds.
        string? prefix = line.Arguments.LastOrDefault(a => a.StartsWith("-artifact_prefix=", StringComparison.Ordinal))?["-artifact_prefix=".Length..];
        crashes = prefix is null ? crashes : Path.GetDirectoryName(Path.GetFullPath(prefix + "x")) ?? crashes;
        var before = new HashSet<string>(LibFuzzerCrashFiles.Unconverted(crashes), StringComparer.Ordinal);
        int exit = Execute(line, outDir, stdout, stderr, out string? done);
        stdout.WriteLine($"libfuzzer: driver exited {exit}{(done is null ? "" : "; " + done)}");
        int saved = 0;
        foreach (string file in LibFuzzerCrashFiles.Unconverted(crashes).Where(f => !before.Contains(f)))
        {
            saved++;
            if (def is null || !LibFuzzerCrashFiles.Replayable(file))
            {
                stdout.WriteLine($"libfuzzer: saved {file} (not replayed here; run it once with: harness libfuzzer-worker {target} FILE{FuzzCommand.ConfigArgs(config)})");
                continue;
            }
            LibFuzzerCrash c = LibFuzzerCrashFiles.Convert(file, def, config);
            stdout.WriteLine(c.ArtifactPath is null
                ? $"libfuzzer: saved {file}; it does not fail when replayed in-process ({c.Outcome}): the worker died of something else"
                : $"libfuzzer: saved {file}: {LibFuzzerFindingException.Describe(c.Outcome)}\n  harness repro {c.ArtifactPath}");
        }
        return exit == 0 && saved == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    /// <summary>Runs the driver in OUT (where -jobs writes its fuzz-N.log files), copying its output line by line.</summary>
    private static int Execute(LibFuzzerCommandLine line, string outDir, TextWriter stdout, TextWriter stderr, out string? done)
    {
        var psi = new ProcessStartInfo(line.Driver)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = outDir,
        };
        foreach (string a in line.Arguments) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InputException($"could not start {line.Driver}");
        var sync = new object();
        string? last = null;
        void Pump(TextWriter to, string? l)
        {
            if (l is null) return;
            lock (sync)
            {
                to.WriteLine(l);
                if (DoneLine().IsMatch(l)) last = l.Trim();
            }
        }
        p.OutputDataReceived += (_, e) => Pump(stdout, e.Data);
        p.ErrorDataReceived += (_, e) => Pump(stderr, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.WaitForExit();
        lock (sync) done = last;
        return p.ExitCode;
    }

    [GeneratedRegex(@"^Done \d+ runs in \d+ second")]
    private static partial Regex DoneLine();
}
