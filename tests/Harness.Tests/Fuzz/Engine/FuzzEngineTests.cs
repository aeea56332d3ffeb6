// Tests of the in-process engine on the toy MazeTarget: it finds what coverage leads to, it is
// deterministic per seed and exec count, it de-duplicates findings by signature, and it writes
// findings and corpus entries where asked.
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class FuzzEngineTests
{
    private static FuzzRunResult Run(ulong seed, long execs, string? outDir = null, MazeTarget? target = null)
    {
        target ??= new MazeTarget();
        var options = new FuzzEngineOptions { Seed = seed, Execs = execs, OutDir = outDir, StatusEvery = 1 << 30 };
        return new FuzzEngine(target, [target.Features], options, TextWriter.Null).Run();
    }

    [Fact]
    public void Engine_ClimbsTheMaze_WithCoverageFeedback()
    {
        FuzzRunResult r = Run(seed: 7, execs: 60_000);
        Assert.Contains(r.Findings, f => f.Signature == "invariant-failed:maze/deep");
        Finding deep = r.Findings.First(f => f.Signature == "invariant-failed:maze/deep");
        Assert.True(deep.Input.Length >= MazeTarget.Key.Length);
        for (int i = 0; i < MazeTarget.Key.Length; i++) Assert.Equal(MazeTarget.Key[i] & 15, deep.Input[i] & 15);
        Assert.Equal(60_000, r.Execs);
        Assert.True(r.Corpus.Count >= MazeTarget.Key.Length, "each matched key byte is new coverage");
    }

    [Fact]
    public void Engine_SameSeedAndCount_SameCorpusAndFindings()
    {
        FuzzRunResult a = Run(seed: 42, execs: 20_000);
        FuzzRunResult b = Run(seed: 42, execs: 20_000);
        Assert.Equal(a.Corpus.Select(Convert.ToHexString), b.Corpus.Select(Convert.ToHexString));
        Assert.Equal(a.Findings.Select(f => (f.Signature, Convert.ToHexString(f.Input), f.ExecIndex, f.Hits)),
                     b.Findings.Select(f => (f.Signature, Convert.ToHexString(f.Input), f.ExecIndex, f.Hits)));
        Assert.Equal(a.Features, b.Features);
        FuzzRunResult c = Run(seed: 43, execs: 20_000);
        Assert.NotEqual(a.Corpus.Select(Convert.ToHexString), c.Corpus.Select(Convert.ToHexString));
    }

    [Fact]
    public void Engine_DeduplicatesBySignature()
    {
        FuzzRunResult r = Run(seed: 3, execs: 80_000);
        Assert.Equal(r.Findings.Count, r.Findings.Select(f => f.Signature).Distinct().Count());
        Finding deep = Assert.Single(r.Findings, f => f.Signature == "invariant-failed:maze/deep");
        Assert.True(deep.Hits > 1, "the maze exit is hit again after it is found, and only counted");
    }

    [Fact]
    public void Engine_WritesFindingArtifactAndCorpus()
    {
        string dir = TempDir.Create();
        try
        {
            FuzzRunResult r = Run(seed: 7, execs: 60_000, outDir: dir);
            Finding deep = r.Findings.First(f => f.Signature == "invariant-failed:maze/deep");
            Assert.NotNull(deep.ArtifactPath);
            ReproArtifact art = ReproArtifact.Load(deep.ArtifactPath!);
            Assert.Equal("fuzz", art.Engine);
            Assert.Equal("maze", art.Target);
            Assert.Equal(7UL, art.Seed);
            Assert.Equal(OutcomeKind.InvariantFailed, art.Outcome.Kind);
            Assert.Equal("maze/deep", art.Outcome.Site);
            Assert.Equal("bytes", art.Payload.Kind);
            Assert.Equal(deep.Input, Convert.FromBase64String(art.Payload.Data));
            Assert.Equal(deep.Input, File.ReadAllBytes(deep.RawPath!));
            (byte[] input, ReproArtifact? again) = FuzzInputFile.Load(deep.ArtifactPath!);
            Assert.Equal(deep.Input, input);
            Assert.NotNull(again);
            string[] corpus = Directory.GetFiles(Path.Combine(dir, "corpus"));
            Assert.Equal(r.Corpus.Count, corpus.Length);
            Assert.All(corpus, p => Assert.Equal(Path.GetFileName(p), ContentHash.Of(File.ReadAllBytes(p))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Engine_SeedsFromCorpusFolder_AreUsed()
    {
        string dir = TempDir.Create();
        try
        {
            CorpusFolder.Save(dir, MazeTarget.Key.AsSpan(0, 5));
            CorpusFolder.Save(dir, "unrelated"u8);
            var target = new MazeTarget();
            var options = new FuzzEngineOptions { Seed = 1, Execs = 20_000, CorpusDirs = [dir], StatusEvery = 1 << 30 };
            FuzzRunResult r = new FuzzEngine(target, [target.Features], options, TextWriter.Null).Run();
            Assert.Equal(2, r.SeedInputs);
            Assert.Contains(r.Findings, f => f.Signature == "invariant-failed:maze/deep");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Engine_SecondsStop_ReportsTheCountReached()
    {
        var target = new MazeTarget();
        var log = new StringWriter();
        var options = new FuzzEngineOptions { Seed = 1, Execs = long.MaxValue, Seconds = 1e-9, StatusEvery = 1 << 30 };
        FuzzRunResult r = new FuzzEngine(target, [target.Features], options, log).Run();
        Assert.True(r.StoppedByTime);
        Assert.Contains($"--execs {r.Execs}", log.ToString());
    }

    [Fact]
    public void Engine_PrintsStatusLines()
    {
        var target = new MazeTarget();
        var log = new StringWriter();
        var options = new FuzzEngineOptions { Seed = 1, Execs = 1000, StatusEvery = 256 };
        new FuzzEngine(target, [target.Features], options, log).Run();
        string text = log.ToString();
        Assert.Contains("INITED cov:", text);
        Assert.Contains("#512\tpulse cov:", text);
        Assert.Contains("#1000\tDONE cov:", text);
        Assert.Matches(@"exec/s: \d+ findings: \d+", text);
    }

    [Fact]
    public void Engine_TargetThatThrows_BecomesHostExceptionFinding()
    {
        var target = new ThrowingTarget();
        var options = new FuzzEngineOptions { Seed = 1, Execs = 10, StatusEvery = 1 << 30 };
        FuzzRunResult r = new FuzzEngine(target, [new FeatureMap(8)], options, TextWriter.Null).Run();
        Finding f = Assert.Single(r.Findings);
        Assert.Equal(OutcomeKind.Crash, f.Outcome.Kind);
        Assert.Equal(11, f.Hits); // the empty seed input plus 10 mutants; the warm-up run is not counted
    }

    private sealed class ThrowingTarget : IFuzzTarget
    {
        public string Name => "throws";
        public Outcome Execute(ReadOnlySpan<byte> input) => throw new InvalidOperationException("boom");
        public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input) => [];
    }
}
