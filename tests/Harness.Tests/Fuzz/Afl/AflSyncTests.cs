// Both kinds of worker cross-pollinating through one sync directory, against the real afl-fuzz
// 4.04c: an in-process main worker (w1) fills its queue; `harness afl --sync-dir ... --secondary`
// (afl -S, which imports from main nodes, first thing with AFL_IMPORT_FIRST) must take w1's
// entries into its queue as "sync:w1" entries; a second in-process worker (w2) must then import
// afl's entries as "sync:afl1"; `harness status` lists afl1 as an afl worker. Skipped without
// afl-fuzz, failed under CI=true (AflFact).
using Harness.Fuzz.Afl;
using Harness.Fuzz.Sync;
using Xunit.Abstractions;
using Xunit;

namespace Harness.Tests.Fuzz.Afl;

public sealed class AflSyncTests
{
    private readonly ITestOutputHelper _output;

    public AflSyncTests(ITestOutputHelper output) => _output = output;

    private (int Code, string Out) Harness(params string[] args)
    {
        var w = new StringWriter();
        int code = global::Harness.Program.Run(args, w, w);
        _output.WriteLine(w.ToString());
        return (code, w.ToString());
    }

    private static string[] Queue(string sync, string worker) =>
        Directory.GetFiles(Path.Combine(sync, worker, "queue")).Select(p => Path.GetFileName(p)).ToArray();

    [AflFact]
    public void AflSecondary_AndInProcessWorkers_ImportEachOthersQueues()
    {
        Assert.True(AflCommandLine.FindAflFuzz() is not null, "afl-fuzz is not on PATH: .ci/run must install afl++");
        string dir = Directory.CreateTempSubdirectory("harness-afl-sync-").FullName;
        try
        {
            string sync = Path.Combine(dir, "sync");
            (int c1, string o1) = Harness("fuzz", "mmgr", "--sync-dir", sync, "--name", "w1", "--main", "--execs", "1500", "--corpus", "none",
                "--no-instrument", "--progress", "none");
            Assert.True(c1 == 0, o1);
            Assert.NotEmpty(Queue(sync, "w1"));

            (int c2, string o2) = Harness("afl", "mmgr", "--run", "--seconds", "30", "--sync-dir", sync, "--name", "afl1", "--secondary");
            Assert.True(c2 is 0 or 1, o2);
            string[] afl = Queue(sync, "afl1");
            Assert.Contains(afl, n => n.Contains(",sync:w1,", StringComparison.Ordinal));   // in-process -> afl

            (int c3, string o3) = Harness("fuzz", "mmgr", "--sync-dir", sync, "--name", "w2", "--execs", "64", "--corpus", "none",
                "--no-instrument", "--progress", "none");
            Assert.True(c3 == 0, o3);
            Assert.Contains(Queue(sync, "w2"), n => n.Contains(",sync:afl1,", StringComparison.Ordinal));   // afl -> in-process

            SyncStatusReport status = SyncStatus.Read(sync, global::Harness.Core.WallClock.UnixSeconds, staleSeconds: 3600);
            Assert.Equal(new[] { ("afl1", "afl"), ("w1", "in-process"), ("w2", "in-process") }, status.Workers.Select(w => (w.Name, w.Kind)));
            Assert.True(status.Workers[0].Execs > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
