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
    public void Parser_reads_the_gate_systems_directive_and_the_runner_turns_it_into_gate_arguments()
    {
        const string text = "# comment\n# gate-systems: mmgr, dsa\n\n## one\nfile: src/a.cs\nwhy: because\n--- original\nx\n--- mutant\ny\n";
        Mutant m = Catalog.Parse(text, "sys", "sys.txt").Single();
        Assert.Equal(["mmgr", "dsa"], m.GateSystems);
        Assert.Equal(["--scale", "2", "--systems", "mmgr,dsa"], Mutate.Program.GateArgsFor(m, ["--scale", "2"], wholeGate: false));
        Assert.Equal(["--scale", "2"], Mutate.Program.GateArgsFor(m, ["--scale", "2"], wholeGate: true));
        Assert.Equal(["--systems", "locks"], Mutate.Program.GateArgsFor(m, ["--systems", "locks"], wholeGate: false));
        Assert.Null(Catalog.Parse("## one\nfile: f\nwhy: w\n--- original\nx\n--- mutant\ny\n", "sys", "sys.txt").Single().GateSystems);
        Assert.Throws<FormatException>(() => Catalog.Parse("# gate-systems: a\n# gate-systems: b\n", "sys", "sys.txt"));
        Assert.Throws<FormatException>(() => Catalog.Parse("# gate-systems: ,\n", "sys", "sys.txt"));
    }

    /// <summary>The claim behind a gate-systems directive: no other system can run the mutated code.
    /// A system runs what its harness folder (src/Harness/Systems/&lt;System&gt;) and the shared
    /// harness code reference, and everything those parts of src/Allocator reference in turn; the
    /// mutated file's namespace (its folder under src/Allocator) must be outside that closure for
    /// every system the directive leaves out.</summary>
    [Fact]
    public void A_gate_systems_directive_leaves_out_only_systems_that_cannot_run_the_mutated_code()
    {
        var refs = new System.Text.RegularExpressions.Regex(@"\bAllocator\.([A-Z][A-Za-z]+)");
        HashSet<string> Referenced(IEnumerable<string> files) =>
            files.SelectMany(f => refs.Matches(File.ReadAllText(f)).Select(x => x.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        string harness = Path.Combine(s_root, "src", "Harness"), allocator = Path.Combine(s_root, "src", "Allocator");
        string[] shared = Directory.GetFiles(harness, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(harness, f).StartsWith("Systems", StringComparison.Ordinal)).ToArray();
        HashSet<string> Closure(ISystem system)
        {
            string folder = Directory.GetDirectories(Path.Combine(harness, "Systems"))
                .Single(d => string.Equals(Path.GetFileName(d), system.Name, StringComparison.OrdinalIgnoreCase));
            HashSet<string> seen = Referenced(shared.Concat(Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)));
            var todo = new Queue<string>(seen);
            while (todo.TryDequeue(out string? ns))
            {
                string dir = Path.Combine(allocator, ns);
                if (!Directory.Exists(dir)) continue;
                foreach (string next in Referenced(Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)))
                    if (seen.Add(next)) todo.Enqueue(next);
            }
            return seen;
        }
        Dictionary<string, HashSet<string>> closures = SystemRegistry.Default.Systems.ToDictionary(x => x.Name, Closure, StringComparer.Ordinal);
        IReadOnlyList<Mutant> gated = Load().Where(m => m.GateSystems is not null).ToList();
        Assert.NotEmpty(gated);
        foreach (Mutant m in gated)
        {
            foreach (string s in m.GateSystems!) Assert.Contains(SystemRegistry.Default.Systems, x => x.Name == s);
            string ns = m.File.Split('/')[2];   // src/Allocator/<Namespace>/...
            foreach (ISystem other in SystemRegistry.Default.Systems.Where(x => !m.GateSystems!.Contains(x.Name)))
                Assert.False(closures[other.Name].Contains(ns), $"{m.Id} mutates Allocator.{ns}, which system {other.Name} runs, but {m.Catalog} gates only {string.Join(",", m.GateSystems!)}");
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
