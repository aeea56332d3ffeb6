// `harness show FILE`: prints any fuzz input as readable operations. FILE is a raw input (corpus
// file, .bin finding, AFL++ queue entry) or a fuzz repro artifact (then its own target and config
// are used and the recorded outcome is printed too). `harness show SYSTEM FILE` hands the file to
// the system's IStateShow part instead (DSA: dsa_dump at a step).
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
               harness show SYSTEM FILE [--step N]
          --target T   target of a raw input (default: the one whose fuzz/corpus/<folder> the file is in,
                       or the only registered one; an artifact names its own)
          --ops-max M  operation limit for a raw input (default 64)
          --run        also execute it and print the outcome
          SYSTEM FILE  replay FILE on a system that can show its state (dsa: dsa_dump) up to --step N
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? targetName = args.String("target");
        bool run = args.Flag("run");
        long step = args.Long("step", long.MaxValue, min: 0);
        FuzzTargetConfig config = args.FuzzTargetConfig();
        args.RejectUnknown();
        string path = args.Positional0 ?? throw new UsageException("which file?");
        if (args.Positional.Count == 2)
        {
            // harness show SYSTEM FILE: the system's own view of its state
            ISystem system = args.Systems.Find(path) ?? throw new UsageException($"'{path}' is not a system (harness systems lists them)");
            IStateShow show = system.Parts.OfType<IStateShow>().FirstOrDefault()
                ?? throw new UsageException($"system {system.Name} has no state to show");
            return show.Show(args.Positional[1], step, stdout);
        }
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
