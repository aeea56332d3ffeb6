// The canary (issue 4, "done means"): with the port's planted FreelistIndexOffByOne bug the fuzzer
// finds a failure within its CI budget, the artifact replays through `harness repro`, `harness
// minimize` shrinks it to a handful of operations; with the same budget the correct port yields
// no finding.
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Fuzz;

public sealed class CanaryTests
{
    private const ulong Seed = 1;
    private const string Canary = "FreelistIndexOffByOne";
    private static readonly FuzzTargetDef Target = FuzzTargets.Find(SystemRegistry.Default, "mmgr");

    [Fact]
    public void A_time_to_bug_run_stops_after_the_batch_of_its_first_finding_and_finds_the_same_first_input()
    {
        const long cap = 100 * MmgrSystem.GateCanaryExecs;
        FuzzRunResult full = CanaryRun.Fuzz(Target, Canary, Seed, MmgrSystem.GateCanaryExecs, null, TextWriter.Null);
        FuzzRunResult stopped = CanaryRun.Fuzz(Target, Canary, Seed, cap, null, TextWriter.Null, stopAtFirstFinding: true);
        long first = full.Findings.Min(f => f.ExecIndex);
        Finding earliest = stopped.Findings.MinBy(f => f.ExecIndex)!;
        Assert.Equal(first, earliest.ExecIndex);
        Assert.Equal(full.Findings.MinBy(f => f.ExecIndex)!.Input, earliest.Input);
        // it ends at the end of that batch, long before the cap
        Assert.InRange(stopped.Execs, first + 1, first + FuzzEngineOptions.DefaultBatchSize);
    }

    [Fact]
    public void Canary_IsFound_Replayed_AndMinimized()
    {
        string dir = TempDir.Create();
        try
        {
            FuzzRunResult planted = CanaryRun.Fuzz(Target, Canary, Seed, MmgrSystem.GateCanaryExecs, dir, TextWriter.Null);
            FuzzRunResult correct = CanaryRun.Fuzz(Target, "None", Seed, MmgrSystem.GateCanaryExecs, null, TextWriter.Null);
            var correctSigs = correct.Findings.Select(f => f.Signature).ToHashSet();
            Finding f = Assert.Single(planted.Findings.Where(x => !correctSigs.Contains(x.Signature)).Take(1));

            ReproArtifact artifact = ReproArtifact.Load(f.ArtifactPath!);
            Assert.Equal(Canary, artifact.Config[FuzzTargetConfig.CanaryKey]);
            ReplayResult replay = ArtifactReplayers.For(artifact).Replay(artifact, SystemRegistry.Default, TextWriter.Null);
            Assert.True(replay.Reproduced, replay.Reason);

            var output = new StringWriter();
            string minPath = Path.Combine(dir, "min.json");
            int code = Harness.Program.Run(["minimize", f.ArtifactPath!, "--out", minPath], output, output);
            Assert.True(code == 0, output.ToString());
            ReproArtifact min = ReproArtifact.Load(minPath);
            int ops = min.Payload.Readable.Count(l => !l.StartsWith('#'));
            Assert.InRange(ops, 1, 8);
            Assert.Equal(artifact.Outcome.Kind, min.Outcome.Kind);
            Assert.True(ArtifactReplayers.For(min).Replay(min, SystemRegistry.Default, TextWriter.Null).Reproduced);

            // The minimized input does not fail on the correct port (it is a regression input there).
            byte[] input = FindingWriter.InputOf(min, minPath);
            Assert.False(Target.Create(FuzzTargetConfig.Default).Execute(input).IsFailure);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CorrectPort_HasNoFinding_WithTheSameBudget()
    {
        FuzzRunResult correct = CanaryRun.Fuzz(Target, "None", Seed, MmgrSystem.GateCanaryExecs, null, TextWriter.Null);
        Assert.True(correct.Findings.Count == 0,
            "the correct port failed: " + string.Join("; ", correct.Findings.Select(f => $"{f.Signature} at op {f.Outcome.Step}: {f.Outcome.Reason}")));
    }
}
