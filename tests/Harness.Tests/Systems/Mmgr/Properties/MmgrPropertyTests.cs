// The memory-context properties as FsCheck.Xunit [Property] tests: one test per (property,
// checking build), each with a fixed Replay seed (FsCheck prints it with any failure) and a
// moderate case count; a failing case's label carries the outcome and `harness repro ARTIFACT`.
// Long runs stay on `harness check mmgr`. The last test shows the same machinery catching the
// planted FreelistIndexOffByOne bug and its artifact replaying.
using Allocator.Mmgr;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Harness.Artifacts;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Mmgr.Oracle;
using Harness.Systems.Mmgr.Properties;
using Harness.Tests.Properties;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Properties;

public sealed class MmgrPropertyTests
{
    /// <summary>The fixed start of every run: the gate's seed and FsCheck's default-style gamma.</summary>
    private const string Replay = "20261121,11400714819323198485";

    public static class Ops50
    {
        public static Arbitrary<AllocatorOp[]> Ops() => AllocatorGen.Arbitrary(50, hostile: false);
    }

    public static class HostileOps50
    {
        public static Arbitrary<AllocatorOp[]> Ops() => AllocatorGen.Arbitrary(50, hostile: true);
    }

    public static class Ops24
    {
        public static Arbitrary<AllocatorOp[]> Ops() => AllocatorGen.Arbitrary(24, hostile: false);
    }

    public static class SlabOps100
    {
        public static Arbitrary<AllocatorOp[]> Ops() => SlabGen.Arbitrary(100);
    }

    public static class GenerationOps96
    {
        public static Arbitrary<AllocatorOp[]> Ops() => GenerationGen.Arbitrary(96);
    }

    private static FsCheck.Property Check(string property, bool checking, AllocatorOp[] ops, int maxOps) =>
        XunitProperty.Check(AllocatorProperties.Create(property, checking), ops, Replay, maxOps);

    [Property(Replay = Replay, MaxTest = 400, EndSize = 50, Arbitrary = [typeof(Ops50)])]
    public FsCheck.Property Model_checking_on(AllocatorOp[] ops) => Check("model", true, ops, 50);

    [Property(Replay = Replay, MaxTest = 400, EndSize = 50, Arbitrary = [typeof(Ops50)])]
    public FsCheck.Property Model_checking_off(AllocatorOp[] ops) => Check("model", false, ops, 50);

    [Property(Replay = Replay, MaxTest = 25, EndSize = 50, Arbitrary = [typeof(Ops24)])]
    public FsCheck.Property Oom_checking_on(AllocatorOp[] ops) => Check("oom", true, ops, 24);

    [Property(Replay = Replay, MaxTest = 25, EndSize = 50, Arbitrary = [typeof(Ops24)])]
    public FsCheck.Property Oom_checking_off(AllocatorOp[] ops) => Check("oom", false, ops, 24);

    [Property(Replay = Replay, MaxTest = 400, EndSize = 50, Arbitrary = [typeof(Ops50)])]
    public FsCheck.Property Leak_checking_on(AllocatorOp[] ops) => Check("leak", true, ops, 50);

    [Property(Replay = Replay, MaxTest = 400, EndSize = 50, Arbitrary = [typeof(Ops50)])]
    public FsCheck.Property Leak_checking_off(AllocatorOp[] ops) => Check("leak", false, ops, 50);

    [Property(Replay = Replay, MaxTest = 400, EndSize = 50, Arbitrary = [typeof(HostileOps50)])]
    public FsCheck.Property Corruption_checking_on(AllocatorOp[] ops) => Check("corruption", true, ops, 50);

    [Property(Replay = Replay, MaxTest = 200, EndSize = 50, Arbitrary = [typeof(SlabOps100)])]
    public FsCheck.Property Slab_checking_on(AllocatorOp[] ops) => Check("slab", true, ops, 100);

    [Property(Replay = Replay, MaxTest = 200, EndSize = 50, Arbitrary = [typeof(SlabOps100)])]
    public FsCheck.Property Slab_checking_off(AllocatorOp[] ops) => Check("slab", false, ops, 100);

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(GenerationOps96)])]
    public FsCheck.Property Generation_checking_on(AllocatorOp[] ops) => Check("generation", true, ops, 96);

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(GenerationOps96)])]
    public FsCheck.Property Generation_checking_off(AllocatorOp[] ops) => Check("generation", false, ops, 96);

    [Fact]
    public void The_same_machinery_catches_a_planted_bug_and_names_a_replayable_artifact()
    {
        FsCheckProperty<AllocatorOp> broken = AllocatorProperties.Create("model", false, AllocatorCanary.FreelistIndexOffByOne);
        FsCheck.Property prop = Prop.ForAll(AllocatorGen.Arbitrary(50, hostile: false), (AllocatorOp[] ops) => XunitProperty.Check(broken, ops, Replay, 50));
        var replay = new FsCheck.Replay(new Rnd(20261121, 11400714819323198485), Microsoft.FSharp.Core.FSharpOption<int>.None);
        Exception e = Assert.ThrowsAny<Exception>(() => prop.Check(Config.QuickThrowOnFailure.WithMaxTest(2000).WithEndSize(50)
            .WithReplay(Microsoft.FSharp.Core.FSharpOption<FsCheck.Replay>.Some(replay))));
        Assert.Contains("invariant-failed", e.Message);
        string path = System.Text.RegularExpressions.Regex.Match(e.Message, @"harness repro (\S+\.json)").Groups[1].Value;
        Assert.True(File.Exists(path), e.Message);
        ReproArtifact artifact = ReproArtifact.Load(path);
        Assert.Equal("FreelistIndexOffByOne", artifact.Config["canary"]);
        ReplayResult r = ArtifactReplayers.For(artifact).Replay(artifact, SystemRegistry.Default, TextWriter.Null);
        Assert.True(r.Reproduced, r.Reason);
        Assert.InRange(artifact.Payload.Readable.Count, 1, 8);   // the artifact holds the shrunk list
    }
}
