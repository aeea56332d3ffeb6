// FuzzEngine, the sync-directory part (`harness fuzz --sync-dir DIR --name NAME`): opening the
// worker's folder, importing other workers' queue entries as a batch that Apply judges like seeds,
// and rewriting DIR/NAME/fuzzer_stats. Runs only with options.Sync set; a run without it never
// reaches this file (see the purpose block of FuzzEngine.cs for what that means for determinism).
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed partial class FuzzEngine
{
    private long _imported;        // other workers' entries kept
    private long _startUnix;       // fuzzer_stats times (display and liveness only)
    private long _lastFindUnix;

    private void OpenSync()
    {
        if (_options.Sync is not { } sync) return;
        sync.Open();
        _startUnix = _lastFindUnix = WallClock.UnixSeconds;
        _log.WriteLine($"sync: worker {sync.Name} ({(sync.Main ? "main" : "secondary")}) in {sync.Dir}, importing every {sync.ImportEvery} execs; this run is not repeatable from its seed");
    }

    // Runs other workers' new queue entries once each; Apply keeps those that add features.
    private void Import(WorkerGang gang)
    {
        if (_options.Sync is not { } sync) return;
        var problems = new List<string>();
        List<Sync.SyncEntry> entries = sync.Collect(_options.MaxLength, problems);
        foreach (string p in problems) _log.WriteLine(p);
        long before = _imported;
        for (int start = 0; start < entries.Count; start += _options.BatchSize)
        {
            var batch = entries.Skip(start).Take(_options.BatchSize).Select(e => new FuzzCandidate(e.Data, -1) { Origin = e.Notes }).ToArray();
            ExecuteAndApply(gang, batch, forceKeep: false);
        }
        if (entries.Count > 0)
            _log.WriteLine($"#{_execs}\tSYNC read {entries.Count} entries from other workers, kept {_imported - before} (imported {_imported} in all)");
        long executions = _executors.Sum(e => e.Executions);
        double s = _clock.Elapsed.TotalSeconds;
        WriteSyncStats(executions, s > 0 ? (long)(executions / s) : 0);
    }

    private void WriteSyncStats(long executions, long rate)
    {
        if (_options.Sync is not { } sync) return;
        FuzzExecutor main = _executors[0];
        string command = $"harness fuzz {main.Target.Name} --seed {_options.Seed} --sync-dir {sync.Dir} --name {sync.Name}";
        Sync.SyncStatsFile.Write(sync.Home, Sync.SyncStatsFile.Fields(_startUnix, WallClock.UnixSeconds, executions, rate, _corpus.Count,
            _findings.Count, main.Edges, main.EdgeMapSize, _lastFindUnix, _imported, command));
    }
}
