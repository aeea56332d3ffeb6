// `harness explore --shard i/n`: with a strategy whose iterations are independent, n shards run
// between them exactly the iterations of the unsharded command, each once; so the first failing
// iteration of the unsharded run is found, at the same iteration number, by the shard that owns it.
// Strategies that learn across iterations (pct, dfs, portfolio) and the Coyote engine refuse to shard.
using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class ExploreShardTests : IDisposable
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());
    private readonly string _dir = TempDir.Create();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Explore(string scenario, params string[] extra) =>
        HarnessRun.Run(Systems, ["explore", scenario, "--seed", "5", "--artifacts", _dir, "--no-minimize", .. extra]);

    private static int Number(string output, string pattern) =>
        int.Parse(Regex.Match(output, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Shards_split_the_iterations_and_the_owner_finds_the_first_failure_at_the_same_iteration()
    {
        int total = 0;
        for (int i = 1; i <= 3; i++)
        {
            (int code, string output) = Explore("counter/bounded-increment", "--strategy", "random", "--iterations", "61", "--shard", $"{i}/3");
            Assert.True(code == 0, output);
            total += Number(output, @"explore: (\d+) iterations \(");
        }
        Assert.Equal(61, total);

        (int whole, string wholeOut) = Explore("counter/canary-unlocked-increment", "--strategy", "random", "--iterations", "300");
        Assert.True(whole == 1, wholeOut);
        int first = Number(wholeOut, @"of iteration (\d+) ");
        int owner = first % 3 + 1;
        (int shard, string shardOut) = Explore("counter/canary-unlocked-increment", "--strategy", "random", "--iterations", "300", "--shard", $"{owner}/3");
        Assert.True(shard == 1, shardOut);
        Assert.Equal(first, Number(shardOut, @"of iteration (\d+) "));
    }

    [Theory]
    [InlineData("pct")]
    [InlineData("dfs")]
    [InlineData("portfolio")]
    public void A_strategy_that_learns_across_iterations_refuses_to_shard(string strategy)
    {
        (int code, string output) = Explore("counter/bounded-increment", "--strategy", strategy, "--shard", "1/2");
        Assert.Equal(2, code);
        Assert.Contains("--shard needs our explorer", output);
    }
}
