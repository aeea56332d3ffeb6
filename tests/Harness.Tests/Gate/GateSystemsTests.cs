// `harness gate --systems`: a gate of some systems runs only their cases, in every suite, and still
// recognises the saved artifacts and corpus folders of the others (it neither replays them nor calls
// them unclaimed). The test system (CounterSystem) is gated alone next to the built-in ones.
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Gate;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class GateSystemsTests
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());

    [Fact]
    public void A_gate_of_one_system_runs_only_its_cases_in_every_suite()
    {
        string dir = TempDir.Create();
        try
        {
            // a saved artifact and a corpus folder of another system: recognised, not replayed
            Directory.CreateDirectory(Path.Combine(dir, "fuzz", "regressions", "mmgr"));
            File.WriteAllText(Path.Combine(dir, "fuzz", "regressions", "mmgr", "not-json-at-all.json"), "{ broken");
            Directory.CreateDirectory(Path.Combine(dir, "fuzz", "corpus", "mmgr"));
            (int code, string output) = HarnessRun.Run(Systems, "gate", "--systems", "counter", "--repo", dir,
                "--junit", Path.Combine(dir, "gate", "junit.xml"), "--artifacts", Path.Combine(dir, "gate", "a"), "--progress", "none");
            Assert.True(code == 0, output);
            Assert.Contains("systems=counter", output);
            string[] cases = output.Split('\n').Where(l => l.TrimStart().StartsWith("PASS ", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(cases);
            // every case is the counter's, but the repository-wide check that every corpus and
            // regression folder belongs to a registered system (which the mmgr folders pass)
            Assert.Contains(cases, c => c.Contains("PASS replay/folders", StringComparison.Ordinal));
            Assert.All(cases.Where(c => !c.Contains("PASS replay/folders", StringComparison.Ordinal)), c => Assert.Contains("counter", c));
            // the counter has cases in the property, fuzz and explore suites
            Assert.Contains(cases, c => c.Contains("PASS properties/", StringComparison.Ordinal));
            Assert.Contains(cases, c => c.Contains("PASS fuzz/", StringComparison.Ordinal));
            Assert.Contains(cases, c => c.Contains("PASS explore/", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData(",")]
    public void An_unknown_or_empty_system_list_is_a_usage_error(string systems)
    {
        (int code, string output) = HarnessRun.Run(Systems, "gate", "--systems", systems, "--progress", "none");
        Assert.True(code == 2, output);
    }
}
