// IArtifactReplayer: replays artifacts of one engine ("property", "explore", "fuzz").
// `harness repro FILE` and the regression tests find the replayer by the artifact's engine field;
// replayers are discovered by reflection, as commands are.
using Harness.Core;

namespace Harness.Artifacts;

/// <summary>The result of a replay.</summary>
/// <param name="Reproduced">The recorded failure happened again: the same kind and the same site
/// (a version-1 artifact that recorded no site is matched on the kind alone).</param>
/// <param name="Outcome">What this replay produced.</param>
/// <param name="Reason">One line: what happened, or where and how the replay diverged.</param>
public sealed record ReplayResult(bool Reproduced, Outcome Outcome, string Reason)
{
    /// <summary>The one rule every replayer uses to decide "the same failure again".</summary>
    public static ReplayResult Compare(ArtifactOutcome recorded, Outcome actual, string reason)
    {
        bool same = actual.Kind == recorded.Kind && (recorded.Site.Length == 0 || actual.Site == recorded.Site);
        if (!same && actual.Kind == recorded.Kind)
            reason = $"same kind but site '{actual.Site}' differs from the recorded '{recorded.Site}': {reason}";
        return new ReplayResult(same, actual, reason);
    }
}

public interface IArtifactReplayer
{
    /// <summary>The engine field value this replayer handles.</summary>
    string Engine { get; }

    /// <summary>Replays deterministically, writing a readable trace to <paramref name="trace"/>; the
    /// artifact's target is resolved in <paramref name="systems"/>.</summary>
    ReplayResult Replay(ReproArtifact artifact, SystemRegistry systems, TextWriter trace);
}

public static class ArtifactReplayers
{
    public static IReadOnlyList<IArtifactReplayer> All { get; } =
        typeof(ArtifactReplayers).Assembly.GetTypes()
            .Where(t => typeof(IArtifactReplayer).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IArtifactReplayer)Activator.CreateInstance(t)!)
            .OrderBy(r => r.Engine, StringComparer.Ordinal)
            .ToList();

    public static IArtifactReplayer For(ReproArtifact artifact) =>
        All.FirstOrDefault(r => r.Engine == artifact.Engine)
        ?? throw new UnknownNameException("artifact engine", artifact.Engine, All.Select(r => r.Engine));
}
