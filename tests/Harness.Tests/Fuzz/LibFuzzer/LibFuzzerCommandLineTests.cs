// The libFuzzer mode's pieces that need no compiler: the driver command line (defaults, and the
// user's flags winning), the dictionary file format, the OSS-Fuzz $OUT layout, and the worker run
// by hand on one input.
using System.IO.Compression;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Fuzz.LibFuzzer;
using Xunit;

namespace Harness.Tests.Fuzz.LibFuzzer;

public sealed class LibFuzzerCommandLineTests
{
    private static LibFuzzerCommandLine Line(FuzzTargetConfig config, params string[] user) =>
        LibFuzzerCommandLine.Build("/d/driver", "/usr/bin/dotnet", "/i", "mmgr", config, ["/o/corpus", "/repo/fuzz/corpus/mmgr"], "/o/mmgr.dict", "/o/crashes/", user);

    [Fact]
    public void The_worker_is_one_worker_flag_per_word_and_the_defaults_follow()
    {
        LibFuzzerCommandLine l = Line(FuzzTargetConfig.Default with { Canary = "FreelistIndexOffByOne", OpsMax = 32 }, "-runs=10");
        Assert.Equal(
            ["--worker=/usr/bin/dotnet", "--worker=/i/harness.dll", "--worker=libfuzzer-worker", "--worker=mmgr",
             "--worker=--ops-max=32", "--worker=--canary=FreelistIndexOffByOne",
             "-artifact_prefix=/o/crashes/", "-dict=/o/mmgr.dict", "-runs=10", "/o/corpus", "/repo/fuzz/corpus/mmgr"],
            l.Arguments);
        Assert.StartsWith("/d/driver --worker=/usr/bin/dotnet ", l.ToShell());
    }

    [Fact]
    public void The_users_flags_and_corpus_replace_the_defaults()
    {
        LibFuzzerCommandLine l = Line(FuzzTargetConfig.Default, "-dict=/mine.dict", "-artifact_prefix=/x/", "-merge=1", "/dest", "/src");
        Assert.DoesNotContain("-dict=/o/mmgr.dict", l.Arguments);
        Assert.DoesNotContain("-artifact_prefix=/o/crashes/", l.Arguments);
        Assert.DoesNotContain("/o/corpus", l.Arguments);
        Assert.Equal(["-dict=/mine.dict", "-artifact_prefix=/x/", "-merge=1", "/dest", "/src"], l.Arguments.Skip(4));
    }

    [Fact]
    public void The_users_paths_are_made_absolute_because_the_driver_runs_in_the_output_folder()
    {
        string cwd = Directory.GetCurrentDirectory();
        LibFuzzerCommandLine l = Line(FuzzTargetConfig.Default, "-artifact_prefix=found/", "-dict=my.dict", "-runs=5", "-merge=1", "a", "/abs/b");
        Assert.Equal(
            ["-artifact_prefix=" + Path.Combine(cwd, "found") + "/", "-dict=" + Path.Combine(cwd, "my.dict"), "-runs=5", "-merge=1", Path.Combine(cwd, "a"), "/abs/b"],
            l.Arguments.Skip(4));
    }

    [Fact]
    public void A_max_len_above_the_drivers_input_area_is_a_usage_error()
    {
        (int code, string output) = HarnessRun.Run(SystemRegistry.Default, "libfuzzer", "mmgr", "--print", "--", "-max_len=" + (LibFuzzerProtocol.InputBytes + 1));
        Assert.Equal(2, code);
        Assert.Contains("input area holds 1048576 bytes", output);
    }

    [Fact]
    public void Dictionary_tokens_are_quoted_with_hex_escapes()
    {
        Assert.Equal("\"ab\\x22\\x5C\\x00\\xFF~\"", FuzzDictionaryFile.Quote([(byte)'a', (byte)'b', (byte)'"', (byte)'\\', 0, 0xff, (byte)'~']));
        IFuzzTarget mmgr = FuzzTargets.Create(SystemRegistry.Default, "mmgr");
        string text = FuzzDictionaryFile.For(mmgr)!;
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("# mmgr: ", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Matches("^t[0-9]+=\"([ -!#-\\[\\]-~]|\\\\x[0-9A-F]{2})+\"$", l));
        Assert.Equal(lines.Length - 1, lines.Skip(1).Select(l => l[(l.IndexOf('=') + 1)..]).Distinct().Count());
        Assert.Equal(text, FuzzDictionaryFile.For(FuzzTargets.Create(SystemRegistry.Default, "mmgr")));
    }

    [Fact]
    public void The_oss_fuzz_layout_names_every_target_and_writes_the_same_files_twice()
    {
        string dir = Directory.CreateTempSubdirectory("harness-lf-export-").FullName;
        try
        {
            (int code, string output) = HarnessRun.Run(SystemRegistry.Default, "libfuzzer-export", Path.Combine(dir, "a"));
            Assert.Equal(0, code);
            foreach (FuzzTargetDef def in FuzzTargets.All(SystemRegistry.Default))
            {
                Assert.Contains(def.Name + Environment.NewLine, output);
                string zip = Path.Combine(dir, "a", def.Name + "_seed_corpus.zip");
                if (!Directory.Exists(def.CorpusPath(RepoRoot.Find()))) continue;
                using ZipArchive archive = ZipFile.OpenRead(zip);
                Assert.Equal(Directory.EnumerateFiles(def.CorpusPath(RepoRoot.Find())).Count(), archive.Entries.Count);
            }
            HarnessRun.Run(SystemRegistry.Default, "libfuzzer-export", Path.Combine(dir, "b"));
            foreach (string f in Directory.EnumerateFiles(Path.Combine(dir, "a")))
                Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(dir, "b", Path.GetFileName(f))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_worker_run_by_hand_prints_the_outcome_of_one_input()
    {
        string dir = Directory.CreateTempSubdirectory("harness-lf-worker-").FullName;
        try
        {
            string planted = Path.Combine(dir, "planted");
            File.WriteAllBytes(planted, "FUZZ"u8.ToArray());
            (int code, string output) = HarnessRun.Run(SystemRegistry.Default, "libfuzzer-worker", "sim-selftest", planted);
            Assert.Equal(1, code);
            Assert.Contains("invariant-failed at op 0 (selftest/planted)", output);

            string fine = Path.Combine(dir, "fine");
            File.WriteAllBytes(fine, [0, 4, 0, 9]);
            Assert.Equal((0, "ok" + Environment.NewLine), HarnessRun.Run(SystemRegistry.Default, "libfuzzer-worker", "sim-selftest", fine));
            (int usage, _) = HarnessRun.Run(SystemRegistry.Default, "libfuzzer-worker", "mmgr");
            Assert.Equal(2, usage);   // no driver and no file
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
