// FuzzArtifactReplayer: replays engine "fuzz" artifacts for `harness repro` and the regression
// tests. It finds the target in the system registry, rebuilds it from the artifact's config,
// prints the input's disassembly, runs it once and compares kind and site with the record.
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed class FuzzArtifactReplayer : IArtifactReplayer
{
    public string Engine => FindingWriter.Engine;

    public ReplayResult Replay(ReproArtifact artifact, SystemRegistry systems, TextWriter trace)
    {
        string source = $"artifact for {artifact.Target}";
        byte[] input = FindingWriter.InputOf(artifact, source);
        IFuzzTarget target = FuzzTargets.Create(systems, artifact.Target, FuzzTargetConfig.FromDictionary(artifact.Config, source));
        trace.WriteLine($"input: {input.Length} bytes");
        foreach (string line in target.Disassemble(input)) trace.WriteLine($"  {line}");
        Outcome o;
        try
        {
            o = target is ITraceableTarget traced ? traced.ExecuteTraced(input, trace) : target.Execute(input);
        }
        catch (Exception e)
        {
            o = new Outcome(OutcomeKind.Crash, -1, $"engine/{e.GetType().Name}", e.Message);
        }
        trace.WriteLine($"outcome: {o}");
        return ReplayResult.Compare(artifact.Outcome, o, o.Reason);
    }
}
