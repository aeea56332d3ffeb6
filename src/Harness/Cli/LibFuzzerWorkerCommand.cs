// `harness libfuzzer-worker TARGET [FILE] [--ops-max M] [--canary NAME]`: the process the libFuzzer
// driver (tools/libfuzzer/driver.c) starts. Not meant to be typed by hand; `harness libfuzzer`
// prints and runs the full driver command line.
//
// Under the driver (the __LIBFUZZER_* variables set) it runs SharpFuzz's Fuzzer.LibFuzzer.Run loop
// on the instrumented port (LibFuzzerWorker), relaunching itself from the instrumented folder first
// if the loaded Allocator is not instrumented. Started by hand it runs FILE once and prints the
// outcome, so a crash-<sha1> file libFuzzer saved reproduces with the worker's own command line;
// exit code 1 when the outcome is a failure.
using System.CommandLine;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Engine;
using Harness.Fuzz.Instrumentation;
using Harness.Fuzz.LibFuzzer;

namespace Harness.Cli;

public sealed class LibFuzzerWorkerCommand : IHarnessCommand
{
    public const string CommandName = "libfuzzer-worker";

    public string Name => CommandName;
    public string Summary => "(internal) the libFuzzer driver's worker process; run once on FILE outside libFuzzer";

    private readonly Argument<string> _target = CliOptions.Required("target", "the fuzz target (as harness libfuzzer names it)");
    private readonly Argument<string?> _file = CliOptions.Optional("file", "an input to run once, outside the driver (a crash file libFuzzer saved)");
    private readonly FuzzTargetOptions _config = new();

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_target, _file);
        _config.AddTo(command);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        string targetName = args.Get(_target)!;
        string? file = args.Get(_file);
        IFuzzTarget target = AflTargets.Get(args.Systems, targetName, config);   // an unknown name or canary fails before any relaunch

        if (file is null)
        {
            if (!LibFuzzerProtocol.Present) throw new UsageException("not started by the libFuzzer driver: give an input FILE to run once");
            var forward = new List<string> { CommandName, targetName, "--ops-max=" + config.OpsMax.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (config.Canary != FuzzTargetConfig.Default.Canary) forward.Add("--canary=" + config.Canary);
            int? relaunched = InstrumentedLauncher.RelaunchInstrumentedIfNeeded(forward.ToArray(), stderr);
            if (relaunched is int code) return code;
            return LibFuzzerWorker.Run(target, stderr);
        }

        if (!File.Exists(file)) throw new InputException($"no such input file: {file}");
        Outcome outcome = AflRunner.RunOnce(target, File.ReadAllBytes(file));
        stdout.WriteLine(outcome.IsFailure ? LibFuzzerFindingException.Describe(outcome) : "ok");
        return outcome.IsFailure ? ExitCodes.Finding : ExitCodes.Ok;
    }
}
