// `harness status SYNC_DIR`: the state of a multi-worker fuzzing campaign read from its shared
// sync directory (SyncStatus): one row per worker (afl-fuzz -M/-S or `harness fuzz --sync-dir`),
// totals, alive or stale by the age of each worker's fuzzer_stats. Reads only; safe to run while
// the workers write. Exit 0, or 1 when no worker has written stats yet.
using Harness.Core;
using Harness.Fuzz.Sync;

namespace Harness.Cli;

public sealed class StatusCommand : IHarnessCommand
{
    public string Name => "status";
    public string Summary => "show the workers of a multi-process fuzzing campaign from its sync directory";
    public string Usage => """
        usage: harness status SYNC_DIR [--stale-seconds S]
          SYNC_DIR          the directory given to harness fuzz --sync-dir and harness afl --sync-dir (afl -o)
          --stale-seconds S a worker whose fuzzer_stats is older is stale (default 120)
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        long stale = args.Long("stale-seconds", SyncStatus.DefaultStaleSeconds, 1);
        args.RejectUnknown();
        if (args.Positional.Count != 1) throw new UsageException("give one sync directory");
        SyncStatusReport report = SyncStatus.Read(args.Positional[0], WallClock.UnixSeconds, stale);
        foreach (string line in SyncStatus.Format(report)) stdout.WriteLine(line);
        if (report.Workers.Count == 0) stdout.WriteLine("status: no worker has written fuzzer_stats yet");
        return report.Workers.Count == 0 ? Program.ExitFailure : Program.ExitOk;
    }
}
