// mutate: the mutation campaign (issue 17 item 6). For each mutant of tools/mutate/catalog, in
// campaign order (see Campaign.Order): apply it to a scratch copy of the tree (never the working tree), build the
// harness, run `harness gate` under a timeout and classify the result; then put the file back.
// Results go to OUT/results.tsv (one line per mutant, appended as it finishes) and
// OUT/report.{md,json}, rebuilt after every mutant. Ctrl-C or SIGTERM stops the running child,
// restores the scratch file and leaves the report of what finished.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Mutate;

public static class Program
{
    private const string Usage = """
        usage: tools/mutate/run.sh [--only ID...] [--system S...] [--per-system N] [--resume] [--check] [--list] [--report]
                                   [--out DIR] [--scratch DIR] [--gate-timeout S] [--build-timeout S]
                                   [--no-baseline] [--whole-gate] [--gate-arg ARG...]
          --only ID...       run only these mutants (campaign order is kept)
          --system S...      run only these systems' mutants (mmgr, buffers, locks, dsa)
          --per-system N     only the first N selected mutants of each system (a deterministic subset)
          --resume           skip mutants already in OUT/results.tsv
          --report           rebuild OUT/report.{md,json} from OUT/results.tsv for the selection; run nothing
          --check            validate the catalog against the tree and exit
          --list             list the selected mutants and exit
          --out DIR          results folder (default out/mutate)
          --scratch DIR      scratch tree (default /tmp/mutate-$HARNESS_SLOT, or /tmp/mutate-campaign)
          --gate-timeout S   seconds before a gate run is killed and the mutant counted as a hang (default:
                             3 x the baseline gate's time, at least 300; 1800 with --no-baseline)
          --build-timeout S  seconds before a build is given up (default 900)
          --no-baseline      skip the gate run on the unmutated scratch tree
          --whole-gate       gate every mutant with every system, ignoring the catalogs' gate-systems
                             directives (by default a mutant of mmgr, say, is gated with --systems mmgr)
          --gate-arg ARG...  extra arguments for `harness gate` (e.g. --gate-arg --scale 2)
        """;

    private static volatile bool s_cancelled;

    public static int Main(string[] argv)
    {
        var only = new List<string>();
        var systems = new List<string>();
        var gateArgs = new List<string>();
        bool resume = false, check = false, list = false, baseline = true, reportOnly = false, wholeGate = false;
        string? outDir = null, scratch = null;
        int? gateTimeoutArg = null;
        int buildTimeout = 900, perSystem = int.MaxValue;
        List<string>? collecting = null;
        for (int i = 0; i < argv.Length; i++)
        {
            string a = argv[i];
            switch (a)
            {
                case "--only": collecting = only; break;
                case "--system": collecting = systems; break;
                case "--gate-arg": collecting = gateArgs; break;
                case "--resume": resume = true; collecting = null; break;
                case "--check": check = true; collecting = null; break;
                case "--list": list = true; collecting = null; break;
                case "--report": reportOnly = true; collecting = null; break;
                case "--per-system": perSystem = int.Parse(Next(argv, ref i), CultureInfo.InvariantCulture); collecting = null; break;
                case "--no-baseline": baseline = false; collecting = null; break;
                case "--whole-gate": wholeGate = true; collecting = null; break;
                case "--out": outDir = Next(argv, ref i); collecting = null; break;
                case "--scratch": scratch = Next(argv, ref i); collecting = null; break;
                case "--gate-timeout": gateTimeoutArg = int.Parse(Next(argv, ref i), CultureInfo.InvariantCulture); collecting = null; break;
                case "--build-timeout": buildTimeout = int.Parse(Next(argv, ref i), CultureInfo.InvariantCulture); collecting = null; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default:
                    if (collecting is null || (a.StartsWith("--", StringComparison.Ordinal) && collecting != gateArgs))
                    {
                        Console.Error.WriteLine($"mutate: unknown argument '{a}'\n{Usage}");
                        return 2;
                    }
                    collecting.Add(a);
                    break;
            }
        }

        string repo = GitTopLevel(Directory.GetCurrentDirectory());
        IReadOnlyList<Mutant> catalog = Catalog.Load(Path.Combine(repo, "tools", "mutate", "catalog"));
        IReadOnlyList<string> problems = Catalog.Problems(catalog, repo);
        foreach (string p in problems) Console.Error.WriteLine($"catalog: {p}");
        if (problems.Count > 0) return 2;
        var unknown = only.Where(id => catalog.All(m => m.Id != id)).ToList();
        if (unknown.Count > 0) { Console.Error.WriteLine($"mutate: no mutant {string.Join(", ", unknown)}"); return 2; }
        var selected = Campaign.Order(catalog.Where(m => (only.Count == 0 || only.Contains(m.Id)) && (systems.Count == 0 || systems.Contains(m.System))), perSystem);
        Console.WriteLine($"mutate: catalog {catalog.Count} mutants ({string.Join(", ", catalog.GroupBy(m => m.System).Select(g => $"{g.Key} {g.Count()}"))}); selected {selected.Count}");
        if (check) return 0;
        if (list)
        {
            foreach (Mutant m in selected) Console.WriteLine($"{m.Id}\t{m.System}\t{m.File}\t{m.Why}");
            return 0;
        }

        outDir = Path.GetFullPath(outDir ?? Path.Combine(repo, "out", "mutate"));
        string slot = Environment.GetEnvironmentVariable("HARNESS_SLOT") is { Length: > 0 } s ? s : "campaign";
        scratch = Path.GetFullPath(scratch ?? Path.Combine("/tmp", $"mutate-{slot}"));
        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(scratch);
        string tsv = Path.Combine(outDir, "results.tsv");
        var results = new List<MutantResult>();
        if (reportOnly)
        {
            var recorded = File.ReadLines(tsv).Skip(1).Where(l => l.Length > 0).Select(MutantResult.FromTsv).ToList();
            CampaignReport.Write(outDir, selected, recorded, $"Report rebuilt from {tsv} (`tools/mutate/run.sh {string.Join(' ', argv)}`).",
                finished: selected.All(m => recorded.Any(r => r.Id == m.Id)));
            Console.WriteLine($"mutate: report {Path.Combine(outDir, "report.md")}");
            return 0;
        }
        if (resume && File.Exists(tsv))
            results.AddRange(File.ReadLines(tsv).Skip(1).Where(l => l.Length > 0).Select(MutantResult.FromTsv));
        else File.WriteAllText(tsv, MutantResult.Header + "\n");

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        Console.WriteLine($"mutate: scratch {scratch}, results {outDir}");
        int copied = Scratch.Sync(repo, scratch);
        Console.WriteLine($"mutate: synced scratch ({copied} files copied)");
        var env = new Dictionary<string, string> { ["HARNESS_SLOT"] = "mutate", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        string baseDir = Path.Combine(outDir, "baseline");
        Directory.CreateDirectory(baseDir);
        ProcResult b = Build(scratch, Path.Combine(baseDir, "build.log"), buildTimeout, env);
        if (b.ExitCode != 0) { Console.Error.WriteLine($"mutate: the unmutated tree does not build (see {baseDir}/build.log)"); return 2; }
        Console.WriteLine($"mutate: baseline build {b.Seconds:0.0}s");
        // A mutant's gate may run longer than the clean one (shrinking, replays), but a gate three
        // times slower than the clean one on the same machine is a hang.
        int gateTimeout = gateTimeoutArg ?? 1800;
        string baselineNote = "baseline gate not run (--no-baseline)";
        if (baseline && !s_cancelled)
        {
            ProcResult g = Gate(scratch, baseDir, gateTimeoutArg ?? 3600, env, gateArgs);
            if (g.ExitCode != 0 && !s_cancelled)
            {
                Console.Error.WriteLine($"mutate: the gate {(g.TimedOut ? "timed out" : "fails")} on the unmutated tree (see {baseDir}/gate.log): nothing to measure");
                return 2;
            }
            gateTimeout = gateTimeoutArg ?? Math.Max(300, (int)(3 * g.Seconds));
            baselineNote = $"baseline gate passed in {g.Seconds:0} s";
            Console.WriteLine($"mutate: {baselineNote}");
        }
        string header = $"Command: `tools/mutate/run.sh {string.Join(' ', argv)}`; tree {GitHead(repo)}; started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; "
            + $"baseline build {b.Seconds:0} s, {baselineNote}; gate timeout {gateTimeout} s; "
            + (wholeGate ? "every mutant gated with every system." : "each mutant gated with the systems its catalog's gate-systems directive names (all when none).");

        foreach (Mutant m in selected)
        {
            if (s_cancelled) break;
            if (results.Any(r => r.Id == m.Id)) continue;
            MutantResult? r = RunOne(m, scratch, outDir, env, GateArgsFor(m, gateArgs, wholeGate), buildTimeout, gateTimeout);
            if (r is null) break; // cancelled mid-way: not recorded
            results.Add(r);
            File.AppendAllText(tsv, r.ToTsv() + "\n");
            Console.WriteLine($"mutate: {m.Id,-40} {r.Status,-9} build {r.BuildSeconds,5:0.0}s gate {r.GateSeconds,6:0.0}s  {r.FirstKill}");
            CampaignReport.Write(outDir, selected, results, header, finished: false);
        }
        bool finished = !s_cancelled && selected.All(m => results.Any(r => r.Id == m.Id));
        CampaignReport.Write(outDir, selected, results, header, finished);
        Console.WriteLine($"mutate: {(finished ? "done" : "stopped")}; report {Path.Combine(outDir, "report.md")}");
        return s_cancelled ? 130 : 0;
    }

    private static MutantResult? RunOne(Mutant m, string scratch, string outDir, Dictionary<string, string> env, List<string> gateArgs, int buildTimeout, int gateTimeout)
    {
        string dir = Path.Combine(outDir, m.Id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(scratch, m.File);
        byte[] pristine = File.ReadAllBytes(path);
        string text = File.ReadAllText(path);
        int n = Catalog.Occurrences(text, m.Original);
        if (n != 1) throw new InvalidOperationException($"{m.Id}: snippet occurs {n} times in the scratch copy of {m.File}");
        try
        {
            File.WriteAllText(path, text.Replace(m.Original, m.Replacement, StringComparison.Ordinal));
            ProcResult b = Build(scratch, Path.Combine(dir, "build.log"), buildTimeout, env);
            if (b.Cancelled) return null;
            if (b.ExitCode != 0)
            {
                string err = File.ReadLines(Path.Combine(dir, "build.log")).FirstOrDefault(l => l.Contains(": error ", StringComparison.Ordinal)) ?? (b.TimedOut ? "build timed out" : "build failed");
                return new MutantResult(m.Id, m.System, Status.Stillborn, b.Seconds, 0, null, [], [], "", err.Trim());
            }
            ProcResult g = Gate(scratch, dir, gateTimeout, env, gateArgs);
            if (g.Cancelled) return null;
            if (g.TimedOut)
                return new MutantResult(m.Id, m.System, Status.Hang, b.Seconds, g.Seconds, g.Seconds, ["timeout"], ["gate-timeout"], $"gate killed after {gateTimeout}s", "");
            string junit = Path.Combine(dir, "junit.xml");
            if (g.ExitCode == 0)
                return new MutantResult(m.Id, m.System, Status.Survived, b.Seconds, g.Seconds, null, [], [], "", "");
            if (!File.Exists(junit))
                return new MutantResult(m.Id, m.System, Status.Killed, b.Seconds, g.Seconds, g.Seconds, ["gate-process"], [$"crash:exit-{g.ExitCode}"], $"gate exited {g.ExitCode} without a report", "");
            IReadOnlyList<Kill> kills = GateVerdict.Read(junit);
            if (kills.Count == 0)
                return new MutantResult(m.Id, m.System, Status.Killed, b.Seconds, g.Seconds, g.Seconds, ["gate-process"], [$"crash:exit-{g.ExitCode}"], $"gate exited {g.ExitCode} with no failing case", "");
            Kill first = kills[0];
            return new MutantResult(m.Id, m.System, Status.Killed, b.Seconds, g.Seconds, first.SecondsIn,
                kills.Select(k => k.Engine).Distinct().ToList(), kills.Select(k => k.Oracle).Distinct().ToList(),
                $"{first.Suite}/{first.Case} {first.Oracle}", string.Join(" || ", kills.Take(3).Select(k => $"{k.Suite}/{k.Case}: {Trim(k.Message)}")));
        }
        finally
        {
            File.WriteAllBytes(path, pristine);
        }
    }

    private static ProcResult Build(string scratch, string log, int timeout, Dictionary<string, string> env) =>
        Proc.Run("dotnet", ["build", "src/Harness/Harness.csproj", "-c", "Release", "--nologo", "-clp:ErrorsOnly;NoSummary"], scratch, log, timeout, env, () => s_cancelled);

    private static ProcResult Gate(string scratch, string dir, int timeout, Dictionary<string, string> env, List<string> gateArgs)
    {
        string dll = Path.Combine(scratch, ".slots", "mutate", "bin", "Harness", "release", "harness.dll");
        var args = new List<string> { dll, "gate", "--junit", Path.Combine(dir, "junit.xml"), "--artifacts", Path.Combine(dir, "artifacts") };
        args.AddRange(gateArgs);
        return Proc.Run("dotnet", args, scratch, Path.Combine(dir, "gate.log"), timeout, env, () => s_cancelled);
    }

    /// <summary>The gate arguments for one mutant: the campaign's, plus `--systems` from its catalog's
    /// gate-systems directive unless the whole gate was asked for or the arguments already choose.</summary>
    public static List<string> GateArgsFor(Mutant m, IReadOnlyList<string> gateArgs, bool wholeGate)
    {
        var args = new List<string>(gateArgs);
        if (!wholeGate && m.GateSystems is { Count: > 0 } gs && !gateArgs.Contains("--systems"))
            args.AddRange(["--systems", string.Join(',', gs)]);
        return args;
    }

    private static void Stop(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        s_cancelled = true;
        Proc.KillCurrent();
        Console.Error.WriteLine("mutate: stopping (the scratch file is restored; the report keeps what finished)");
    }

    private static string Trim(string s) => s.Length <= 300 ? s : s[..300] + "...";

    private static string Next(string[] argv, ref int i) =>
        i + 1 < argv.Length ? argv[++i] : throw new ArgumentException($"{argv[i]} needs a value");

    private static string GitTopLevel(string cwd) => Git(cwd, "rev-parse", "--show-toplevel");

    private static string GitHead(string repo)
    {
        string head = Git(repo, "rev-parse", "--short", "HEAD");
        return Git(repo, "status", "--porcelain").Length > 0 ? head + " (+ uncommitted changes)" : head;
    }

    private static string Git(string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? o : throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {cwd}");
    }
}
