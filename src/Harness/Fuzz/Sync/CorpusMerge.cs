// CorpusMerge: joins the corpora of several workers or machines into one corpus folder, each
// distinct input once (named by its content hash, CorpusFolder's naming, so merging twice or
// merging into an existing corpus adds only what is new). A source is either a sync directory
// (every worker's queue/id:* entries, afl-fuzz's and `harness fuzz --sync-dir`'s alike) or a plain
// corpus folder (every file, as `harness fuzz --corpus` reads it). `harness cmin` then shrinks the
// result to the inputs that keep its coverage.
using Harness.Fuzz.Engine;

namespace Harness.Fuzz.Sync;

public sealed record CorpusMergeResult(int Sources, int Read, int Distinct, int Added);

public static class CorpusMerge
{
    /// <summary>True when <paramref name="dir"/> looks like a sync directory: some worker folder in it has a queue.</summary>
    public static bool IsSyncDir(string dir) =>
        Directory.Exists(dir) && Directory.GetDirectories(dir).Any(w => !Path.GetFileName(w).StartsWith('.') && Directory.Exists(Path.Combine(w, "queue")));

    public static CorpusMergeResult Merge(string output, IReadOnlyList<string> sources, int maxLength, List<string> problems)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        int read = 0, added = 0;
        Directory.CreateDirectory(output);
        foreach (string source in sources)
        {
            if (!Directory.Exists(source)) throw new Harness.Cli.InputException($"{source}: no such folder");
            foreach (byte[] data in Inputs(source, maxLength, problems))
            {
                read++;
                string hash = ContentHash.Of(data);
                if (!distinct.Add(hash)) continue;
                if (File.Exists(Path.Combine(output, hash))) continue;
                CorpusFolder.Save(output, data);
                added++;
            }
        }
        return new CorpusMergeResult(sources.Count, read, distinct.Count, added);
    }

    private static IEnumerable<byte[]> Inputs(string source, int maxLength, List<string> problems)
    {
        if (!IsSyncDir(source)) return CorpusFolder.Load(source, maxLength, problems).Select(f => f.Data);
        var list = new List<byte[]>();
        string[] workers = Directory.GetDirectories(source);
        Array.Sort(workers, StringComparer.Ordinal);
        foreach (string worker in workers)
        {
            string queue = Path.Combine(worker, "queue");
            if (Path.GetFileName(worker).StartsWith('.') || !Directory.Exists(queue)) continue;
            string[] files = Directory.GetFiles(queue);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                if (AflQueueName.TryParseId(Path.GetFileName(file)) is null) continue;
                try
                {
                    byte[] data = File.ReadAllBytes(file);
                    list.Add(data.Length > maxLength ? data[..maxLength] : data);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{file}: unreadable, skipped ({e.Message})");
                }
            }
        }
        return list;
    }
}
