// `harness afl TARGET`: prints (and with --run, runs) the afl-fuzz command line that fuzzes TARGET
// with AFL++ 4.04c against the SharpFuzz-instrumented port, then summarises afl's fuzzer_stats.
// Exit code with --run: Ok no crash saved, Finding crashes saved or afl failed; EnvironmentError
// when afl-fuzz is not installed.
using Harness.Core;
using System.CommandLine;
using System.Diagnostics;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Instrumentation;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class AflCommand : IHarnessCommand
{
    public const int DefaultTimeoutMs = 5000;
    public const int DefaultSeconds = 60;

    public string Name => "afl";
    public string Summary => "print or run the AFL++ (afl-fuzz 4.04c) campaign for a target";

    private readonly Argument<string> _target = CliOptions.Required("target", "sim-selftest (built in) or a registered fuzz target (harness systems lists them)");
    private readonly Argument<string[]> _aflArgs = CliOptions.ZeroOrMore("afl-args", "more afl-fuzz arguments, after --");
    private readonly Option<bool> _run = CliOptions.Flag("--run", "execute afl-fuzz for --seconds (afl's -V) and summarise fuzzer_stats");
    private readonly Option<int> _seconds = CliOptions.Int("--seconds", DefaultSeconds, 1, 7 * 24 * 3600, "with --run: how long afl-fuzz runs", "T");
    private readonly Option<string?> _corpus = CliOptions.OptionalText("--corpus",
        "seed folder (default: the target's fuzz/corpus folder; a one-file seed folder is created if it is missing or empty)", "DIR");
    private readonly Option<string?> _out = CliOptions.OptionalText("--out", "afl output folder (default artifacts/afl/TARGET)", "DIR");
    private readonly Option<bool> _supervise = CliOptions.Flag("--supervise", "supervisor/worker mode: an afl timeout or an uncatchable crash kills only the worker");
    private readonly Option<int> _timeout = CliOptions.Int("--timeout", DefaultTimeoutMs, 10, 3_600_000, "afl's -t per execution in ms", "MS");
    private readonly Option<string?> _syncDir = CliOptions.OptionalText("--sync-dir",
        "afl's parallel mode: -o DIR and -M NAME (--main) or -S NAME (--secondary); the instance works in DIR/NAME and trades queue entries with every worker in DIR, `harness fuzz --sync-dir` ones too", "DIR");
    private readonly Option<string?> _syncName = CliOptions.OptionalText("--name", "with --sync-dir: this instance's name (its folder in DIR)", "NAME");
    private readonly Option<bool> _main = CliOptions.Flag("--main", "with --sync-dir: afl's main node (-M)");
    private readonly Option<bool> _secondary = CliOptions.Flag("--secondary", "with --sync-dir: a secondary node (-S)");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_target, _aflArgs, _run, _seconds, _corpus, _out, _supervise, _timeout, _syncDir, _syncName, _main, _secondary);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool run = args.Value(_run);
        bool supervise = args.Value(_supervise);
        int seconds = args.Value(_seconds);
        int timeout = args.Value(_timeout);
        string? corpus = args.Get(_corpus);
        string? output = args.Get(_out);
        string? syncDir = args.Get(_syncDir);
        string? syncName = args.Get(_syncName);
        bool main = args.Value(_main);
        bool secondary = args.Value(_secondary);
        AflSyncRole? role = null;
        if (syncDir is not null || syncName is not null || main || secondary)
        {
            if (syncDir is null || syncName is null || main == secondary)
                throw new UsageException("afl's parallel mode wants --sync-dir DIR, --name NAME and one of --main or --secondary");
            if (output is not null) throw new UsageException("--sync-dir replaces --out (the instance writes to DIR/NAME)");
            role = new AflSyncRole(AflSyncRole.CheckName(syncName), main);
            output = syncDir;
        }
        string target = args.Get(_target)!;
        IReadOnlyList<string> extra = args.Get(_aflArgs) ?? [];
        AflTargets.Get(args.Systems, target);   // unknown names fail here, not inside afl
        // A registered target runs under its own name (an older alias resolves to it) and
        // seeds from its corpus folder; the built-in sim-selftest has neither.
        FuzzTargetDef? def = FuzzTargets.All(args.Systems).FirstOrDefault(d => d.Answers(target));
        if (def is not null) target = def.Name;

        string repo = TryRepoRoot() ?? Directory.GetCurrentDirectory();
        output = Path.GetFullPath(output ?? Path.Combine(repo, "artifacts", "afl", target));
        corpus = Path.GetFullPath(corpus ?? def?.CorpusPath(repo) ?? Path.Combine(repo, "fuzz", "corpus", target));
        corpus = EnsureSeeds(corpus, output, stderr);

        string folder = InstrumentedFolder.Ensure(stderr);
        string? aflFuzz = AflCommandLine.FindAflFuzz();
        AflCommandLine line = AflCommandLine.Build(aflFuzz ?? "afl-fuzz", target, folder, corpus, output, timeout,
            run ? seconds : null, supervise, extra, role);
        stdout.WriteLine(line.ToShell());
        if (!run) return ExitCodes.Ok;
        if (aflFuzz is null) throw new EnvironmentException("afl-fuzz is not on PATH (install it: apt-get install -y afl++)");
        return Execute(line, output, role?.Name ?? "default", seconds, stdout, stderr);
    }

    private static int Execute(AflCommandLine line, string output, string instance, int seconds, TextWriter stdout, TextWriter stderr)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        // a sync worker's log sits beside the sync directory, where afl will not take it for a worker folder
        string logPath = instance == "default" ? output + ".afl.log" : output + "." + instance + ".afl.log";
        var psi = new ProcessStartInfo(line.AflFuzz)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in line.Arguments) psi.ArgumentList.Add(a);
        foreach (KeyValuePair<string, string> kv in line.Environment) psi.Environment[kv.Key] = kv.Value;
        stdout.WriteLine($"afl: running for {seconds} s, log {logPath}");
        using var log = new StreamWriter(logPath, append: false);
        using Process afl = Process.Start(psi) ?? throw new EnvironmentException("could not start afl-fuzz");
        var sync = new object();
        void Pump(string? l)
        {
            if (l is null) return;
            lock (sync) log.WriteLine(l);
        }
        afl.OutputDataReceived += (_, e) => Pump(e.Data);
        afl.ErrorDataReceived += (_, e) => Pump(e.Data);
        afl.BeginOutputReadLine();
        afl.BeginErrorReadLine();
        // afl stops itself after -V seconds; the margin covers .NET start-up and calibration.
        if (!afl.WaitForExit((seconds + 120) * 1000))
        {
            afl.Kill(entireProcessTree: true);
            stderr.WriteLine("afl: afl-fuzz did not stop after -V; killed");
        }
        afl.WaitForExit();
        lock (sync) log.Flush();

        AflStats? stats = AflStats.TryLoad(output, instance);
        if (afl.ExitCode != 0 || stats is null)
        {
            stderr.WriteLine($"afl: afl-fuzz failed (exit code {afl.ExitCode}); last lines of {logPath}:");
            lock (sync)
            {
                log.Flush();
            }
            foreach (string l in File.ReadLines(logPath).TakeLast(25)) stderr.WriteLine("  " + l);
            return ExitCodes.Finding;
        }
        stdout.WriteLine("afl: " + stats.Summary());
        if (stats.SavedCrashes > 0)
        {
            stdout.WriteLine($"afl: crashes saved in {Path.Combine(output, instance, "crashes")} (sig:NN names the fault class; see AflFaultSignals)");
            return ExitCodes.Finding;
        }
        return ExitCodes.Ok;
    }

    /// <summary>Returns a folder with at least one seed: the given corpus, or a generated one-file folder next to the output.</summary>
    private static string EnsureSeeds(string corpus, string output, TextWriter stderr)
    {
        if (Directory.Exists(corpus) && Directory.EnumerateFiles(corpus).Any()) return corpus;
        string generated = output + ".seeds";
        Directory.CreateDirectory(generated);
        string seed = Path.Combine(generated, "seed-0");
        if (!File.Exists(seed)) File.WriteAllBytes(seed, new byte[] { 0, 4, 0, 9, 2, 3, 1, 0, 3, 1 });
        stderr.WriteLine($"afl: no seeds in {corpus}; using {generated}");
        return generated;
    }

    private static string? TryRepoRoot()
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
