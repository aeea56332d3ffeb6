// Tests of corpus folder reading and writing: content-hash names, atomic writes, and tolerance of
// unreadable, oversized and edited files (reported, never losing the other files).
using Harness.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class CorpusFolderTests
{
    [Fact]
    public void Save_NamesByContentHash_AndLoadReadsBackInOrdinalOrder()
    {
        string dir = TempDir.Create();
        try
        {
            string a = CorpusFolder.Save(dir, "alpha"u8);
            string b = CorpusFolder.Save(dir, "beta"u8);
            Assert.Equal(a, CorpusFolder.Save(dir, "alpha"u8)); // same content, same file
            var problems = new List<string>();
            List<CorpusFile> files = CorpusFolder.Load(dir, 4096, problems);
            Assert.Empty(problems);
            Assert.Equal(2, files.Count);
            Assert.Equal(files.Select(f => f.Name).Order(StringComparer.Ordinal), files.Select(f => f.Name));
            Assert.Contains(files, f => f.Data.AsSpan().SequenceEqual("beta"u8) && f.Name == Path.GetFileName(b));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_ReportsBadFiles_AndKeepsTheOthers()
    {
        string dir = TempDir.Create();
        try
        {
            CorpusFolder.Save(dir, "good"u8);
            string edited = CorpusFolder.Save(dir, "original content"u8);
            File.WriteAllBytes(edited, "origi"u8.ToArray()); // truncated after the fact
            File.WriteAllBytes(Path.Combine(dir, "big"), new byte[100]);
            File.CreateSymbolicLink(Path.Combine(dir, "dangling"), Path.Combine(dir, "does-not-exist"));
            File.WriteAllBytes(Path.Combine(dir, "half.tmp"), new byte[3]); // an interrupted write: ignored
            var problems = new List<string>();
            List<CorpusFile> files = CorpusFolder.Load(dir, 64, problems);
            Assert.Equal(3, problems.Count);
            Assert.Contains(problems, p => p.Contains("dangling") && p.Contains("unreadable"));
            Assert.Contains(problems, p => p.Contains("big") && p.Contains("truncated"));
            Assert.Contains(problems, p => p.Contains(Path.GetFileName(edited)) && p.Contains("does not match"));
            Assert.Equal(new[] { "big", Path.GetFileName(edited), ContentHash.Of("good"u8) }.Order(StringComparer.Ordinal), files.Select(f => f.Name));
            Assert.Equal(64, files.Single(f => f.Name == "big").Data.Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingFolder_IsAProblemNotAnException()
    {
        var problems = new List<string>();
        Assert.Empty(CorpusFolder.Load("/nonexistent/harness/corpus", 10, problems));
        Assert.Single(problems);
    }
}
