// SyncStatus: the view of a running (or finished) multi-worker campaign from its sync directory
// alone, for `harness status DIR`: one row per worker folder that has a fuzzer_stats (afl-fuzz -M/-S
// instances and `harness fuzz --sync-dir` workers alike, told apart by harness_kind), with its
// executions, exec/s, corpus, crashes, entries it imported from others (queue names carrying
// "sync:", afl's spelling, which both kinds write), the age of its last find and whether it is
// alive (fuzzer_stats rewritten within the stale limit) or stale. Totals add the rows; the unique
// corpus counts the distinct contents of all queues together (what a merge would keep).
using System.Globalization;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Engine;

namespace Harness.Fuzz.Sync;

public sealed record WorkerStatus(string Name, string Kind, long Execs, double ExecsPerSec, long Corpus, long Crashes, long Imported,
    long? LastFindAgeSeconds, long UpdatedAgeSeconds, bool Alive);

public sealed record SyncStatusReport(string Dir, IReadOnlyList<WorkerStatus> Workers, int UniqueEntries)
{
    public long Execs => Workers.Sum(w => w.Execs);
    public double AliveExecsPerSec => Workers.Where(w => w.Alive).Sum(w => w.ExecsPerSec);
    public long Crashes => Workers.Sum(w => w.Crashes);
    public long Imported => Workers.Sum(w => w.Imported);
    public int Alive => Workers.Count(w => w.Alive);
}

public static class SyncStatus
{
    /// <summary>A worker whose fuzzer_stats is older than this is stale (afl rewrites it every few
    /// seconds, the in-process engine at every status line and import).</summary>
    public const long DefaultStaleSeconds = 120;

    public static SyncStatusReport Read(string dir, long nowUnix, long staleSeconds = DefaultStaleSeconds)
    {
        if (!Directory.Exists(dir)) throw new Harness.Cli.InputException($"{dir}: no such sync directory");
        var workers = new List<WorkerStatus>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        string[] folders = Directory.GetDirectories(dir);
        Array.Sort(folders, StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            string name = Path.GetFileName(folder);
            if (name.StartsWith('.')) continue;
            string queue = Path.Combine(folder, "queue");
            int imported = 0;
            if (Directory.Exists(queue))
                foreach (string file in Directory.EnumerateFiles(queue))
                {
                    string fn = Path.GetFileName(file);
                    if (AflQueueName.TryParseId(fn) is null) continue;
                    if (fn.Contains(",sync:", StringComparison.Ordinal)) imported++;
                    try
                    {
                        contents.Add(ContentHash.Of(File.ReadAllBytes(file)));
                    }
                    catch (IOException)
                    {
                        // renamed or removed while we looked: the next look counts it
                    }
                }
            AflStats? stats = AflStats.TryLoadFile(Path.Combine(folder, SyncStatsFile.FileName));
            if (stats is null) continue;
            string kind = stats.Has("harness_kind") ? stats.Get("harness_kind") : "afl";
            long updated = stats.Long("last_update");
            long lastFind = stats.Long("last_find");
            long age = Math.Max(0, nowUnix - updated);
            workers.Add(new WorkerStatus(name, kind, stats.ExecsDone, stats.ExecsPerSec, stats.CorpusCount, stats.SavedCrashes, imported,
                lastFind > 0 ? Math.Max(0, nowUnix - lastFind) : null, age, age <= staleSeconds));
        }
        return new SyncStatusReport(Path.GetFullPath(dir), workers, contents.Count);
    }

    /// <summary>The report as an aligned text table with a totals line.</summary>
    public static IReadOnlyList<string> Format(SyncStatusReport r)
    {
        var rows = new List<string[]> { new[] { "worker", "kind", "execs", "exec/s", "corpus", "imported", "crashes", "last find", "state" } };
        foreach (WorkerStatus w in r.Workers)
            rows.Add([w.Name, w.Kind, I(w.Execs), w.ExecsPerSec.ToString("0", CultureInfo.InvariantCulture), I(w.Corpus), I(w.Imported), I(w.Crashes),
                w.LastFindAgeSeconds is long lf ? Report.Progress.ProgressFields.Duration(lf) + " ago" : "-",
                w.Alive ? "alive" : $"stale ({Report.Progress.ProgressFields.Duration(w.UpdatedAgeSeconds)})"]);
        rows.Add(["total", $"{r.Workers.Count} workers", I(r.Execs), r.AliveExecsPerSec.ToString("0", CultureInfo.InvariantCulture),
            $"{r.UniqueEntries} unique", I(r.Imported), I(r.Crashes), "-", $"{r.Alive} alive"]);
        int[] width = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var lines = new List<string> { $"sync dir {r.Dir}" };
        foreach (string[] row in rows)
            lines.Add(string.Join("  ", row.Select((cell, c) => c is 0 or 1 or 8 ? cell.PadRight(width[c]) : cell.PadLeft(width[c]))).TrimEnd());
        return lines;
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
