// Golden vectors of the dsa system (tools/pg-golden/fpm on PostgreSQL's freepage.c, committed under
// this folder's fpm/; tools/pg-golden/dsa on dsa.c + freepage.c, under dsa/): every vector is
// replayed on the port, which must print exactly what the C code printed; the dsa vectors are the
// generator's streams and reach what they are meant to pin; and the gate's golden suite finds the
// set and replays it.
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
        foreach (string kind in new[] { "fpm", "dsa" })
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

    /// <summary>The committed dsa vectors are what DsaGoldenStreams writes today (so generate.sh
    /// reproduces them): each file's header and op lines are exactly its seed's stream.</summary>
    [Fact]
    public void Committed_dsa_ops_are_the_generators_streams()
    {
        string[] files = Directory.GetFiles(Dir("dsa"), "*.txt");
        Assert.True(files.Length >= 6 * 4, $"only {files.Length} dsa vectors");
        foreach (string f in files)
        {
            string name = Path.GetFileNameWithoutExtension(f);
            ulong seed = ulong.Parse(name[(name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(DsaGoldenStreams.NameOf(seed), name);
            string ops = string.Concat(File.ReadLines(f).Where(l => l.Length > 0 && l[0] != ' ').Select(l => l + "\n"));
            Assert.Equal(DsaGoldenStreams.Text(seed), ops);
        }
    }

    /// <summary>The dsa vectors reach what they pin: every size class, large spans, ERRORs and
    /// NO_OOM's invalid pointer, spans in every fullness class, segments in several bins, many
    /// segments (index 10 and up), a segment given back (fewer segments after more).</summary>
    [Fact]
    public void Dsa_vectors_cover_the_interesting_cases()
    {
        string all = string.Concat(Directory.GetFiles(Dir("dsa"), "*.txt").Select(File.ReadAllText));
        foreach (string needle in new[]
        {
            "(object size 8 bytes)", "(object size 8192 bytes)", "pool for large object spans", "= invalid",
            "= ERROR out of memory; Failed on DSA request of size", "= ERROR invalid DSA memory alloc request size",
            "fullness class 0:", "fullness class 2:", "fullness class 3:", "segment bin 0 (", "segment bin 1 (", "segment bin 10 (",
            "segment index 10,", "\nb0 trim\n",
        })
            Assert.Contains(needle, all, StringComparison.Ordinal);
        for (int sc = 2; sc < Allocator.Dsa.DsaLayout.Wide.Classes.DSA_NUM_SIZE_CLASSES; sc++)
            Assert.Contains($"pool for size class {sc} (", all, StringComparison.Ordinal);
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

    /// <summary>The dsa comparison has teeth: another span count in one dump line is a difference
    /// at that line, and so is a dsa_pointer result.</summary>
    [Fact]
    public void A_changed_dsa_figure_is_a_difference()
    {
        string f = Directory.GetFiles(Dir("dsa"), "classes-*.txt").Order(StringComparer.Ordinal).First();
        string text = File.ReadAllText(f);
        foreach (string needle in new[] { ", objects free = ", "\n  = 0000" })
        {
            int at = text.IndexOf(needle, StringComparison.Ordinal) + needle.Length;
            string changed = text[..at] + "1" + text[at..];
            var (expected, port) = DsaGoldenReplayer.Run(changed);
            string? diff = GoldenText.FirstDifference(expected, port);
            Assert.NotNull(diff);
            int line = text[..at].Count(c => c == '\n');
            Assert.StartsWith($"line {line}, ", diff, StringComparison.Ordinal);
        }
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
