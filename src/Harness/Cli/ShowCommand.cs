// `harness show FILE`: prints any fuzz input as readable operations. FILE is a raw input (corpus
// file, .bin finding, AFL++ queue entry) or a fuzz repro artifact (then its own target and config
// are used and the recorded outcome is printed too). `harness show SYSTEM FILE` hands the file to
// the system's IStateShow part instead (DSA: dsa_dump at a step).
using System.CommandLine;
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class ShowCommand : IHarnessCommand
{
    public string Name => "show";
    public string Summary => "print a fuzz input (raw file or artifact) as readable operations";

    private readonly Argument<string> _file = CliOptions.Required("file", "a raw fuzz input (corpus file, .bin finding, AFL++ queue entry) or a fuzz repro artifact");
    private readonly Option<string?> _target = CliOptions.OptionalText("--target",
        "target of a raw input (default: the one whose fuzz/corpus/<folder> the file is in, or the only registered one; an artifact names its own)", "T");
    private readonly FuzzTargetOptions _config = new();
    private readonly Option<bool> _run = CliOptions.Flag("--run", "also execute it and print the outcome");
    private readonly Argument<string> _stateFile = CliOptions.Required("file", "the input to replay (as the system's own command reads it)");
    private readonly Option<long?> _step = CliOptions.OptionalLong("--step", 0, long.MaxValue, "replay only the first N operations (default: all)");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_file, _target);
        _config.AddTo(command);
        command.Add(_run);
        // `harness show SYSTEM FILE`: one subcommand per system that can show its state.
        foreach (ISystem system in systems.Systems)
        {
            IStateShow? show = system.Parts.OfType<IStateShow>().FirstOrDefault();
            if (show is null) continue;
            var sub = new Command(system.Name, show.Summary) { _stateFile, _step };
            foreach (string alias in system.Aliases) sub.Aliases.Add(alias);
            command.Add(sub);
        }
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Command.Name != Name)
        {
            // harness show SYSTEM FILE: the system's own view of its state
            ISystem system = args.Systems.Get(args.Command.Name);
            IStateShow show = system.Parts.OfType<IStateShow>().First();
            return show.Show(args.Get(_stateFile)!, args.Get(_step) ?? long.MaxValue, stdout);
        }
        string? targetName = args.Get(_target);
        bool run = args.Value(_run);
        FuzzTargetConfig config = args.FuzzTargetConfig(_config);
        string path = args.Get(_file)!;
        (byte[] input, ReproArtifact? artifact) = FuzzInputFile.Load(path);
        IFuzzTarget target;
        if (artifact is not null)
        {
            target = FuzzTargets.Create(args.Systems, artifact.Target, FuzzTargetConfig.FromDictionary(artifact.Config, path));
            stdout.WriteLine($"# artifact: target={artifact.Target} seed={artifact.Seed} recorded={artifact.Outcome.Signature} at op {artifact.Outcome.Step}: {artifact.Outcome.Reason}");
        }
        else
        {
            target = FuzzTargets.Create(args.Systems, targetName ?? DefaultTarget.Name(args.Systems, path), config);
        }
        stdout.WriteLine($"# {input.Length} bytes, target {target.Name}");
        foreach (string line in target.Disassemble(input)) stdout.WriteLine(line);
        if (run)
        {
            Outcome o = target is ITraceableTarget traced ? traced.ExecuteTraced(input, stdout) : target.Execute(input);
            stdout.WriteLine($"# outcome: {o}");
        }
        return ExitCodes.Ok;
    }
}
