// Golden vectors from PostgreSQL's own freepage.c (tools/pg-golden/fpm: golden.c run on the C code
// by generate.sh, committed under Dsa/Golden): every operation of every vector is replayed on the
// port, which must return the same result (the same first page for a Get, or failure) and leave the
// same observable fields (the C build is a normal one, without FPM_EXTRA_ASSERTS, and so is the
// port's layout here): btree depth, recycle-list count, singleton run, contiguous_pages and its
// dirty flag. The walker runs every 50 operations and at the end. This pins the port to
// PostgreSQL's policies (which run a Get picks, when the btree grows and shrinks, when the largest
// run is recomputed), not only to memory safety: a port that drifts while staying correct fails.
using System.Globalization;
using Allocator.Dsa;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Dsa;

public sealed class FpmGoldenTests
{
    private static string GoldenDir => Path.Combine(AppContext.BaseDirectory, "Dsa", "Golden");

    public static TheoryData<string> Vectors()
    {
        var d = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(GoldenDir, "fpm-*.txt").Order(StringComparer.Ordinal)) d.Add(Path.GetFileName(f));
        return d;
    }

    [Fact]
    public void There_are_vectors_of_every_start_and_a_two_level_btree()
    {
        string[] files = Directory.GetFiles(GoldenDir, "fpm-*.txt");
        Assert.True(files.Length >= 16, $"{files.Length} vectors");
        foreach (string start in new[] { "EMPTY", "FULL", "FRAGMENTED" })
            Assert.Contains(files, f => Path.GetFileName(f).StartsWith($"fpm-{start}-", StringComparison.Ordinal));
        Assert.Contains(files, f => File.ReadLines(f).Any(l => l.Contains("depth=2", StringComparison.Ordinal)));
        Assert.Contains(files, f => File.ReadLines(f).Any(l => l.Contains("= none", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_port_replays_PostgreSQLs_vector(string file)
    {
        string[] lines = File.ReadAllLines(Path.Combine(GoldenDir, file));
        string[] header = lines[0].Split(' ');
        Assert.Equal("golden", header[1]);
        ulong pages = ulong.Parse(header[3], CultureInfo.InvariantCulture);
        var m = new SimMemory(heapMax: 1 << 20, initialHeapCapacity: 4096);
        SimRegion region = m.MapRegion("fpm", pages * FpmLayout.FPM_PAGE_SIZE);
        FreePageManager fpm = FreePageManager.Initialize(m, region.Base, region.Base, FpmLayout.For(PointerProfile.Bits64, extraAsserts: false));
        for (int i = 1; i < lines.Length; i++)
        {
            string[] parts = lines[i].Split(" | ");
            string[] op = parts[0].Split(' ');
            string actual;
            if (op[0] == "put")
            {
                fpm.Put(ulong.Parse(op[1], CultureInfo.InvariantCulture), ulong.Parse(op[2], CultureInfo.InvariantCulture));
                actual = parts[0];
            }
            else
            {
                ulong n = ulong.Parse(op[1], CultureInfo.InvariantCulture);
                actual = fpm.Get(n, out ulong first) ? $"get {n} = {first}" : $"get {n} = none";
            }
            actual += string.Create(CultureInfo.InvariantCulture,
                $" | depth={fpm.btree_depth} recycle={fpm.btree_recycle_count} single={fpm.singleton_first_page}+{fpm.singleton_npages} contig={fpm.contiguous_pages} dirty={(fpm.contiguous_pages_dirty ? 1 : 0)}");
            Assert.True(actual == lines[i], $"{file} line {i + 1}:\n  PostgreSQL: {lines[i]}\n  the port:   {actual}");
            if (i % 50 == 0 || i == lines.Length - 1)
            {
                List<string> v = FreePageManagerCheck.Check(fpm, new FpmCheckOptions());
                Assert.True(v.Count == 0, $"{file} line {i + 1}: " + string.Join("; ", v));
            }
        }
    }
}
