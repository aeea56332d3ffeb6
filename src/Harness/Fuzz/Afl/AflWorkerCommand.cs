// `harness afl-worker TARGET FILE [--supervise]`: the program afl-fuzz runs (`... afl-worker TARGET @@`).
// Not meant to be typed by hand; `harness afl` prints and runs the full afl-fuzz command line.
//
// Under afl-fuzz (__AFL_SHM_ID set) it speaks the forkserver protocol: in-process persistent mode
// by default, supervisor/worker mode with --supervise (--child is the worker's own internal mode).
// Started by hand (no __AFL_SHM_ID) it runs FILE once and prints the outcome, so a saved crash
// reproduces with the same command line; exit code 1 when the outcome is a failure.
// It always runs the instrumented port: if the loaded Allocator is not instrumented it relaunches
// itself from the instrumented folder first.
using System.CommandLine;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Afl;

public sealed class AflWorkerCommand : IHarnessCommand
{
    public const string CommandName = "afl-worker";

    public string Name => CommandName;
    public string Summary => "(internal) the afl-fuzz target process; run once on FILE outside afl";

    private readonly Argument<string> _target = CliOptions.Required("target", "the fuzz target (as harness afl names it)");
    private readonly Argument<string> _file = CliOptions.Required("file", "the input file (afl-fuzz substitutes it for @@)");
    private readonly Option<bool> _supervise = CliOptions.Flag("--supervise", "supervisor/worker mode: a timeout or uncatchable crash kills only the worker");
    private readonly Option<bool> _child = new("--child") { Description = "(internal) the supervised worker's own mode", Hidden = true };

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_target, _file, _supervise, _child);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool supervise = args.Value(_supervise);
        bool child = args.Value(_child);
        string targetName = args.Get(_target)!;
        string file = args.Get(_file)!;

        if (!supervise)
        {
            // The supervisor runs no port code, so only the processes that run the target need the instrumented port.
            var forward = new List<string> { CommandName, targetName, file };
            if (child) forward.Add("--child");
            int? relaunched = InstrumentedLauncher.RelaunchInstrumentedIfNeeded(forward.ToArray(), stderr);
            if (relaunched is int code) return code;
        }
        IFuzzTarget target = AflTargets.Get(args.Systems, targetName);
        if (child) return AflChildLoop.Run(target, file, stderr);
        if (AflSharedMap.Present)
        {
            AflForkserver server = AflForkserver.FromEnvironment();
            if (!supervise) return AflPersistentLoop.Run(target, file, server, stderr);
            using var supervisor = new AflSupervisor(targetName, file, stderr);
            return supervisor.Run(server);
        }

        if (!File.Exists(file)) throw new InputException($"no such input file: {file}");
        Outcome outcome = AflRunner.RunOnce(target, File.ReadAllBytes(file));
        if (InstrumentedLauncher.AllocatorIsInstrumented)
            stderr.WriteLine($"afl-worker: coverage from SharpFuzz-instrumented {InstrumentedFolder.TargetAssembly}, {SharpFuzzTrace.CountNonZero()} map bytes set");
        stdout.WriteLine(outcome.IsFailure
            ? $"{outcome.Kind.Name()} at op {outcome.Step} ({outcome.Site}): {outcome.Reason}  [afl signal {AflFaultSignals.SignalFor(outcome.Kind)}]"
            : "ok");
        return outcome.IsFailure ? ExitCodes.Finding : ExitCodes.Ok;
    }
}
