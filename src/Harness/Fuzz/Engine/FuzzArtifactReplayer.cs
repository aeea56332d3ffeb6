// FuzzArtifactReplayer: replays engine "fuzz" artifacts for `harness repro` and the regression
// tests. It rebuilds the target from the artifact's config, prints the input's disassembly, runs it
// once and reports "reproduced" only if both the outcome class and the site match the record.
using Harness.Artifacts;

namespace Harness.Fuzz.Engine;

public sealed class FuzzArtifactReplayer : IArtifactReplayer
{
    public string Engine => FindingWriter.Engine;

    public ReplayResult Replay(ReproArtifact artifact, TextWriter trace)
    {
        string source = $"artifact for {artifact.Target}";
        byte[] input = FindingWriter.InputOf(artifact, source);
        IFuzzTarget target = FuzzTargets.Create(artifact.Target, FuzzTargetConfig.FromDictionary(artifact.Config, source));
        artifact.Config.TryGetValue(FindingWriter.SiteKey, out string? site);
        site ??= "";
        trace.WriteLine($"input: {input.Length} bytes");
        foreach (string line in target.Disassemble(input)) trace.WriteLine($"  {line}");
        FuzzOutcome o;
        try
        {
            o = target is ITraceableTarget traced ? traced.ExecuteTraced(input, trace) : target.Execute(input);
        }
        catch (Exception e)
        {
            o = new FuzzOutcome(FuzzOutcomeClass.HostException, -1, $"engine/{e.GetType().Name}", e.Message);
        }
        trace.WriteLine($"outcome: {o.Class} site={o.Site} at op {o.OpIndex}: {o.Reason}");
        bool reproduced = o.Class.ToString() == artifact.Outcome.Class && o.Site == site;
        string reason = reproduced || o.Class.ToString() != artifact.Outcome.Class
            ? o.Reason
            : $"same class but site '{o.Site}' differs from the recorded '{site}': {o.Reason}";
        return new ReplayResult(reproduced, o.Class.ToString(), o.OpIndex, reason);
    }
}
