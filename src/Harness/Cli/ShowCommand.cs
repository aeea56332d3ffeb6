// `harness show FILE`: prints any fuzz input as readable operations. FILE is a raw input (corpus
// file, .bin finding, AFL++ queue entry) or a fuzz repro artifact (then its own target and config
// are used and the recorded outcome is printed too).
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class ShowCommand : IHarnessCommand
{
    public string Name => "show";
    public string Summary => "print a fuzz input (raw file or artifact) as readable operations";
    public string Usage => """
        usage: harness show FILE [--target T] [--ops-max M] [--run]
          --target T   target of a raw input (default: the one whose fuzz/corpus/<folder> the file is in,
                       or the only registered one; an artifact names its own)
          --ops-max M  operation limit for a raw input (default 64)
          --run        also execute it and print the outcome
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? targetName = args.String("target");
        bool run = args.Flag("run");
        FuzzTargetConfig config = args.FuzzTargetConfig();
        args.RejectUnknown();
        string path = args.Positional0 ?? throw new UsageException("which file?");
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
        return Program.ExitOk;
    }
}
