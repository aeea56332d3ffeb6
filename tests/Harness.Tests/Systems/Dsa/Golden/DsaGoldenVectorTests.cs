// Golden vectors of the dsa system (tools/pg-golden/fpm on PostgreSQL's freepage.c, committed under
// this folder's fpm/): every vector is replayed on the port, which must print exactly what the C
// code printed; and the gate's golden suite finds the set and replays it.
using Harness.Cli;
using Harness.Core;
using Harness.Gate;
using Harness.Systems.Dsa;
using Harness.Systems.Dsa.Golden;
using Xunit;

namespace Harness.Tests.Systems.Dsa.Golden;

public sealed class DsaGoldenVectorTests
{
    private static string Dir(string kind) => Path.Combine(AppContext.BaseDirectory, "Systems", "Dsa", "Golden", kind);

    public static TheoryData<string, string> Vectors()
    {
        var d = new TheoryData<string, string>();
        foreach (string kind in new[] { "fpm" })
            foreach (string f in Directory.GetFiles(Dir(kind), "*.txt").Order(StringComparer.Ordinal))
                d.Add(kind, Path.GetFileName(f));
        return d;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Port_prints_what_PostgreSQL_printed(string kind, string file)
    {
        string? diff = DsaGoldenSet.ReplayFile(Path.Combine(Dir(kind), file));
        Assert.True(diff is null, $"{kind}/{file}: {diff}");
    }

    [Fact]
    public void Fpm_vectors_cover_every_start_a_two_level_btree_and_failing_gets()
    {
        string[] files = Directory.GetFiles(Dir("fpm"), "fpm-*.txt");
        Assert.True(files.Length >= 16, $"{files.Length} vectors");
        foreach (string start in new[] { "EMPTY", "FULL", "FRAGMENTED" })
            Assert.Contains(files, f => Path.GetFileName(f).StartsWith($"fpm-{start}-", StringComparison.Ordinal));
        Assert.Contains(files, f => File.ReadLines(f).Any(l => l.Contains("depth=2", StringComparison.Ordinal)));
        Assert.Contains(files, f => File.ReadLines(f).Any(l => l.Contains("= none", StringComparison.Ordinal)));
    }

    /// <summary>The comparison has teeth: one changed page number in a vector is a difference.</summary>
    [Fact]
    public void A_changed_fpm_figure_is_a_difference()
    {
        string f = Directory.GetFiles(Dir("fpm"), "fpm-EMPTY-*.txt").Order(StringComparer.Ordinal).First();
        string text = File.ReadAllText(f);
        int at = text.IndexOf(" contig=", StringComparison.Ordinal) + " contig=".Length;
        string changed = text[..at] + "9" + text[at..];
        var (expected, port) = FpmGoldenReplayer.Run(changed);
        Assert.NotNull(GoldenText.FirstDifference(expected, port));
    }

    /// <summary>The dsa system registers the set, and `harness gate --suite golden --systems dsa`
    /// replays every committed vector of it and passes.</summary>
    [Fact]
    public void The_gate_replays_the_dsa_golden_set()
    {
        ISystem dsa = new DsaSystem();
        GoldenVectorSet set = Assert.Single(dsa.Parts.OfType<GoldenVectorSet>());
        Assert.Equal(DsaGoldenSet.Folder, set.Folder);
        var options = new GateOptions(1, 1, RepoRoot.Find(), Path.GetTempPath(), SystemRegistry.Default, Only: [dsa]);
        GateResult r = Assert.Single(new GoldenGateSuite().Run(options, TextWriter.Null));
        Assert.Equal("dsa-vectors", r.Name);
        Assert.True(r.Passed, r.Summary);
        int committed = Directory.GetFiles(Path.Combine(RepoRoot.Find(), set.Folder), "*.txt", SearchOption.AllDirectories).Length;
        Assert.Equal($"{committed} vectors replayed, all identical", r.Summary);
    }
}
