// The proof that the engines are generic: a second system registered only here (CounterSystem)
// runs through property checking, fuzzing, exploration, the gate, artifacts and replay, by the
// same commands users type, with no change to any engine file; and each engine catches the
// system's planted bug. Commands run in-process through Program.Run with a registry that adds the
// counter to the built-in systems.
using System.Text.RegularExpressions;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Systems.Counter;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class SecondSystemTests
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());

    private static (int Code, string Output) Harness(SystemRegistry systems, params string[] args)
    {
        var w = new StringWriter();
        int code = global::Harness.Program.Run(args, w, w, systems);
        return (code, w.ToString());
    }

    private static (int Code, string Output) Harness(params string[] args) => Harness(Systems, args);

    private static string ReproPath(string output) => Regex.Match(output, @"harness repro (\S+\.json)").Groups[1].Value;

    [Fact]
    public void Systems_lists_the_counter_with_its_three_parts()
    {
        (int code, string output) = Harness("systems");
        Assert.Equal(0, code);
        Assert.Contains("counter: test-only", output);
        Assert.Contains("properties  properties model", output);
        Assert.Contains("fuzz target counter", output);
        Assert.Contains("scenarios bounded-increment", output);
    }

    [Fact]
    public void Properties_pass_on_the_port_and_catch_the_planted_bug_with_a_replayable_artifact()
    {
        string dir = TempDir.Create();
        try
        {
            (int ok, string okOut) = Harness("check", "counter", "--cases", "300", "--artifacts", dir);
            Assert.True(ok == 0, okOut);
            (int bad, string badOut) = Harness("check", "counter", "--cases", "300", "--canary", BoundedCounter.IncPastCap, "--checking", "on", "--artifacts", dir);
            Assert.True(bad == 1, badOut);
            Assert.Contains("invariant-failed [CT1]", badOut);
            string artifact = Path.Combine(dir, Directory.GetFiles(dir, "counter-model-on-*.json").Single());
            (int repro, string reproOut) = Harness("repro", artifact);
            Assert.True(repro == 0, reproOut);
            Assert.Contains("REPRODUCED: invariant-failed:CT1", reproOut);
            // Without the counter registered the same artifact is an input error naming the systems.
            (int unknown, string unknownOut) = Harness(SystemRegistry.Default, "repro", artifact);
            Assert.Equal(2, unknown);
            Assert.Contains("unknown system with properties 'counter'", unknownOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Fuzzing_passes_on_the_port_and_finds_the_planted_bug_which_replays()
    {
        string dir = TempDir.Create();
        try
        {
            (int ok, string okOut) = Harness("fuzz", "counter", "--no-instrument", "--seed", "3", "--execs", "3000", "--corpus", "none", "--out", Path.Combine(dir, "ok"));
            Assert.True(ok == 0, okOut);
            (int bad, string badOut) = Harness("fuzz", "counter", "--no-instrument", "--seed", "3", "--execs", "3000", "--corpus", "none",
                "--canary", BoundedCounter.IncPastCap, "--out", Path.Combine(dir, "bad"));
            Assert.True(bad == 1, badOut);
            Assert.Contains("finding invariant-failed:CT1", badOut);
            (int repro, string reproOut) = Harness("repro", ReproPath(badOut));
            Assert.True(repro == 0, reproOut);
            (int min, string minOut) = Harness("minimize", ReproPath(badOut), "--out", Path.Combine(dir, "min.json"));
            Assert.True(min == 0, minOut);
            Assert.Contains("-> 6 operations", minOut);   // Cap + 1 increments: the shortest failing input
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Exploration_passes_the_correct_scenario_and_catches_the_canary_which_replays()
    {
        string dir = TempDir.Create();
        try
        {
            (int ok, string okOut) = Harness("explore", "counter/bounded-increment", "--strategy", "random", "--iterations", "300", "--artifacts", dir);
            Assert.True(ok == 0, okOut);
            (int bad, string badOut) = Harness("explore", "canary-unlocked-increment", "--strategy", "random", "--iterations", "300", "--artifacts", dir);
            Assert.True(bad == 1, badOut);
            Assert.Contains("FAILURE: invariant-failed (final-count)", badOut);
            (int repro, string reproOut) = Harness("repro", ReproPath(badOut));
            Assert.True(repro == 0, reproOut);
            Assert.Contains("REPRODUCED: invariant-failed:final-count", reproOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Gate_runs_every_engine_on_the_counter_and_fails_when_its_port_is_broken()
    {
        string dir = TempDir.Create();
        try
        {
            string junit = Path.Combine(dir, "junit.xml");
            var counterOnly = new SystemRegistry([new CounterSystem()]);
            (int ok, string okOut) = Harness(counterOnly, "gate", "--repo", dir, "--junit", junit, "--artifacts", Path.Combine(dir, "a"));
            Assert.True(ok == 0, okOut);
            foreach (string name in new[] { "counter-model-checking-on", "counter/bounded-increment/pct", "canary:counter/canary-unlocked-increment/random", "burst-counter", "canary-counter-IncPastCap" })
                Assert.Contains($"name=\"{name}\"", File.ReadAllText(junit));

            var broken = new SystemRegistry([new CounterSystem(canaryOnByDefault: true)]);
            (int bad, string badOut) = Harness(broken, "gate", "--repo", dir, "--junit", junit, "--artifacts", Path.Combine(dir, "b"));
            Assert.True(bad == 1, badOut);
            Assert.Contains("FAIL properties/counter-model-checking-on", badOut);
            Assert.Contains("FAIL fuzz/burst-counter", badOut);
            Assert.Contains("FAIL explore/counter/bounded-increment/", badOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
