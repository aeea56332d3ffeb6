// `harness repro ARTIFACT`: replays any engine's repro artifact and prints its trace.
// Exit code 0 if the recorded failure reproduced, 1 if it did not (the replay says where it diverged).
using System.CommandLine;
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Cli;

public sealed class ReproCommand : IHarnessCommand
{
    public string Name => "repro";
    public string Summary => "replay a repro artifact (from any engine) and print its trace";

    private readonly Argument<string> _artifact = CliOptions.Required("artifact", "the repro artifact (JSON) any engine wrote");
    private readonly Option<bool> _quiet = CliOptions.Flag("--quiet", "print only the verdict, not the replay's trace");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_artifact, _quiet);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool quiet = args.Value(_quiet);
        string path = args.Get(_artifact)!;
        ReproArtifact artifact = ReproArtifact.Load(path);
        stdout.WriteLine($"repro: engine={artifact.Engine} target={artifact.Target} seed={artifact.Seed} recorded={artifact.Outcome.Signature} at step {artifact.Outcome.Step}");
        ReplayResult result = ArtifactReplayers.For(artifact).Replay(artifact, args.Systems, quiet ? TextWriter.Null : stdout);
        stdout.WriteLine(result.Reproduced
            ? $"REPRODUCED: {result.Outcome.Signature} at step {result.Outcome.Step}: {result.Reason}"
            : $"NOT REPRODUCED: got {result.Outcome.Signature} at step {result.Outcome.Step}: {result.Reason}");
        return result.Reproduced ? ExitCodes.Ok : ExitCodes.Finding;
    }
}
