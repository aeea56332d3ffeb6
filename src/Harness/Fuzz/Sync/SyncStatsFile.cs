// SyncStatsFile: writes an in-process worker's DIR/NAME/fuzzer_stats in AFL++'s format ("key" padded
// to 18 columns, " : ", value; one per line), with the keys afl-fuzz writes that the engine has
// numbers for (start_time, last_update, run_time, fuzzer_pid, execs_done, execs_per_sec,
// corpus_count, saved_crashes, saved_hangs, edges_found, bitmap_cvg, last_find), plus harness_kind
// so that `harness status` tells the kinds apart. Keys the engine cannot measure (stability,
// cycles) are left out rather than invented. Times are Unix seconds, written for people and
// for liveness (alive/stale), never read back by the engine.
using System.Globalization;
using System.Text;

namespace Harness.Fuzz.Sync;

public static class SyncStatsFile
{
    public const string FileName = "fuzzer_stats";

    /// <summary>The kind marker of an in-process worker's stats (afl's files have no harness_kind).</summary>
    public const string InProcessKind = "in-process";

    public static void Write(string workerDir, IEnumerable<(string Key, string Value)> values)
    {
        var sb = new StringBuilder();
        foreach ((string key, string value) in values) sb.Append(key.PadRight(18)).Append(" : ").Append(value).Append('\n');
        Engine.CorpusFolder.WriteAtomic(Path.Combine(workerDir, FileName), Encoding.UTF8.GetBytes(sb.ToString()), tmpName: "." + FileName + ".tmp");
    }

    /// <summary>The fields of one stats write, in afl's order.</summary>
    public static IEnumerable<(string Key, string Value)> Fields(long startTime, long now, long execs, double execsPerSec, int corpus,
        int findings, int edges, int mapSize, long lastFind, long imported, string commandLine)
    {
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        yield return ("start_time", I(startTime));
        yield return ("last_update", I(now));
        yield return ("run_time", I(Math.Max(0, now - startTime)));
        yield return ("fuzzer_pid", I(Environment.ProcessId));
        yield return ("execs_done", I(execs));
        yield return ("execs_per_sec", execsPerSec.ToString("0.00", CultureInfo.InvariantCulture));
        yield return ("corpus_count", I(corpus));
        yield return ("corpus_imported", I(imported));
        yield return ("saved_crashes", I(findings));
        yield return ("saved_hangs", "0");
        yield return ("last_find", I(lastFind));
        yield return ("edges_found", I(edges));
        yield return ("bitmap_cvg", mapSize > 0 ? (100.0 * edges / mapSize).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "0.00%");
        yield return ("harness_kind", InProcessKind);
        yield return ("command_line", commandLine);
    }
}
