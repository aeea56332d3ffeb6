// Corpus and regression tests: the hand-written seeds are committed (one file per SeedPrograms
// entry, named by content hash), every file in fuzz/corpus/** runs ok on the correct port, and
// every artifact in fuzz/regressions/** reproduces its recorded outcome.
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Systems.Mmgr.Fuzz;
using Harness.Systems.Mmgr.Oracle;
using Xunit;

namespace Harness.Tests.Fuzz.Corpus;

public sealed class CorpusTests
{
    private static string AllocatorCorpus => Path.Combine(RepoRoot.Find(), "fuzz", "corpus", "mmgr");

    private static byte[] Encode((string Name, bool Hostile, string Ops) seed)
    {
        var codec = new AllocatorCodec();
        return codec.Encode(new SwarmHeader(seed.Hostile, 0), AllocatorOpText.ParseLines(seed.Ops));
    }

    [Fact]
    public void Seeds_AreCommitted_OnePerProgram()
    {
        bool write = Environment.GetEnvironmentVariable("HARNESS_WRITE_SEEDS") == "1";
        foreach (var seed in SeedPrograms.All)
        {
            byte[] bytes = Encode(seed);
            string path = Path.Combine(AllocatorCorpus, ContentHash.Of(bytes));
            if (write) CorpusFolder.Save(AllocatorCorpus, bytes);
            Assert.True(File.Exists(path), $"seed '{seed.Name}' is not committed as {path}; run the tests with HARNESS_WRITE_SEEDS=1");
        }
    }

    [Fact]
    public void Seeds_CoverEveryOperationKind()
    {
        var kinds = SeedPrograms.All.SelectMany(s => AllocatorOpText.ParseLines(s.Ops)).Select(o => o.Code).ToHashSet();
        Assert.Equal(Enum.GetValues<OpCode>().Order(), kinds.Order());
    }

    [Fact]
    public void EveryCorpusFile_RunsOk()
    {
        List<ReplayedFile> results = RegressionReplay.Corpus(RepoRoot.Find(), SystemRegistry.Default);
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Path}: {r.Detail}"));
    }

    [Fact]
    public void EveryRegressionArtifact_Reproduces()
    {
        List<ReplayedFile> results = RegressionReplay.Artifacts(RepoRoot.Find(), SystemRegistry.Default);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Path}: {r.Detail}"));
    }
}
