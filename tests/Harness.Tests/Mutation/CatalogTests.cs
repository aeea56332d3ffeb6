// The mutation campaign's catalog (tools/mutate/catalog) against the current tree: it parses, ids
// are unique, every original snippet occurs exactly once in its file (so a refactor that moves or
// rewrites a mutated line fails here, not silently in the nightly campaign), there are at least 40
// mutants and every registered system has some.
using Harness.Cli;
using Harness.Core;
using Mutate;
using Xunit;

namespace Harness.Tests.Mutation;

public class CatalogTests
{
    private static readonly string s_root = RepoRoot.Find();
    private static IReadOnlyList<Mutant> Load() => Catalog.Load(Path.Combine(s_root, "tools", "mutate", "catalog"));

    [Fact]
    public void Catalog_has_at_least_40_mutants_and_every_registered_system_is_represented()
    {
        IReadOnlyList<Mutant> all = Load();
        Assert.True(all.Count >= 40, $"only {all.Count} mutants");
        foreach (ISystem system in SystemRegistry.Default.Systems)
            Assert.True(all.Count(m => m.System == system.Name) >= 5, $"system {system.Name} has {all.Count(m => m.System == system.Name)} mutants (want >= 5)");
        // a catalog file that names no registered system would never be counted per system
        foreach (string s in all.Select(m => m.System).Distinct())
            Assert.Contains(SystemRegistry.Default.Systems, x => x.Name == s);
    }

    [Fact]
    public void Ids_are_unique_and_every_snippet_occurs_exactly_once_in_its_file()
    {
        IReadOnlyList<string> problems = Catalog.Problems(Load(), s_root);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_mutant_mutates_the_port_and_says_why()
    {
        foreach (Mutant m in Load())
        {
            Assert.StartsWith("src/Allocator/", m.File, StringComparison.Ordinal);
            Assert.True(m.Why.Length >= 20, $"{m.Id}: rationale too short");
            Assert.NotEqual(m.Original, m.Replacement);
        }
    }

    [Fact]
    public void Parser_reads_a_block_and_keeps_indentation()
    {
        const string text = "# comment\n\n## one\nfile: src/a.cs\nwhy: because\nsurvives: nobody looks\n--- original\n    int x = 1;\n    int y = 2;\n--- mutant\n    int x = 2;\n\n## two\nfile: src/b.cs\nwhy: also\n--- original\nfoo\n--- mutant\n";
        IReadOnlyList<Mutant> ms = Catalog.Parse(text, "sys", "sys.txt");
        Assert.Equal(2, ms.Count);
        Assert.Equal(("one", "src/a.cs", "because", "nobody looks"), (ms[0].Id, ms[0].File, ms[0].Why, ms[0].Survives));
        Assert.Equal("    int x = 1;\n    int y = 2;", ms[0].Original);
        Assert.Equal("    int x = 2;", ms[0].Replacement);
        Assert.Equal("", ms[1].Replacement);
        Assert.Null(ms[1].Survives);
        Assert.Equal(13, ms[1].Line);
    }

    [Theory]
    [InlineData("## a\nwhy: w\n--- original\nx\n--- mutant\ny\n", "no 'file:'")]
    [InlineData("## a\nfile: f\n--- original\nx\n--- mutant\ny\n", "no 'why:'")]
    [InlineData("## a\nfile: f\nwhy: w\n--- original\nx\n", "no '--- mutant'")]
    [InlineData("## a\nfile: f\nwhy: w\n--- original\nx\n--- mutant\nx\n", "equals the original")]
    [InlineData("## a\nfile: f\nwhy: w\n--- original\n\n--- mutant\nx\n", "empty original")]
    [InlineData("stray\n## a\nfile: f\nwhy: w\n--- original\nx\n--- mutant\ny\n", "before the first")]
    [InlineData("## a b\nfile: f\nwhy: w\n--- original\nx\n--- mutant\ny\n", "one word")]
    public void Parser_rejects_malformed_blocks(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Catalog.Parse(text, "sys", "sys.txt"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_reports_duplicates_missing_files_and_ambiguous_snippets()
    {
        string dir = Directory.CreateTempSubdirectory("mutate-catalog-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "f.cs"), "a = 1;\nb = 1;\na = 1;\n");
            var ms = new[]
            {
                new Mutant("x", "s", "f.cs", "w", null, "b = 1;", "b = 2;", "s.txt", 1),
                new Mutant("x", "s", "f.cs", "w", null, "a = 1;", "a = 2;", "s.txt", 2),
                new Mutant("y", "s", "f.cs", "w", null, "c = 1;", "c = 2;", "s.txt", 3),
                new Mutant("z", "s", "g.cs", "w", null, "a", "b", "s.txt", 4),
            };
            IReadOnlyList<string> p = Catalog.Problems(ms, dir);
            Assert.Equal(4, p.Count);
            Assert.Contains(p, s => s.Contains("id x is used 2 times", StringComparison.Ordinal));
            Assert.Contains(p, s => s.Contains("x: the original snippet occurs 2 times", StringComparison.Ordinal));
            Assert.Contains(p, s => s.Contains("y: the original snippet occurs 0 times", StringComparison.Ordinal));
            Assert.Contains(p, s => s.Contains("z: g.cs does not exist", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Campaign_order_is_round_robin_over_systems_in_catalog_order()
    {
        static Mutant M(string id, string sys) => new(id, sys, "f", "why", null, "a", "b", sys + ".txt", 1);
        var ms = new[] { M("b1", "buffers"), M("b2", "buffers"), M("b3", "buffers"), M("d1", "dsa"), M("l1", "locks"), M("l2", "locks") };
        Assert.Equal(["b1", "d1", "l1", "b2", "l2", "b3"], Campaign.Order(ms).Select(m => m.Id));
        Assert.Equal(["b1", "d1", "l1", "b2", "l2"], Campaign.Order(ms, perSystem: 2).Select(m => m.Id));
    }
}
