// How the campaign reads a gate report: which engine and which oracle a failing case names, and
// the results.tsv line a mutant leaves behind.
using Mutate;
using Xunit;

namespace Harness.Tests.Mutation;

public class GateVerdictTests
{
    [Theory]
    [InlineData("properties", "mmgr-model-checking-on", "FAILED after 12 cases: invariant-failed [AS6] at op 3: AS6: nextBlockSize 1 (shrunk 9 -> 2 ops)", "property", "invariant-failed:AS6")]
    [InlineData("properties", "buffers-model-checking-off", "FAILED after 3 cases: model-mismatch [checkpoint/left-dirty] at op 1: after ...", "property", "model-mismatch:checkpoint/left-dirty")]
    [InlineData("explore", "locks/lwlock-shared-exclusive/pct", "FALSE ALARM or real bug: lost-wakeup:sem at iteration 4: nothing can run; artifact x.json", "explore/pct", "lost-wakeup:sem")]
    [InlineData("explore", "buffers/victim-race/coyote:prioritization", "FALSE ALARM or real bug: deadlock:cycle at iteration 0: ...", "explore/coyote", "deadlock:cycle")]
    [InlineData("explore", "canary:locks/canary-opposite-lock-order/dfs", "canary not caught in 200 iterations", "explore-canary/dfs", "canary-lost")]
    [InlineData("fuzz", "burst-mmgr", "300000 execs, corpus 1, features 2, findings 1; fault:read at op 7: address 0x10 unmapped", "fuzz", "fault:read")]
    [InlineData("fuzz", "canary-dsa-PutForgetsNextMerge", "planted bug NOT found in 2000 execs", "fuzz-canary", "canary-lost")]
    [InlineData("properties", "canary-buffers-DropSkipsDirty", "planted bug caught with the WRONG kind: fault ...", "property-canary", "canary-wrong-kind")]
    [InlineData("fuzz", "replay", "1 of 49 misbehave: fuzz/corpus/mmgr/x: expected ok, got invariant-failed:AS3", "replay", "invariant-failed:AS3")]
    [InlineData("fuzz", "replay", "1 of 49 misbehave: fuzz/corpus/mmgr/x: outcome differs", "replay", "replay-diverged")]
    [InlineData("explore", "locks/x/random", "random crashed: NullReferenceException: boom", "explore/random", "crash:host-exception")]
    [InlineData("replay", "corpus:mmgr", "1 of 15 misbehave: fuzz/corpus/mmgr/x: invariant-failed:AS3 at op 2: AS3", "replay", "invariant-failed:AS3")]
    [InlineData("replay", "regression:mmgr/canary-freelist-index-off-by-one.json", "NOT reproduced: ok at step -1: ok", "replay", "replay-diverged")]
    [InlineData("golden", "dsa-vectors", "1 of 58 vectors differ; first fpm-FRAGMENTED-2000-12.txt: line 255, op 254 'put 1128 3 | depth=1 recycle=2': PostgreSQL 'put 1128 3 | depth=1 recycle=2', port 'put 1128 3 | depth=1 recycle=3'", "golden", "golden-diverged")]
    [InlineData("golden", "dsa-vectors", "2 of 58 vectors differ; first fpm-FULL-16-2.txt: line 9, op 8 'put 4 2 | depth=1': PostgreSQL 'put 4 2 | depth=1', port 'put 4 2 = CRASH AssertionFailureException: TRAP'", "golden", "golden-crash")]
    public void Engine_and_oracle_of_a_failing_case(string suite, string name, string message, string engine, string oracle)
    {
        Assert.Equal(engine, GateVerdict.Engine(suite, name));
        Assert.Equal(oracle, GateVerdict.Oracle(name, message));
    }

    [Fact]
    public void Reads_failing_cases_in_gate_order_with_the_time_spent_until_each()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("mutate-junit-").FullName, "junit.xml");
        File.WriteAllText(path, """
            <?xml version="1.0" encoding="utf-8"?>
            <testsuites name="harness gate" tests="3" failures="2">
              <testsuite name="explore" tests="2" failures="1" time="3.000">
                <testcase classname="explore" name="locks/a/pct" time="1.000"><system-out>ok</system-out></testcase>
                <testcase classname="explore" name="locks/a/dfs" time="2.000"><system-out>x</system-out>
                  <failure message="FALSE ALARM or real bug: invariant-failed:LW6 at iteration 2: LW6">x</failure></testcase>
              </testsuite>
              <testsuite name="properties" tests="1" failures="1" time="0.500">
                <testcase classname="properties" name="mmgr-model-checking-on" time="0.500"><system-out>x</system-out>
                  <failure message="FAILED after 1 cases: leak [heap] at op 2: 1 block">x</failure></testcase>
              </testsuite>
            </testsuites>
            """);
        try
        {
            IReadOnlyList<Kill> kills = GateVerdict.Read(path);
            Assert.Equal(2, kills.Count);
            Assert.Equal(("explore/dfs", "invariant-failed:LW6", 3.0), (kills[0].Engine, kills[0].Oracle, kills[0].SecondsIn));
            Assert.Equal(("property", "leak:heap", 3.5), (kills[1].Engine, kills[1].Oracle, kills[1].SecondsIn));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_result_line_round_trips()
    {
        var r = new MutantResult("m-1", "locks", Status.Killed, 61.25, 93.5, 12.0, ["explore/pct", "property"], ["deadlock:cycle"], "explore/locks/a/pct deadlock:cycle", "tab\there");
        MutantResult back = MutantResult.FromTsv(r.ToTsv());
        Assert.Equal(("m-1", "locks", Status.Killed, 12.0), (back.Id, back.System, back.Status, back.SecondsToKill));
        Assert.Equal(r.Engines, back.Engines);
        Assert.Equal(r.Oracles, back.Oracles);
        Assert.Equal("tab here", back.Detail);
        Assert.True(back.IsKill);
        var s = MutantResult.FromTsv(new MutantResult("s", "dsa", Status.Survived, 1, 2, null, [], [], "", "").ToTsv());
        Assert.Null(s.SecondsToKill);
        Assert.False(s.IsKill);
        Assert.Empty(s.Engines);
    }
}
