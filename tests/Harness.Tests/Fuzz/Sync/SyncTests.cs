// Tests of the multi-worker sync directory: AFL++'s queue names, two in-process workers
// cross-pollinating through one directory (exports in afl's layout, imports tracked per peer in
// .synced, imported entries kept only when they add features), fuzzer_stats in afl's format, a
// run without a sync directory writing nothing of it, `harness status` over in-process and afl
// workers, corpus merging by content, and afl-fuzz's -M/-S command line.
using Harness.Fuzz.Afl;
using Harness.Fuzz.Engine;
using Harness.Fuzz.Sync;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Sync;

public sealed class SyncTests
{
    private static FuzzRunResult RunWorker(string syncDir, string name, ulong seed, long execs, bool main = false, long every = 512)
    {
        var target = new MazeTarget();
        var options = new FuzzEngineOptions
        {
            Seed = seed, Execs = execs, StatusEvery = 1 << 30, OutDir = Path.Combine(syncDir, name),
            Sync = new SyncWorker(syncDir, name, main, every),
        };
        return new FuzzEngine(target, [target.Features], options, TextWriter.Null).Run();
    }

    [Fact]
    public void QueueNames_AreAflsAndParseBack()
    {
        Assert.Equal("id:000042,sync:w1,src:000007", AflQueueName.Format(42, "sync:w1,src:000007"));
        Assert.Equal(42, AflQueueName.TryParseId("id:000042,sync:w1,src:000007"));
        Assert.Equal(3, AflQueueName.TryParseId("id:000003,time:0,execs:0,orig:seed-0"));
        Assert.Equal(1234567, AflQueueName.TryParseId("id:1234567"));
        Assert.Null(AflQueueName.TryParseId(".id:000001,op:mutate.tmp"));
        Assert.Null(AflQueueName.TryParseId(".state"));
        Assert.Null(AflQueueName.TryParseId("id:abc"));
        Assert.Null(AflQueueName.TryParseId("id:00001x"));
    }

    [Fact]
    public void TwoWorkers_ExportInAflsLayout_AndImportEachOthersEntries()
    {
        string dir = TempDir.Create();
        try
        {
            FuzzRunResult a = RunWorker(dir, "w1", seed: 1, execs: 20_000, main: true);
            string[] queueA = Directory.GetFiles(Path.Combine(dir, "w1", "queue")).Select(p => Path.GetFileName(p)).ToArray();
            Assert.Equal(a.Corpus.Count, queueA.Length);
            Assert.All(queueA, n => Assert.NotNull(AflQueueName.TryParseId(n)));
            Assert.True(File.Exists(Path.Combine(dir, "w1", "is_main_node")));
            Assert.Contains(queueA, n => n.EndsWith(",op:mutate,+cov", StringComparison.Ordinal));

            // w2 starts later with a different seed: it reads all of w1's queue once, keeps what adds features
            FuzzRunResult b = RunWorker(dir, "w2", seed: 2, execs: 2_000);
            string[] queueB = Directory.GetFiles(Path.Combine(dir, "w2", "queue")).Select(p => Path.GetFileName(p)).ToArray();
            Assert.Contains(queueB, n => n.Contains(",sync:w1,src:", StringComparison.Ordinal));
            byte[] marker = File.ReadAllBytes(Path.Combine(dir, "w2", ".synced", "w1"));
            Assert.Equal((uint)queueA.Length, BitConverter.ToUInt32(marker));   // the next id of w1 to import
            Assert.True(b.Edges >= a.Edges, "w2 holds at least what it imported from w1");

            // w1 again (resumed): imports w2's entries, but never its own re-exports of w1's entries as new ids of w1
            RunWorker(dir, "w1", seed: 3, execs: 600, main: true);
            Assert.True(File.Exists(Path.Combine(dir, "w1", ".synced", "w2")));
            string[] queueA2 = Directory.GetFiles(Path.Combine(dir, "w1", "queue")).Select(p => Path.GetFileName(p)).ToArray();
            Assert.True(queueA2.Length >= queueA.Length);
            Assert.Equal(queueA2.Length, queueA2.Select(n => AflQueueName.TryParseId(n)).Distinct().Count());   // resumed numbering continues

            AflStats stats = AflStats.TryLoadFile(Path.Combine(dir, "w2", "fuzzer_stats"))!;
            Assert.Equal("in-process", stats.Get("harness_kind"));
            Assert.True(stats.ExecsDone >= 2_000);
            Assert.Equal(b.Corpus.Count, stats.CorpusCount);
            Assert.True(stats.Long("last_update") >= stats.Long("start_time"));
            Assert.False(stats.Has("stability"), "not measured, so not written");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AResumedWorker_ReadingItsOwnCorpus_DoesNotQueueItAgain()
    {
        string dir = TempDir.Create();
        try
        {
            RunWorker(dir, "w1", seed: 1, execs: 5_000);
            int before = Directory.GetFiles(Path.Combine(dir, "w1", "queue")).Length;
            var target = new MazeTarget();
            var options = new FuzzEngineOptions
            {
                Seed = 9, Execs = 0, StatusEvery = 1 << 30, OutDir = Path.Combine(dir, "w1"),
                CorpusDirs = [Path.Combine(dir, "w1", "corpus")], Sync = new SyncWorker(dir, "w1", main: false),
            };
            FuzzRunResult r = new FuzzEngine(target, [target.Features], options, TextWriter.Null).Run();
            Assert.True(r.SeedInputs == before && r.Corpus.Count > 1, "the worker's own entries come back as seeds and are kept...");
            Assert.Equal(before, Directory.GetFiles(Path.Combine(dir, "w1", "queue")).Length);   // ...but none is queued twice
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WithoutASyncDir_TheRunIsTodays_AndWritesNoSyncFiles()
    {
        string dir = TempDir.Create();
        try
        {
            var target = new MazeTarget();
            string events = Path.Combine(dir, "events.jsonl");
            using (var log = new Harness.Report.EventLog(events, "fuzz"))
            {
                var options = new FuzzEngineOptions { Seed = 5, Execs = 3_000, StatusEvery = 1 << 30, OutDir = dir, Events = log };
                new FuzzEngine(target, [target.Features], options, TextWriter.Null).Run();
            }
            Assert.False(Directory.Exists(Path.Combine(dir, "queue")));
            Assert.False(File.Exists(Path.Combine(dir, "fuzzer_stats")));
            string text = File.ReadAllText(events);
            Assert.DoesNotContain("sync", text);
            Assert.DoesNotContain("imported", text);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Status_ShowsBothKinds_WithTotals_AndStaleWorkers()
    {
        string dir = TempDir.Create();
        try
        {
            RunWorker(dir, "w1", seed: 1, execs: 3_000, main: true);
            RunWorker(dir, "w2", seed: 2, execs: 1_000);
            // an afl secondary's folder as afl-fuzz 4.04c leaves it, last updated long ago
            string afl = Path.Combine(dir, "afl1");
            Directory.CreateDirectory(Path.Combine(afl, "queue"));
            File.WriteAllBytes(Path.Combine(afl, "queue", "id:000000,time:0,execs:0,orig:seed-0"), [1, 2, 3]);
            File.WriteAllBytes(Path.Combine(afl, "queue", "id:000001,sync:w1,src:000002"), [9, 9]);
            File.WriteAllText(Path.Combine(afl, "fuzzer_stats"),
                "start_time        : 1000\nlast_update       : 1100\nexecs_done        : 777\nexecs_per_sec     : 12.50\n" +
                "corpus_count      : 2\nsaved_crashes     : 1\nlast_find         : 1050\nstability         : 99.50%\nafl_version       : 4.04c\n");
            long now = Harness.Core.WallClock.UnixSeconds;
            SyncStatusReport r = SyncStatus.Read(dir, now);
            Assert.Equal(new[] { "afl1", "w1", "w2" }, r.Workers.Select(w => w.Name));
            WorkerStatus a = r.Workers[0];
            Assert.Equal("afl", a.Kind);
            Assert.False(a.Alive);
            Assert.Equal(1, a.Imported);
            Assert.Equal(1, a.Crashes);
            Assert.True(r.Workers[1].Alive);
            Assert.Equal("in-process", r.Workers[1].Kind);
            Assert.True(r.Workers[2].Imported > 0);
            Assert.Equal(777 + r.Workers[1].Execs + r.Workers[2].Execs, r.Execs);
            IReadOnlyList<string> lines = SyncStatus.Format(r);
            Assert.StartsWith("worker", lines[1]);
            Assert.Contains(lines, l => l.StartsWith("afl1", StringComparison.Ordinal) && l.Contains("stale"));
            Assert.StartsWith("total", lines[^1]);
            Assert.Contains("2 alive", lines[^1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void StatusCommand_ExitsOneWithoutWorkers_AndTwoWithoutTheDirectory()
    {
        string dir = TempDir.Create();
        try
        {
            var w = new StringWriter();
            Assert.Equal(1, global::Harness.Program.Run(["status", dir], w, w));
            Assert.Contains("no worker has written fuzzer_stats yet", w.ToString());
            RunWorker(dir, "w1", seed: 1, execs: 500);
            var ok = new StringWriter();
            Assert.Equal(0, global::Harness.Program.Run(["status", dir], ok, ok));
            Assert.Contains("w1      in-process", ok.ToString());
            var missing = new StringWriter();
            Assert.Equal(global::Harness.Cli.ExitCodes.BadInput, global::Harness.Program.Run(["status", Path.Combine(dir, "nope")], missing, missing));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MergeCorpus_KeepsEachDistinctInputOnce_FromSyncDirsAndFolders()
    {
        string dir = TempDir.Create();
        try
        {
            string sync = Path.Combine(dir, "sync");
            foreach (string w in new[] { "a", "b" }) Directory.CreateDirectory(Path.Combine(sync, w, "queue"));
            File.WriteAllBytes(Path.Combine(sync, "a", "queue", "id:000000,orig:seed"), [1]);
            File.WriteAllBytes(Path.Combine(sync, "a", "queue", "id:000001,op:mutate,+cov"), [2]);
            File.WriteAllBytes(Path.Combine(sync, "b", "queue", "id:000000,sync:a,src:000001"), [2]);
            File.WriteAllBytes(Path.Combine(sync, "b", "queue", ".id:000001.tmp"), [7]);   // half-written: not an entry
            File.WriteAllText(Path.Combine(sync, "b", "fuzzer_stats"), "execs_done : 1\n");
            string plain = Path.Combine(dir, "plain");
            Directory.CreateDirectory(plain);
            File.WriteAllBytes(Path.Combine(plain, "x"), [3]);
            string output = Path.Combine(dir, "merged");
            var w2 = new StringWriter();
            int code = global::Harness.Program.Run(["merge", "--corpus", output, sync, plain], w2, w2);
            Assert.True(code == 0, w2.ToString());
            Assert.Contains("merge: 4 inputs from 2 sources, 3 distinct, 3 new", w2.ToString());
            Assert.Equal(3, Directory.GetFiles(output).Length);
            CorpusMergeResult again = CorpusMerge.Merge(output, [sync], 4096, []);
            Assert.Equal(0, again.Added);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AflCommandLine_InParallelMode_UsesTheSyncDirAndTheRole()
    {
        AflCommandLine s = AflCommandLine.Build("/usr/bin/afl-fuzz", "mmgr", "/x/inst", "/c", "/sync", 5000, 30, false, [], new AflSyncRole("afl1", Main: false));
        string shell = s.ToShell();
        Assert.Contains("-o /sync -m none", shell);
        Assert.Contains(" -S afl1 ", shell);
        AflCommandLine m = AflCommandLine.Build("/usr/bin/afl-fuzz", "mmgr", "/x/inst", "/c", "/sync", 5000, null, false, [], new AflSyncRole("main", Main: true));
        Assert.Contains(" -M main ", m.ToShell());
        Assert.Contains("AFL_IMPORT_FIRST=1", m.ToShell());   // a joining worker starts from the others' finds
        Assert.DoesNotContain("AFL_IMPORT_FIRST", AflCommandLine.Build("/usr/bin/afl-fuzz", "mmgr", "/x/inst", "/c", "/o", 5000, null, false, []).ToShell());
        Assert.Throws<Harness.Cli.UsageException>(() => AflSyncRole.CheckName(".hidden"));
        Assert.Throws<Harness.Cli.UsageException>(() => AflSyncRole.CheckName("a/b"));
    }
}
