// `harness check --shard i/n`: the shards' property runs (with their seeds and case counts) are
// exactly the unsharded command's, each in one shard; --replay refuses to shard.
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Cli;

public sealed class CheckShardTests
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());

    private static (int Code, string Output) Run(params string[] args)
    {
        var w = new StringWriter();
        int code = global::Harness.Program.Run(args, w, w, Systems);
        return (code, w.ToString());
    }

    private static List<string> RunLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => Regex.IsMatch(l, @"^  (PASS|FAIL) ")).Select(l => Regex.Replace(l, @": \d+ cases in .*$", "")).ToList();

    [Theory]
    [InlineData("counter", 2)]
    [InlineData("mmgr", 3)]
    public void Shards_TogetherRunExactlyTheUnshardedRuns(string system, int n)
    {
        string dir = TempDir.Create();
        try
        {
            string[] common = ["check", system, "--cases", "20", "--ops", "8", "--seed", "11", "--progress", "none", "--artifacts", dir];
            (int code, string all) = Run(common);
            Assert.True(code == 0, all);
            List<string> expected = RunLines(all);
            Assert.True(expected.Count >= n, all);
            var union = new List<string>();
            for (int i = 1; i <= n; i++)
            {
                (int c, string part) = Run([.. common, "--shard", $"{i}/{n}"]);
                Assert.True(c == 0, part);
                Assert.Contains($"shard {i}/{n} ran", part);
                union.AddRange(RunLines(part));
            }
            Assert.Equal(expected.Order(StringComparer.Ordinal), union.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Replay_RefusesToShard()
    {
        (int code, string output) = Run("check", "counter", "--replay", "1,2", "--shard", "1/2", "--progress", "none");
        Assert.Equal(2, code);
        Assert.Contains("nothing to shard", output);
    }
}
