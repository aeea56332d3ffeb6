// Golden vectors from PostgreSQL's own memory contexts (tools/pg-golden/mmgr: driver.c run on
// mcxt.c, aset.c, generation.c, slab.c, bump.c and alignedalloc.c by generate.sh, committed under
// this folder's prod/ and chk/): every op of every vector is replayed on the port, which must print
// exactly what the C code printed: each op's result (pointer offset, NULL, ERROR text), every
// context's stats counters and mem_allocated, every live chunk's offset and GetMemoryChunkSpace,
// the heap's live blocks and bytes, and the Stats op's per-context stats strings.
using Harness.Systems.Mmgr.Golden;
using Harness.Systems.Mmgr.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Golden;

public sealed class GoldenVectorTests
{
    private static string Dir(string build) => Path.Combine(AppContext.BaseDirectory, "Systems", "Mmgr", "Golden", build);

    public static TheoryData<string, string> Vectors()
    {
        var d = new TheoryData<string, string>();
        foreach ((string build, _) in GoldenVectors.Builds)
            foreach (string f in Directory.GetFiles(Dir(build), "*.txt").Order(StringComparer.Ordinal))
                d.Add(build, Path.GetFileName(f));
        return d;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Port_prints_what_PostgreSQL_printed(string build, string file)
    {
        string? diff = GoldenVectors.ReplayFile(Path.Combine(Dir(build), file));
        Assert.True(diff is null, $"{build}/{file}: {diff}");
    }

    [Fact]
    public void Both_builds_hold_the_same_streams_and_enough_of_them()
    {
        string[] prod = Directory.GetFiles(Dir("prod"), "*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        string[] chk = Directory.GetFiles(Dir("chk"), "*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(prod, chk);
        Assert.True(prod.Length >= 100, $"only {prod.Length} vectors per build");
    }

    /// <summary>The committed vectors are what GoldenStreams writes today (so generate.sh
    /// reproduces them): each file's op lines are exactly its seed's stream.</summary>
    [Fact]
    public void Committed_ops_are_the_generators_streams()
    {
        foreach (string f in Directory.GetFiles(Dir("chk"), "*.txt"))
        {
            string name = Path.GetFileNameWithoutExtension(f);
            ulong seed = ulong.Parse(name[(name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(GoldenStreams.NameOf(seed), name);
            var (_, ops) = GoldenVectors.Load(File.ReadAllText(f));
            Assert.Equal(GoldenStreams.Generate(seed, GoldenSet.OpsPerStream), ops);
        }
    }

    /// <summary>The vectors reach what they are meant to pin: every context type, large chunks,
    /// ERRORs, NULL returns, out-of-memory, resets of every kind, aligned chunks, stats text.</summary>
    [Fact]
    public void Vectors_cover_the_interesting_cases()
    {
        string all = string.Concat(Directory.GetFiles(Dir("chk"), "*.txt").Select(File.ReadAllText));
        foreach (string needle in new[]
        {
            "kind=AllocSet", "kind=Generation", "kind=Slab", "kind=Bump", "entry=AllocAligned", "entry=Repalloc0",
            "= null", "ERROR out of memory", "ERROR invalid memory alloc request size", "ERROR unexpected alloc chunk size",
            "ERROR pfree is not supported by the bump memory allocator", "\nReset ", "\nResetOnly ", "\nResetChildren ",
            "\nDelete ", "\nSetParent ", "\nSwitchTo ", "  stats TopMemoryContext:", "empty blocks",
        })
            Assert.Contains(needle, all, StringComparison.Ordinal);
    }

    /// <summary>The comparison has teeth: one changed figure in a vector is reported at its line.</summary>
    [Fact]
    public void A_changed_figure_is_a_difference()
    {
        string f = Directory.GetFiles(Dir("chk"), "aset-default-*.txt").Order(StringComparer.Ordinal).First();
        var (expected, ops) = GoldenVectors.Load(File.ReadAllText(f));
        string actual = new GoldenReplayer(checking: true).Run(ops);
        Assert.Null(GoldenVectors.FirstDifference(expected, actual));
        int at = expected.IndexOf("  heap ", StringComparison.Ordinal);
        string tampered = expected[..at] + "  heap 999 " + expected[(expected.IndexOf(' ', at + 7) + 1)..];
        string? diff = GoldenVectors.FirstDifference(tampered, actual);
        Assert.NotNull(diff);
        Assert.Contains("heap 999", diff, StringComparison.Ordinal);
        // and the other build's replay of the same ops prints something else (8-byte headers)
        Assert.NotNull(GoldenVectors.FirstDifference(expected, new GoldenReplayer(checking: false).Run(ops)));
    }
}
