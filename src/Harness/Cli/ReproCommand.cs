// `harness repro ARTIFACT`: replays any engine's repro artifact and prints its trace.
// Exit code 0 if the recorded failure reproduced, 1 if it did not (the replay says where it diverged).
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Cli;

public sealed class ReproCommand : IHarnessCommand
{
    public string Name => "repro";
    public string Summary => "replay a repro artifact (from any engine) and print its trace";
    public string Usage => "usage: harness repro ARTIFACT.json [--quiet]";

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool quiet = args.Flag("quiet");
        args.RejectUnknown();
        string path = args.Positional0 ?? throw new UsageException("which artifact? give its path");
        ReproArtifact artifact = ReproArtifact.Load(path);
        stdout.WriteLine($"repro: engine={artifact.Engine} target={artifact.Target} seed={artifact.Seed} recorded={artifact.Outcome.Signature} at step {artifact.Outcome.Step}");
        ReplayResult result = ArtifactReplayers.For(artifact).Replay(artifact, args.Systems, quiet ? TextWriter.Null : stdout);
        stdout.WriteLine(result.Reproduced
            ? $"REPRODUCED: {result.Outcome.Signature} at step {result.Outcome.Step}: {result.Reason}"
            : $"NOT REPRODUCED: got {result.Outcome.Signature} at step {result.Outcome.Step}: {result.Reason}");
        return result.Reproduced ? Program.ExitOk : Program.ExitFailure;
    }
}
