// SyncWorker: an in-process fuzzing worker's side of a sync directory shared with other workers
// (`harness fuzz --sync-dir DIR --name NAME`, and afl-fuzz -M/-S instances in the same DIR), in
// AFL++'s layout so that both kinds cross-pollinate:
//
//   DIR/NAME/queue/id:NNNNNN,...   every entry this worker keeps, numbered from 0 in keep order
//                                  (written under a dot name, then renamed: afl skips dot files)
//   DIR/NAME/.synced/PEER          4 bytes, little-endian: the next id of PEER's queue to import
//                                  (afl-fuzz keeps the same marker, in the same format)
//   DIR/NAME/is_main_node          with --main: afl -S secondaries import from main instances only
//   DIR/NAME/fuzzer_stats          AFL's "key : value" statistics (SyncStatsFile), for harness status
//
// A worker resumed on the same folder numbers new entries after its highest id and never writes
// a content its queue already holds. Collect returns every entry of every other worker (folders not starting with '.', ordinal order)
// numbered at or above that worker's marker, in (worker, id) order, and moves the markers past
// them. What it returns depends on what other processes wrote and when: a run with a sync
// directory is not repeatable from its seed, and says so in its start event. Nothing here is
// touched by a run without one.
namespace Harness.Fuzz.Sync;

public sealed class SyncWorker
{
    /// <summary>Default executions between two imports (a count, so the cadence is the same at any speed).</summary>
    public const long DefaultImportEvery = 4096;

    private int _nextId;
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);   // content hashes in this worker's queue

    public SyncWorker(string dir, string name, bool main, long importEvery = DefaultImportEvery)
    {
        if (importEvery < 1) throw new ArgumentOutOfRangeException(nameof(importEvery), "imports need a positive period");
        Dir = Path.GetFullPath(dir);
        Name = name;
        Main = main;
        ImportEvery = importEvery;
    }

    public string Dir { get; }
    public string Name { get; }
    public bool Main { get; }
    public long ImportEvery { get; }

    /// <summary>This worker's folder, DIR/NAME.</summary>
    public string Home => Path.Combine(Dir, Name);

    public string QueueDir => Path.Combine(Home, "queue");

    /// <summary>Entries written to this worker's queue, and peers' entries read for import, since Open.</summary>
    public long Exported { get; private set; }

    public long Collected { get; private set; }

    /// <summary>Creates the worker's folders; a resumed worker numbers new entries after its highest existing id.</summary>
    public void Open()
    {
        Directory.CreateDirectory(QueueDir);
        Directory.CreateDirectory(Path.Combine(Home, ".synced"));
        if (Main) File.WriteAllBytes(Path.Combine(Home, "is_main_node"), []);
        _nextId = 0;
        foreach (string file in Directory.EnumerateFiles(QueueDir))
        {
            if (AflQueueName.TryParseId(Path.GetFileName(file)) is not int id) continue;
            _nextId = Math.Max(_nextId, id + 1);
            _queued.Add(Engine.ContentHash.Of(File.ReadAllBytes(file)));
        }
    }

    /// <summary>Writes one kept entry to this worker's queue and returns its file name; null when the
    /// queue already holds the same content (a resumed worker re-running its own corpus as seeds).</summary>
    public string? Export(ReadOnlySpan<byte> data, string notes)
    {
        if (!_queued.Add(Engine.ContentHash.Of(data))) return null;
        string name = AflQueueName.Format(_nextId++, notes);
        Engine.CorpusFolder.WriteAtomic(Path.Combine(QueueDir, name), data, tmpName: "." + name + ".tmp");
        Exported++;
        return name;
    }

    /// <summary>The other workers' entries not imported yet, in (worker, id) order, truncated to
    /// <paramref name="maxLength"/>; moves each worker's marker past what it returns.</summary>
    public List<SyncEntry> Collect(int maxLength, List<string> problems)
    {
        var result = new List<SyncEntry>();
        if (!Directory.Exists(Dir)) return result;
        string[] peers = Directory.GetDirectories(Dir);
        Array.Sort(peers, StringComparer.Ordinal);
        foreach (string peerDir in peers)
        {
            string peer = Path.GetFileName(peerDir);
            if (peer.StartsWith('.') || peer == Name) continue;
            string queue = Path.Combine(peerDir, "queue");
            if (!Directory.Exists(queue)) continue;
            int from = ReadMarker(peer);
            var entries = new List<(int Id, string Path)>();
            foreach (string file in Directory.EnumerateFiles(queue))
                if (AflQueueName.TryParseId(Path.GetFileName(file)) is int id && id >= from) entries.Add((id, file));
            entries.Sort((a, b) => a.Id != b.Id ? a.Id.CompareTo(b.Id) : StringComparer.Ordinal.Compare(a.Path, b.Path));
            int next = from;
            foreach ((int id, string file) in entries)
            {
                byte[] data;
                try
                {
                    data = File.ReadAllBytes(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"sync: {file}: unreadable, skipped ({e.Message})");
                    next = id + 1;
                    continue;
                }
                if (data.Length > maxLength) data = data[..maxLength];
                result.Add(new SyncEntry(peer, id, data));
                next = id + 1;
            }
            if (next != from) WriteMarker(peer, next);
        }
        Collected += result.Count;
        return result;
    }

    private string MarkerPath(string peer) => Path.Combine(Home, ".synced", peer);

    private int ReadMarker(string peer)
    {
        try
        {
            byte[] b = File.ReadAllBytes(MarkerPath(peer));
            return b.Length >= 4 ? (int)Math.Min(int.MaxValue, BitConverter.ToUInt32(b, 0)) : 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
    }

    private void WriteMarker(string peer, int next)
    {
        byte[] b = BitConverter.GetBytes((uint)next);
        if (!BitConverter.IsLittleEndian) Array.Reverse(b);
        Engine.CorpusFolder.WriteAtomic(MarkerPath(peer), b);
    }
}
