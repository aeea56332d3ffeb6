// `harness status SYNC_DIR`: the state of a multi-worker fuzzing campaign read from its shared
// sync directory (SyncStatus): one row per worker (afl-fuzz -M/-S or `harness fuzz --sync-dir`),
// totals, alive or stale by the age of each worker's fuzzer_stats. Reads only; safe to run while
// the workers write. Exit Ok, or Finding when no worker has written stats yet.
using System.CommandLine;
using Harness.Core;
using Harness.Fuzz.Sync;

namespace Harness.Cli;

public sealed class StatusCommand : IHarnessCommand
{
    public string Name => "status";
    public string Summary => "show the workers of a multi-process fuzzing campaign from its sync directory";

    private readonly Argument<string> _syncDir = CliOptions.Required("sync-dir", "the directory given to harness fuzz --sync-dir and harness afl --sync-dir (afl -o)");
    private readonly Option<long> _stale = CliOptions.Long("--stale-seconds", SyncStatus.DefaultStaleSeconds, 1, long.MaxValue, "a worker whose fuzzer_stats is older is stale", "S");

    public void Declare(Command command, SystemRegistry systems) => command.AddAll(_syncDir, _stale);

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        long stale = args.Value(_stale);
        SyncStatusReport report = SyncStatus.Read(args.Get(_syncDir)!, WallClock.UnixSeconds, stale);
        foreach (string line in SyncStatus.Format(report)) stdout.WriteLine(line);
        if (report.Workers.Count == 0) stdout.WriteLine("status: no worker has written fuzzer_stats yet");
        return report.Workers.Count == 0 ? ExitCodes.Finding : ExitCodes.Ok;
    }
}
