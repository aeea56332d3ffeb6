// `harness diff mmgr --pg-source DIR`: live differential fuzzing of the memory contexts against
// PostgreSQL's own C. Builds tools/pg-golden/mmgr's driver from DIR (cached under the output
// folder, keyed by a hash of the PostgreSQL path and the driver's sources), then runs the in-process
// coverage-guided engine on DiffFuzzTarget, one C driver process per worker, seeded from the mmgr
// target's corpus. Every difference is a finding: the engine's artifact, plus a golden vector of it
// (the C side's text, OUT/vectors/<build>/<name>.txt) that `harness golden mmgr replay FILE`
// replays against the port without a PostgreSQL tree.
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
    public string Usage => """
        usage: harness diff mmgr --pg-source DIR [--seed S] [--execs N] [--workers W] [--build cas|chk|prod]
                                 [--heap-max BYTES] [--corpus DIR|none] [--out DIR] [--ops-max M]
          --pg-source DIR  a configured PostgreSQL 17+ tree (tools/pg-golden/mmgr/build.sh compiles its mmgr files)
          --seed S         mutation seed (default 1); --execs N (default 20000); --workers W (default 1)
          --build B        cas (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY + USE_ASSERT_CHECKING, as the
                           port's default options; default), chk (the same without assertions) or prod
          --heap-max B     both heaps' limit (default 16 MiB, as the mmgr fuzz target)
          --corpus DIR     seed inputs (default fuzz/corpus/mmgr)
          --out DIR        driver build, corpus, findings and their vectors (default out/diff/mmgr)
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Positional0 != MmgrSystem.SystemName) throw new UsageException("harness diff supports one system: mmgr");
        string pg = args.String("pg-source") ?? throw new UsageException("--pg-source DIR is required");
        ulong seed = args.ULong("seed", 1);
        long execs = args.Long("execs", 20_000, 0);
        int workers = args.Int("workers", 1, 1, FuzzEngineOptions.MaxWorkers);
        string build = args.String("build", "cas");
        if (build is not ("cas" or "chk" or "prod")) throw new UsageException("--build is cas, chk or prod");
        ulong heapMax = args.ULong("heap-max", DiffFuzzTarget.DefaultHeapMax);
        string outDir = Path.GetFullPath(args.String("out", Path.Combine("out", "diff", "mmgr")));
        string? corpus = args.String("corpus");
        FuzzTargetConfig config = args.FuzzTargetConfig();
        args.RejectUnknown();

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
            return r.Findings.Count == 0 ? Program.ExitOk : Program.ExitFailure;
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
        using Process p = Process.Start(psi) ?? throw new InputException("could not run bash");
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InputException($"building the C driver failed (tools/pg-golden/mmgr/build.sh, PG={pg}):\n{err}");
        File.WriteAllText(stamp, hash + "\n");
        stdout.WriteLine($"diff: built the C driver from {pg} into {dir}");
        return driver;
    }
}
