// End to end under the real libFuzzer: the driver is built from tools/libfuzzer (once per class, into
// a temporary folder), `harness libfuzzer` runs it against the SharpFuzz-instrumented port, and the
// tests read what libFuzzer itself printed and wrote: coverage growing on managed edges, a planted
// bug saved as a crash file that replays through `harness repro` to its invariant (the canary is
// hit by an input of the committed corpus already, so this tests the crash path, not the search),
// a -merge=1 run, -jobs, a worker that dies mid-input recorded as a crash, and a hang as a timeout.
using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.LibFuzzer;
using Xunit;
using Xunit.Abstractions;

namespace Harness.Tests.Fuzz.LibFuzzer;

public sealed class LibFuzzerDriverFixture : IDisposable
{
    public LibFuzzerDriverFixture()
    {
        Folder = Directory.CreateTempSubdirectory("harness-libfuzzer-").FullName;
        Driver = Path.Combine(Folder, LibFuzzerDriver.ExecutableName);
        if (LibFuzzerDriver.ToolchainPresent()) LibFuzzerDriver.Build(RepoRoot.Find(), Driver, null, TextWriter.Null);
    }

    public string Folder { get; }

    public string Driver { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed partial class LibFuzzerRunTests : IClassFixture<LibFuzzerDriverFixture>
{
    private readonly LibFuzzerDriverFixture _fixture;
    private readonly ITestOutputHelper _output;

    public LibFuzzerRunTests(LibFuzzerDriverFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private (int Code, string Output) Harness(params string[] args)
    {
        (int code, string output) = HarnessRun.Run(SystemRegistry.Default, args);
        _output.WriteLine(output);
        return (code, output);
    }

    private string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_fixture.Folder, name)).FullName;

    [LibFuzzerFact]
    public void Libfuzzer_runs_the_target_and_its_features_grow_on_managed_edges()
    {
        string outDir = NewFolder("runs");
        (int code, string output) = Harness("libfuzzer", "mmgr", "--driver", _fixture.Driver, "--out", outDir, "--", "-runs=2000", "-seed=1");

        Assert.Equal(0, code);
        Assert.Contains("INFO: 65536 Extra Counters", output);   // the worker's edge map is libFuzzer's
        Assert.Matches(DoneRuns(), output);
        Assert.Contains("Done 2000 runs", output);
        List<(string Kind, int Ft)> progress = Progress().Matches(output).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        int inited = progress.First(p => p.Kind == "INITED").Ft;
        int best = progress.Max(p => p.Ft);
        Assert.True(inited > 0, "no features after the seed corpus: the SharpFuzz map did not reach libFuzzer");
        Assert.True(best > inited, $"ft: did not grow past INITED ({inited}) in 2000 runs");
        Assert.Contains(progress, p => p.Kind == "NEW");
        Assert.True(File.Exists(Path.Combine(outDir, "mmgr.dict")), "the target's dictionary was not written");
        Assert.Contains("-dict=" + Path.Combine(outDir, "mmgr.dict"), output);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(outDir, "corpus")));
    }

    [LibFuzzerFact]
    public void A_canary_is_saved_as_a_crash_file_that_replays_to_its_invariant()
    {
        string outDir = NewFolder("canary");
        (int code, string output) = Harness("libfuzzer", "mmgr", "--canary", "FreelistIndexOffByOne", "--driver", _fixture.Driver,
            "--out", outDir, "--", "-runs=200000", "-seed=1");

        Assert.Equal(1, code);
        Assert.Contains("deadly signal", output);                                  // libFuzzer recorded a crash
        Assert.Contains("libfuzzer-worker: finding ", output);                     // the worker named the outcome on stderr
        string crash = Assert.Single(Directory.EnumerateFiles(Path.Combine(outDir, "crashes"), "crash-*"), f => !f.EndsWith(".json", StringComparison.Ordinal));
        string artifact = crash + ".json";
        Assert.True(File.Exists(artifact), "no repro artifact beside " + crash);
        Assert.Contains("harness repro " + artifact, output);

        (int replay, string replayed) = Harness("repro", artifact);
        Assert.Equal(0, replay);
        Assert.Contains("REPRODUCED", replayed);
        // The worker's line and the replay name the same outcome kind and site.
        Match found = FindingLine().Match(output);
        Assert.True(found.Success, "no finding line in the worker's stderr");
        Assert.Contains("REPRODUCED: " + found.Groups[1].Value, replayed);

        (int once, string onceOutput) = Harness("libfuzzer-worker", "mmgr", crash, "--canary", "FreelistIndexOffByOne");
        Assert.Equal(1, once);
        Assert.Contains(found.Groups[1].Value.Split(':')[0] + " at op ", onceOutput);
    }

    [LibFuzzerFact]
    public void Merge_keeps_the_inputs_of_two_folders_that_add_coverage()
    {
        string outDir = NewFolder("merge");
        string a = NewFolder("merge-a"), b = NewFolder("merge-b"), dest = NewFolder("merge-dest");
        string[] seeds = Directory.EnumerateFiles(Path.Combine(RepoRoot.Find(), "fuzz", "corpus", "mmgr")).Order(StringComparer.Ordinal).ToArray();
        Assert.True(seeds.Length >= 2, "the mmgr corpus needs two inputs for this test");
        for (int i = 0; i < seeds.Length; i++) File.Copy(seeds[i], Path.Combine(i % 2 == 0 ? a : b, Path.GetFileName(seeds[i])));
        File.Copy(seeds[0], Path.Combine(b, "duplicate-of-" + Path.GetFileName(seeds[0])));   // adds nothing: merge drops it

        (int code, string output) = Harness("libfuzzer", "mmgr", "--driver", _fixture.Driver, "--out", outDir, "--", "-merge=1", dest, a, b);

        Assert.Equal(0, code);
        Assert.Contains("MERGE-OUTER: ", output);
        int merged = Directory.EnumerateFiles(dest).Count();
        Assert.InRange(merged, 1, seeds.Length);
    }

    [LibFuzzerFact]
    public void Jobs_run_in_their_own_processes_each_with_its_own_worker()
    {
        string outDir = NewFolder("jobs");
        (int code, _) = Harness("libfuzzer", "mmgr", "--driver", _fixture.Driver, "--out", outDir, "--", "-jobs=2", "-workers=2", "-runs=500", "-seed=5");

        Assert.Equal(0, code);
        foreach (string job in new[] { "fuzz-0.log", "fuzz-1.log" })
        {
            string log = File.ReadAllText(Path.Combine(outDir, job));   // -jobs writes each job's output into the working folder, OUT
            Assert.Contains("INFO: 65536 Extra Counters", log);
            // At least the 500 asked for: a job also runs the inputs the other job writes into the
            // shared corpus folder when it re-reads it (libFuzzer's -reload), so it may end above 500.
            var done = System.Text.RegularExpressions.Regex.Match(log, @"Done (\d+) runs");
            Assert.True(done.Success, log);
            Assert.True(long.Parse(done.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 500, done.Value);
        }
    }

    /// <summary>Runs libFuzzer on one sim-selftest input starting with a planted prefix (DIE!, HANG).</summary>
    private (int Code, string Output) RunPlanted(string prefix, params string[] flags)
    {
        string name = prefix.TrimEnd('!').ToLowerInvariant();
        string input = Path.Combine(NewFolder(name + "-input"), name);
        File.WriteAllBytes(input, System.Text.Encoding.ASCII.GetBytes(prefix));
        return Harness(["libfuzzer", "sim-selftest", "--driver", _fixture.Driver, "--out", NewFolder(name), "--", .. flags, input]);
    }

    [LibFuzzerFact]
    public void A_worker_that_dies_mid_input_is_a_crash()
    {
        (int code, string output) = RunPlanted("DIE!");

        Assert.Equal(1, code);
        Assert.Contains("the worker died while running this input", output);
        Assert.Contains("deadly signal", output);
    }

    [LibFuzzerFact]
    public void A_hang_is_libfuzzers_timeout_and_the_run_ends()
    {
        // The worker never returns from this input; libFuzzer's alarm ends the driver, and the
        // worker (killed with it) must not keep the command waiting for its output to close.
        (int code, string output) = RunPlanted("HANG", "-timeout=2");

        Assert.Equal(1, code);
        Assert.Contains("libFuzzer: timeout", output);
    }

    [GeneratedRegex(@"Done \d+ runs in \d+ second")]
    private static partial Regex DoneRuns();

    [GeneratedRegex(@"#\d+\s+(INITED|NEW|REDUCE|pulse)\s+cov: \d+ ft: (\d+)")]
    private static partial Regex Progress();

    [GeneratedRegex(@"libfuzzer-worker: finding (\S+):")]
    private static partial Regex FindingLine();
}
