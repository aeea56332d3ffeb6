// IArtifactReplayer: replays artifacts of one engine ("property", "explore", "fuzz").
// `harness repro FILE` and the regression tests find the replayer by the artifact's engine field;
// replayers are discovered by reflection, as commands are.
namespace Harness.Artifacts;

/// <summary>The result of a replay.</summary>
/// <param name="Reproduced">The recorded failure happened again (same outcome class).</param>
/// <param name="OutcomeClass">The class of the outcome this replay produced ("ok" if none).</param>
/// <param name="Step">The step at which it happened, or -1.</param>
/// <param name="Reason">One line: what happened, or where and how the replay diverged.</param>
public sealed record ReplayResult(bool Reproduced, string OutcomeClass, long Step, string Reason);

public interface IArtifactReplayer
{
    /// <summary>The engine field value this replayer handles.</summary>
    string Engine { get; }

    /// <summary>Replays deterministically, writing a readable trace to <paramref name="trace"/>.</summary>
    ReplayResult Replay(ReproArtifact artifact, TextWriter trace);
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
        ?? throw new Cli.InputException($"no replayer for engine '{artifact.Engine}' (known: {string.Join(", ", All.Select(r => r.Engine))})");
}
