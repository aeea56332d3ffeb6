// Tests of CorpusWriter, the engine's background corpus saver: after Complete every queued entry
// is on disk under its content-hash name (duplicates once), and a write error surfaces from
// Complete instead of being lost on the writer thread; and an engine run with --out leaves exactly
// its in-memory corpus in OUT/corpus when Run returns.
using Harness.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class CorpusWriterTests
{
    [Fact]
    public void Complete_LeavesEveryEntryOnDisk_UnderTheNameSaveReturned()
    {
        string dir = TempDir.Create();
        try
        {
            string corpus = Path.Combine(dir, "corpus");
            var inputs = Enumerable.Range(0, 200).Select(i => BitConverter.GetBytes(i % 150)).ToList(); // 50 duplicates
            var names = new List<string>();
            using (var w = new CorpusWriter(corpus))
            {
                foreach (byte[] x in inputs) names.Add(w.Save(x));
                w.Complete();
            }
            Assert.Equal(150, Directory.GetFiles(corpus).Length);
            for (int i = 0; i < inputs.Count; i++)
            {
                Assert.Equal(Path.Combine(corpus, ContentHash.Of(inputs[i])), names[i]);
                Assert.Equal(inputs[i], File.ReadAllBytes(names[i]));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AWriteError_SurfacesFromComplete()
    {
        string dir = TempDir.Create();
        try
        {
            string notAFolder = Path.Combine(dir, "file");
            File.WriteAllBytes(notAFolder, [1]);
            using var w = new CorpusWriter(notAFolder);
            w.Save([1, 2, 3]);
            IOException e = Assert.Throws<IOException>(w.Complete);
            Assert.Contains(notAFolder, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AnEngineRun_LeavesItsWholeCorpusOnDisk_WhenRunReturns()
    {
        string dir = TempDir.Create();
        try
        {
            var options = new FuzzEngineOptions { Seed = 5, Execs = 3_000, Workers = 2, StatusEvery = 1 << 30, OutDir = dir };
            FuzzRunResult r = new FuzzEngine(_ =>
            {
                var t = new MazeTarget();
                return new FuzzWorkerSetup(t, [t.Features]);
            }, options, TextWriter.Null).Run();
            var expected = r.Corpus.Select(x => ContentHash.Of(x)).Distinct().Order(StringComparer.Ordinal).ToList();
            var onDisk = Directory.GetFiles(Path.Combine(dir, "corpus")).Select(f => Path.GetFileName(f) ?? f).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.Count > 5, $"corpus of {expected.Count}");
            Assert.Equal(expected, onDisk);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
