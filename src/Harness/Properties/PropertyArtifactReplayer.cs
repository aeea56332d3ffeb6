// PropertyArtifactReplayer: replays artifacts of engine "property" (target "allocator"): parses
// the op list, evaluates the recorded property once with a trace, and compares the outcome class.
using Harness.Artifacts;
using Harness.Cli;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

using Harness.Systems.Mmgr.Properties;
namespace Harness.Properties;

public sealed class PropertyArtifactReplayer : IArtifactReplayer
{
    public string Engine => "property";

    public ReplayResult Replay(ReproArtifact artifact, TextWriter trace)
    {
        if (artifact.Target != "allocator") throw new InputException($"property artifact for unknown target '{artifact.Target}' (known: allocator)");
        if (artifact.Payload.Kind != "ops") throw new InputException($"property artifact payload kind is '{artifact.Payload.Kind}', expected 'ops'");
        string property = artifact.Config.TryGetValue("property", out string? p) ? p : "model";
        if (!AllocatorProperties.IsKnown(property)) throw new InputException($"unknown property '{property}' (known: {string.Join(", ", AllocatorProperties.Names)})");
        bool checking = !artifact.Config.TryGetValue("checking", out string? c) || c != "off";
        List<AllocatorOp> ops = AllocatorOpText.ParseLines(artifact.Payload.Data);
        trace.WriteLine($"property {property}, checking {(checking ? "on" : "off")}, {ops.Count} ops");
        var canary = Allocator.Mmgr.AllocatorCanary.None;
        if (artifact.Config.TryGetValue("canary", out string? cn) && !Enum.TryParse(cn, out canary))
            throw new InputException($"unknown canary '{cn}'");
        FuzzOutcome o = AllocatorProperties.Evaluate(property, checking, ops, canary, trace);
        string cls = o.IsFailure ? o.Class.ToString() : "ok";
        return new ReplayResult(o.IsFailure && cls == artifact.Outcome.Class, cls, o.OpIndex, o.IsFailure ? $"[{o.Site}] {o.Reason}" : "the op list passed");
    }
}
