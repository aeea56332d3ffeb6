// PropertyArtifactReplayer: replays artifacts of engine "property": finds the artifact's system
// and property in the registry, parses the stored op list with the system's text form, evaluates
// the property once with a trace, and compares the outcome with the recorded one.
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Properties;

public sealed class PropertyArtifactReplayer : IArtifactReplayer
{
    public string Engine => PropertyReport.Engine;

    public ReplayResult Replay(ReproArtifact artifact, SystemRegistry systems, TextWriter trace)
    {
        if (artifact.Payload.Kind != PropertyReport.PayloadKind)
            throw new ArtifactFormatException($"property artifact payload kind is '{artifact.Payload.Kind}', expected '{PropertyReport.PayloadKind}'");
        (_, PropertySuite suite) = PropertySuite.Of(systems, artifact.Target);
        PropertyDef property = suite.Get(artifact.Config.TryGetValue("property", out string? p) ? p : "model");
        bool checking = !artifact.Config.TryGetValue("checking", out string? c) || c != "off";
        string canary = artifact.Config.TryGetValue("canary", out string? cn) ? cn : PropertySuite.NoCanary;
        Outcome o = property.Create(checking, canary).Replay(artifact.Payload.Data, trace);
        return ReplayResult.Compare(artifact.Outcome, o, o.IsFailure ? $"[{o.Site}] {o.Reason}" : "the op list passed");
    }
}
