// `harness gate --shard i/n` and `harness merge`: n shards together run exactly the cases one
// unsharded gate runs, each once, with the same outcome (the counter system, whose every engine
// part is fast), and merge refuses reports that are not the n parts of one gate (SM2-SM4).
using Harness.Cli;
using System.Xml.Linq;
using Harness.Core;
using Harness.Gate;
using Harness.Tests.Systems.Counter;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Gate;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class GateShardTests
{
    private static readonly SystemRegistry CounterOnly = new([new CounterSystem()]);

    private static (int Code, string Output) Harness(SystemRegistry systems, params string[] args) => HarnessRun.Run(systems, args);

    private static string[] Cases(string junit) =>
        XDocument.Load(junit).Descendants("testcase")
            .Select(t => $"{(string?)t.Attribute("classname")}/{(string?)t.Attribute("name")}:{(t.Element("failure") is null ? "pass" : "fail")}")
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every case's reach properties ("case property=hits/runs"), in order.</summary>
    private static string[] Reach(string junit) =>
        XDocument.Load(junit).Descendants("testcase")
            .SelectMany(t => t.Element("properties")?.Elements("property").Select(p => $"{(string?)t.Attribute("name")} {(string?)p.Attribute("name")}={(string?)p.Attribute("value")}") ?? [])
            .Order(StringComparer.Ordinal).ToArray();

    private static string? Unreached(string junit) =>
        (string?)XDocument.Load(junit).Root!.Element("properties")!.Elements("property").Single(p => (string?)p.Attribute("name") == "unreached").Attribute("value");

    private static string Gate(string dir, string file, bool broken, params string[] extra)
    {
        string junit = Path.Combine(dir, file);
        var systems = broken ? new SystemRegistry([new CounterSystem(canaryOnByDefault: true)]) : CounterOnly;
        (int code, string output) = Harness(systems, ["gate", "--repo", dir, "--junit", junit, "--artifacts", Path.Combine(dir, file + ".a"), .. extra]);
        Assert.True(code == (broken ? 1 : 0), output);
        return junit;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_shards_merged_are_the_unsharded_gate(bool broken)
    {
        string dir = TempDir.Create();
        try
        {
            string whole = Gate(dir, "whole.xml", broken);
            string[] shards = [.. Enumerable.Range(1, 3).Select(i => Gate(dir, $"s{i}.xml", broken, "--shard", $"{i}/3"))];
            // each shard ran something, and no shard ran everything (the partition is not degenerate)
            foreach (string s in shards) Assert.InRange(Cases(s).Length, 1, Cases(whole).Length - 1);

            string merged = Path.Combine(dir, "merged.xml");
            (int code, string output) = Harness(CounterOnly, ["merge", merged, shards[2], shards[0], shards[1]]);
            Assert.True(code == (broken ? 1 : 0), output);
            Assert.Equal(Cases(whole), Cases(merged));
            // the reach counts travel with their cases (same seeds in any shard), and the run's unreached goals are the whole gate's
            Assert.Equal(Reach(whole), Reach(merged));
            Assert.NotEmpty(Reach(whole));
            Assert.Equal(Unreached(whole), Unreached(merged));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Merge_refuses_a_missing_shard_a_foreign_seed_and_a_duplicate()
    {
        string dir = TempDir.Create();
        try
        {
            string s1 = Gate(dir, "s1.xml", false, "--shard", "1/2");
            string s2 = Gate(dir, "s2.xml", false, "--shard", "2/2");
            string other = Gate(dir, "o2.xml", false, "--shard", "2/2", "--seed", "7");
            string whole = Gate(dir, "whole.xml", false);

            (int missing, string missingOut) = Harness(CounterOnly, "merge", Path.Combine(dir, "m.xml"), s1);
            Assert.Equal(ExitCodes.BadInput, missing);
            Assert.Contains("SM3: shard 2/2 appears 0 times", missingOut);

            (int foreign, string foreignOut) = Harness(CounterOnly, "merge", Path.Combine(dir, "m.xml"), s1, other);
            Assert.Equal(ExitCodes.BadInput, foreign);
            Assert.Contains("SM2:", foreignOut);

            (int twice, string twiceOut) = Harness(CounterOnly, "merge", Path.Combine(dir, "m.xml"), s1, s2, s2);
            Assert.Equal(ExitCodes.BadInput, twice);
            Assert.Contains("SM3: shard 2/2 appears 2 times", twiceOut);

            // a whole (1/1) report is not shard 1 of 2
            (int mixed, string mixedOut) = Harness(CounterOnly, "merge", Path.Combine(dir, "m.xml"), whole, s2);
            Assert.Equal(ExitCodes.BadInput, mixed);
            Assert.Contains("SM2:", mixedOut);

            File.WriteAllText(Path.Combine(dir, "bad.xml"), "<testsuites><testsuite");
            (int bad, string badOut) = Harness(CounterOnly, "merge", Path.Combine(dir, "m.xml"), Path.Combine(dir, "bad.xml"));
            Assert.Equal(ExitCodes.BadInput, bad);
            Assert.Contains("not a readable JUnit report", badOut);
            Assert.False(File.Exists(Path.Combine(dir, "m.xml")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("1/0")]
    [InlineData("a/b")]
    [InlineData("1")]
    public void A_bad_shard_is_a_usage_error(string shard)
    {
        (int code, string output) = Harness(CounterOnly, "gate", "--shard", shard, "--junit", Path.Combine(Path.GetTempPath(), "never.xml"));
        Assert.Equal(2, code);
        Assert.Contains("--shard wants i/n", output);
    }

    [Fact]
    public void Owns_is_a_partition_of_case_names()
    {
        string[] names = [.. Enumerable.Range(0, 500).Select(i => $"case-{i}")];
        foreach (int n in new[] { 1, 2, 3, 7 })
            foreach (string name in names)
                Assert.Equal(1, Enumerable.Range(1, n).Count(i => new GateShard(i, n).Owns("suite", name)));
    }
}
