// AflStats: the numbers of an afl-fuzz run, read from <out>/default/fuzzer_stats (<sync>/<name>/
// fuzzer_stats for a -M/-S instance; "key   : value" lines, rewritten by afl every few seconds and
// at exit). The in-process engine writes the same file for its sync workers (SyncStatsFile), so
// `harness status` reads both kinds with this class.
using System.Globalization;

namespace Harness.Fuzz.Afl;

public sealed class AflStats
{
    private readonly Dictionary<string, string> _values;

    private AflStats(Dictionary<string, string> values) => _values = values;

    public static AflStats? TryLoad(string outputFolder, string instance = "default") =>
        TryLoadFile(Path.Combine(outputFolder, instance, "fuzzer_stats"));

    /// <summary>Reads one fuzzer_stats file; null when it does not exist (yet).</summary>
    public static AflStats? TryLoadFile(string path)
    {
        if (!File.Exists(path)) return null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return null;   // rewritten under us: the next look will read it
        }
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new AflStats(values);
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public string Get(string key) => _values.TryGetValue(key, out string? v) ? v : "?";

    public long Long(string key) =>
        long.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;

    public double Double(string key) =>
        double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0;

    public long ExecsDone => Long("execs_done");
    public double ExecsPerSec => Double("execs_per_sec");
    public long CorpusCount => Long("corpus_count");
    public long SavedCrashes => Long("saved_crashes");
    public long SavedHangs => Long("saved_hangs");
    public long EdgesFound => Long("edges_found");
    public long RunTime => Long("run_time");

    /// <summary>One summary line; exec/s is computed over the whole run (afl's execs_per_sec is a recent average).</summary>
    public string Summary()
    {
        double overall = RunTime > 0 ? (double)ExecsDone / RunTime : ExecsPerSec;
        return string.Create(CultureInfo.InvariantCulture,
            $"execs {ExecsDone}, exec/s {overall:F0} (afl's last {ExecsPerSec:F0}), run {RunTime} s, corpus {CorpusCount}, edges {EdgesFound}, " +
            $"crashes {SavedCrashes}, hangs {SavedHangs}, stability {Get("stability")}, map {Get("bitmap_cvg")}");
    }
}
