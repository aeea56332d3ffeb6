// The artifact format across versions: version 2 round-trips the one outcome vocabulary; every
// version-1 shape (the fuzzer's enum class with config["site"], the property engine's "[site]"
// reason prefix, the explorer's "kind:site:" prefix) is read into it; an unknown version or
// outcome kind is a clear ArtifactFormatException naming what is wrong.
using Harness.Artifacts;
using Harness.Core;
using Xunit;

namespace Harness.Tests.Artifacts;

public sealed class ReproArtifactVersionTests
{
    private static string Version1(string engine, string cls, string reason, string config = "{}") => $$"""
        { "format": "pgmem-repro", "version": 1, "engine": "{{engine}}", "target": "t", "seed": "7",
          "config": {{config}}, "outcome": { "class": "{{cls}}", "step": 3, "reason": "{{reason}}" },
          "payload": { "kind": "bytes", "data": "", "readable": [] } }
        """;

    [Fact]
    public void Version2_round_trips_kind_site_and_step()
    {
        var a = new ReproArtifact("fuzz", "mmgr", 9, new Dictionary<string, string>(),
            ArtifactOutcome.Of(new Outcome(OutcomeKind.LostWakeup, 12, "lost-wakeup", "nobody woke backend 1")),
            new ArtifactPayload("bytes", "", []));
        ReproArtifact b = ReproArtifact.Parse(a.ToJson());
        Assert.Contains("\"version\": 2", a.ToJson());
        Assert.Contains("\"kind\": \"lost-wakeup\"", a.ToJson());
        Assert.Equal(a.Outcome, b.Outcome);
    }

    [Theory]
    [InlineData("fuzz", "InvariantFailure", "TRAP", """{ "site": "Realloc/assert" }""", OutcomeKind.InvariantFailed, "Realloc/assert")]
    [InlineData("fuzz", "SimFault", "wild read", """{ "site": "pfree/read" }""", OutcomeKind.Fault, "pfree/read")]
    [InlineData("fuzz", "UnexpectedError", "ERROR", """{ "site": "palloc/error" }""", OutcomeKind.ModelMismatch, "palloc/error")]
    [InlineData("fuzz", "HostException", "boom", """{ "site": "engine/X" }""", OutcomeKind.Crash, "engine/X")]
    [InlineData("fuzz", "Hang", "steps", """{ "site": "steps" }""", OutcomeKind.Timeout, "steps")]
    [InlineData("property", "Leak", "[leak/blocks] 2 blocks left", "{}", OutcomeKind.Leak, "leak/blocks")]
    [InlineData("explore", "deadlock", "deadlock:cycle: deadlock: nothing can run", "{}", OutcomeKind.Deadlock, "cycle")]
    [InlineData("explore", "deadlock", "deadlock:lost-wakeup: deadlock: nothing can run", "{}", OutcomeKind.LostWakeup, "lost-wakeup")]
    [InlineData("explore", "liveness", "liveness:hot-wait: backend 1 waited", "{}", OutcomeKind.Livelock, "hot-wait")]
    [InlineData("explore", "invariant", "invariant:linearizability: no order", "{}", OutcomeKind.NotLinearizable, "linearizability")]
    [InlineData("explore", "panic", "panic:stuck spinlock detected: PANIC", "{}", OutcomeKind.Livelock, "stuck spinlock detected")]
    [InlineData("explore", "step-bound", "step-bound:max-steps: too long", "{}", OutcomeKind.Timeout, "max-steps")]
    public void Version1_outcomes_map_onto_the_one_vocabulary(string engine, string cls, string reason, string config, OutcomeKind kind, string site)
    {
        ReproArtifact a = ReproArtifact.Parse(Version1(engine, cls, reason, config));
        Assert.Equal(kind, a.Outcome.Kind);
        Assert.Equal(site, a.Outcome.Site);
        Assert.Equal(3, a.Outcome.Step);
    }

    [Fact]
    public void Unknown_versions_classes_and_kinds_are_named_in_the_error()
    {
        var v3 = Assert.Throws<ArtifactFormatException>(() => ReproArtifact.Parse(Version1("fuzz", "Leak", "x").Replace("\"version\": 1", "\"version\": 3"), "a.json"));
        Assert.Equal("a.json: artifact format version 3 is not supported (this harness reads versions 1 and 2)", v3.Message);
        var cls = Assert.Throws<ArtifactFormatException>(() => ReproArtifact.Parse(Version1("fuzz", "Wobbly", "x"), "b.json"));
        Assert.Equal("b.json: unknown version-1 outcome class 'Wobbly'", cls.Message);
        string v2 = Version1("fuzz", "Leak", "x").Replace("\"version\": 1", "\"version\": 2").Replace("\"class\": \"Leak\"", "\"kind\": \"wobbly\"");
        var kind = Assert.Throws<ArtifactFormatException>(() => ReproArtifact.Parse(v2, "c.json"));
        Assert.StartsWith("c.json: unknown outcome kind 'wobbly' (known: ok, fault, invariant-failed,", kind.Message);
    }
}
