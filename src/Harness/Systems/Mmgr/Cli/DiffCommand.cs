// `harness diff mmgr --pg-source DIR`: live differential fuzzing of the memory contexts against
// PostgreSQL's own C. Builds tools/pg-golden/mmgr's driver from DIR (cached under the output
// folder, keyed by a hash of the PostgreSQL path and the driver's sources), then runs the in-process
// coverage-guided engine on DiffFuzzTarget, one C driver process per worker, seeded from the mmgr
// target's corpus. Every difference is a finding: the engine's artifact, plus a golden vector of it
// (the C side's text, OUT/vectors/<build>/<name>.txt) that `harness golden mmgr replay FILE`
// replays against the port without a PostgreSQL tree.
using Harness.Core;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Harness.Cli;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Mmgr.Golden;

namespace Harness.Systems.Mmgr.Cli;

public sealed class DiffCommand : IHarnessCommand
{
    public string Name => "diff";
    public string Summary => "differential fuzzing of the port against PostgreSQL's C (mmgr: needs a PostgreSQL source tree)";

    private readonly Argument<string> _system = CliOptions.Required("system", "the system to diff against its C: mmgr (the only one with a C driver)");
    private readonly Option<string> _pgSource = new("--pg-source")
    {
        Description = "a configured PostgreSQL 17+ tree (tools/pg-golden/mmgr/build.sh compiles its mmgr files)", HelpName = "DIR", Required = true,
    };
    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", 1, "mutation seed");
    private readonly Option<long> _execs = CliOptions.Long("--execs", 20_000, 0, long.MaxValue, "mutated executions");
    private readonly Option<int> _workers = CliOptions.Int("--workers", 1, 1, FuzzEngineOptions.MaxWorkers, "parallel workers (one C driver process each)", "W");
    private readonly Option<string> _build = CliOptions.Choice("--build", "cas",
        "cas (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY + USE_ASSERT_CHECKING, as the port's default options), chk (the same without assertions) or prod",
        "cas", "chk", "prod");
    private readonly Option<ulong> _heapMax = CliOptions.Seed("--heap-max", DiffFuzzTarget.DefaultHeapMax, "both heaps' limit in bytes, as the mmgr fuzz target's");
    private readonly Option<string?> _corpus = CliOptions.OptionalText("--corpus", "seed inputs (default fuzz/corpus/mmgr; 'none' for no seeds)", "DIR");
    private readonly Option<string> _out = CliOptions.Text("--out", Path.Combine("out", "diff", "mmgr"), "driver build, corpus, findings and their vectors", "DIR");
    private readonly FuzzTargetOptions _config = new();

    public void Declare(Command command, SystemRegistry systems)
    {
        _system.AcceptOnlyFromAmong(MmgrSystem.SystemName);
        command.AddAll(_system, _pgSource, _seed, _execs, _workers, _build, _heapMax, _corpus, _out);
        _config.AddTo(command);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string pg = args.Value(_pgSource);
        ulong seed = args.Value(_seed);
        long execs = args.Value(_execs);
        int workers = args.Value(_workers);
        string build = args.Value(_build);
        ulong heapMax = args.Value(_heapMax);
        string outDir = Path.GetFullPath(args.Value(_out));
        string? corpus = args.Get(_corpus);
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        if (!Directory.Exists(pg)) throw new InputException($"--pg-source {pg}: no such folder");

        string repo = RepoRoot.Find();
        corpus ??= Path.Combine(repo, "fuzz", "corpus", MmgrSystem.SystemName);
        if (corpus == "none" || !Directory.Exists(corpus)) corpus = null;
        string driver = BuildDriver(repo, Path.GetFullPath(pg), Path.Combine(outDir, "driver"), build, stdout);

        var targets = new List<DiffFuzzTarget>();
        DiffFuzzTarget Create()
        {
            var t = new DiffFuzzTarget(config, driver, build, heapMax);
            lock (targets) targets.Add(t);
            return t;
        }
        try
        {
            var options = new FuzzEngineOptions
            {
                Seed = seed,
                Execs = execs,
                Workers = workers,
                OutDir = outDir,
                CorpusDirs = corpus is null ? [] : [corpus],
                TargetConfig = config.ToDictionary(),
            };
            stdout.WriteLine($"diff: mmgr ({build} build) seed={seed} execs={execs} workers={workers} heap-max={heapMax} corpus={corpus ?? "none"} driver={driver}");
            FuzzRunResult r = new FuzzEngine(FuzzWorkerSetup.Factory(Create, includeIlMap: false), options, stdout).Run();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"diff: {r.Execs} execs in {r.Seconds:0.0}s ({r.ExecsPerSecond:0} exec/s, {workers} worker{(workers == 1 ? "" : "s")}), corpus {r.Corpus.Count}, features {r.Features}, findings {r.Findings.Count}"));
            long both;
            lock (targets) both = targets.Sum(t => t.BothCrashed);
            if (both > 0) stdout.WriteLine($"diff: {both} executions died at the same op on both sides (agreement; e.g. quirk Q2's wrapped chunk size)");
            if (r.Findings.Count > 0)
            {
                DiffFuzzTarget replay = Create();
                foreach (Finding f in r.Findings)
                {
                    string vector = WriteVector(replay, f, Path.Combine(outDir, "vectors", build));
                    stdout.WriteLine($"finding {f.Signature} (x{f.Hits}, op {f.Outcome.Step}): {f.Outcome.Reason}");
                    stdout.WriteLine($"  harness golden mmgr replay {vector}");
                }
            }
            return r.Findings.Count == 0 ? ExitCodes.Ok : ExitCodes.Finding;
        }
        finally
        {
            foreach (DiffFuzzTarget t in targets) t.Dispose();
        }
    }

    /// <summary>Runs the finding's input again and writes the C side's text as a golden vector.</summary>
    private static string WriteVector(DiffFuzzTarget t, Finding f, string dir)
    {
        Directory.CreateDirectory(dir);
        t.Execute(f.Input);
        string stem = Path.Combine(dir, ContentHash.Of(f.Input)[..16]);
        File.WriteAllText(stem + ".txt", $"# harness diff finding {f.Signature}\n{GoldenVectors.HeapMaxComment}{t.HeapMax.ToString(CultureInfo.InvariantCulture)}\n{t.LastC}");
        // every op, also those after a crash of the C side (which its text stops before): driver input
        File.WriteAllText(stem + ".ops", string.Concat(t.Ops(f.Input).Select(o => o + "\n")));
        return stem + ".txt";
    }

    /// <summary>tools/pg-golden/mmgr/build.sh into dir, unless dir already holds a build of the
    /// same PostgreSQL path and driver sources (a stamp file with their hash).</summary>
    private static string BuildDriver(string repo, string pg, string dir, string build, TextWriter stdout)
    {
        string tool = Path.Combine(repo, "tools", "pg-golden", "mmgr");
        var key = new StringBuilder(pg).Append('\n');
        foreach (string f in new[] { "driver.c", "stubs.c", "stubs.h", "build.sh" }) key.Append(File.ReadAllText(Path.Combine(tool, f)));
        string hash = ContentHash.Of(Encoding.UTF8.GetBytes(key.ToString()));
        string stamp = Path.Combine(dir, "stamp"), driver = Path.Combine(dir, $"driver-{build}");
        if (File.Exists(driver) && File.Exists(stamp) && File.ReadAllText(stamp).Trim() == hash)
        {
            stdout.WriteLine($"diff: driver cached in {dir}");
            return driver;
        }
        Directory.CreateDirectory(dir);
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(tool, "build.sh"));
        psi.ArgumentList.Add(dir);
        psi.Environment["PG"] = pg;
        using Process p = Process.Start(psi) ?? throw new EnvironmentException("could not run bash");
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new EnvironmentException($"building the C driver failed (tools/pg-golden/mmgr/build.sh, PG={pg}):\n{err}");
        File.WriteAllText(stamp, hash + "\n");
        stdout.WriteLine($"diff: built the C driver from {pg} into {dir}");
        return driver;
    }
}
