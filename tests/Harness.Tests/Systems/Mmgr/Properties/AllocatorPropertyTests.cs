// The property engine's own guarantees on the memory-context properties (the properties
// themselves run as [Property] tests in MmgrPropertyTests): a planted bug is found and shrunk,
// replay by (seed, gamma, size) is exact, and a property artifact round-trips through `harness
// repro`'s replayer.
using Allocator.Mmgr;
using Harness.Artifacts;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr.Properties;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Properties;

public class AllocatorPropertyTests
{
    private const ulong Gamma = AllocatorProperties.DefaultGamma;

    private static PropertyReport CanaryRun() =>
        AllocatorProperties.Suite.Get("model").Create(false, nameof(AllocatorCanary.FreelistIndexOffByOne)).Check(new PropertyRunSpec(7, Gamma, 2000, 50));

    [Fact]
    public void PlantedBug_IsFoundAndShrunk()
    {
        PropertyReport r = CanaryRun();
        Assert.False(r.Passed);
        Assert.True(r.Failure!.Shrunk.Count <= 8, string.Join(" | ", r.Failure.Shrunk.Select(o => o.ToString())));
        Assert.Contains("--replay", r.ReplayCommand);
    }

    [Fact]
    public void Replay_BySeedGammaSize_GivesTheSameShrunkList()
    {
        PropertyReport first = CanaryRun();
        PropertyFailure f = first.Failure!;
        PropertyReport again = AllocatorProperties.Suite.Get("model").Create(false, nameof(AllocatorCanary.FreelistIndexOffByOne)).Check(new PropertyRunSpec(f.Seed, f.Gamma, 1, 50, f.Size));
        Assert.False(again.Passed);
        Assert.Equal(f.Shrunk, again.Failure!.Shrunk);
    }

    [Fact]
    public void Artifact_RoundTripsAndReproduces()
    {
        PropertyReport r = CanaryRun();
        ReproArtifact artifact = ReproArtifact.Parse(r.ToArtifact()!.ToJson());
        Assert.Equal("property", artifact.Engine);
        Assert.Equal("ops", artifact.Payload.Kind);
        var trace = new StringWriter();
        ReplayResult replay = new PropertyArtifactReplayer().Replay(artifact, SystemRegistry.Default, trace);
        Assert.True(replay.Reproduced, replay.Reason + "\n" + trace);
        Assert.Equal(r.Failure!.Outcome.Step, replay.Outcome.Step);
        Assert.Equal("mmgr", artifact.Target);
    }
}
