// The replacement-policy oracle (the `policy` property, BufferRunner.Policy): it passes on the
// port, it follows each policy rule the mutation catalog's buffer mutants break (a hand-written op
// list per rule that runs the rule's branch, so the mutant's drift is one op away from a
// mismatch), and it catches the planted bug that drifts the usage count.
using Allocator.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Harness.Core;
using Outcome = Harness.Core.Outcome;
using Harness.Systems.Buffers.Oracle;
using Harness.Systems.Buffers.Properties;
using Harness.Tests.Properties;
using Xunit;

namespace Harness.Tests.Systems.Buffers;

public sealed class PolicyOracleTests
{
    private const string Replay = "20261203,11400714819323198485";

    public static class PolicyOps48
    {
        public static Arbitrary<BufferOp[]> Ops() => BufferGen.PolicyArbitrary(48, BufferProperties.Workload.InitialBlocks);
    }

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(PolicyOps48)])]
    public FsCheck.Property Policy_checking_off(BufferOp[] ops) =>
        XunitProperty.Check(BufferProperties.Create("policy", false), ops, Replay, 48);

    private static (Outcome Outcome, string Trace) Run(string text, BufferCanary canary = BufferCanary.None, bool checking = true)
    {
        var trace = new StringWriter();
        Outcome o = BufferProperties.Evaluate("policy", checking, BufferOpText.Instance.ParseLines(text), trace, canary);
        return (o, trace.ToString());
    }

    private static string AssertOk(string text)
    {
        (Outcome o, string trace) = Run(text);
        Assert.True(o.Kind == OutcomeKind.Ok, $"{o}\n{trace}");
        return trace;
    }

    [Fact]
    public void Ring_comes_round_to_its_own_buffer()
    {
        // ring-never-reuses: the third bulk read takes the first one's buffer (usage 1) again
        string trace = AssertOk("""
            b0 read r0/1 bulkread
            b0 release #0
            b0 read r0/2 bulkread
            b0 release #0
            b0 read r0/3 bulkread
            """);
        Assert.Contains("r0/3 bulkread", trace);
        Assert.Contains("-> buffer 1", trace.Split('\n').Single(l => l.Contains("r0/3", StringComparison.Ordinal)));
    }

    [Fact]
    public void Ring_pin_of_a_used_buffer_keeps_its_usage_count()
    {
        // pin-ring-raises-usage: b1's ring pin of a page at usage 1 leaves it at 1 (the oracle compares)
        AssertOk("""
            b0 read r0/1
            b0 release #0
            b1 read r0/1 vacuum
            b1 release #0
            b2 read r0/1 bulkwrite
            """);
    }

    [Fact]
    public void Bulk_read_drops_its_dirty_buffer_from_the_ring()
    {
        // ring-bulkread-keeps-dirty: the modified page's WAL is not flushed, so the ring rejects it
        AssertOk("""
            b0 read r0/1 bulkread
            b0 modify #0 = 7
            b0 release #0
            b0 read r0/2 bulkread
            b0 release #0
            b0 read r0/3 bulkread
            b0 release #0
            b0 read r0/4 bulkread
            """);
    }

    [Fact]
    public void Bgwriter_is_woken_by_one_allocation()
    {
        // bgwriter-wake-not-reset: after the wake-up bgwprocno is -1 again
        AssertOk("""
            bgwriter hibernate
            b0 read r0/1
            b0 read r0/2
            bgwriter hibernate
            bgwriter wake
            b0 read r0/3
            """);
    }

    [Fact]
    public void Usage_count_cap_is_caught_as_a_policy_mismatch()
    {
        // the canary UsageCountUncapped: the sixth pin takes the usage count to 6 (without the
        // checking build's pool walk, which would see it first as a §19 invariant)
        string text = string.Join('\n', Enumerable.Repeat("b0 read r0/0\nb0 release #0", 7));
        Assert.Equal(OutcomeKind.Ok, Run(text, checking: false).Outcome.Kind);
        (Outcome o, string trace) = Run(text, BufferCanary.UsageCountUncapped, checking: false);
        Assert.Equal(OutcomeKind.ModelMismatch, o.Kind);
        Assert.Equal("policy/usage", o.Site);
        Assert.Contains("usage count 6; expected 5", o.Reason, StringComparison.Ordinal);
        _ = trace;
    }

    [Theory]
    [InlineData("bgwriter", 0)]
    [InlineData("bgwriter hibernate", 1)]
    [InlineData("bgwriter wake", 2)]
    public void Bgwriter_modes_round_trip_as_text(string text, int mode)
    {
        BufferOp op = BufferOpText.ParseLine(text);
        Assert.Equal(new BufferOp(BufferOpCode.BgWriter, Mode: mode), op);
        Assert.Equal(text, op.ToString());
    }

    [Fact]
    public void Policy_generator_makes_only_followed_ops_of_existing_blocks()
    {
        var sizes = BufferProperties.Workload.InitialBlocks;
        BufferOp[] ops = BufferGen.PolicyOps(64, sizes).Sample(50, new FsCheck.Rnd(20261203, 0x9E3779B97F4A7C15), 40).SelectMany(x => x).ToArray();
        Assert.NotEmpty(ops);
        Assert.All(ops, o => Assert.True(o.Code is BufferOpCode.Read or BufferOpCode.Release or BufferOpCode.Modify
            or BufferOpCode.Flush or BufferOpCode.Evict or BufferOpCode.Extend or BufferOpCode.Commit or BufferOpCode.Abort
            || (o.Code == BufferOpCode.BgWriter && o.Mode is 1 or 2), o.ToString()));
        Assert.All(ops.Where(o => o.Code == BufferOpCode.Read), o => Assert.True(o.Block < sizes[o.Rel], o.ToString()));
        Assert.Contains(ops, o => o.Code == BufferOpCode.Read && o.Mode == 1);
    }

    [Fact]
    public void Ops_the_model_does_not_follow_are_skipped()
    {
        string trace = AssertOk("""
            b0 read r0/1
            checkpoint
            bgwriter
            b0 hint #0 = 3
            """);
        Assert.Equal(3, trace.Split('\n').Count(l => l.Contains("not followed by the policy oracle", StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_policy_field_is_compared()
    {
        // a read that fills the pool, then the clock: every descriptor, the hand and the rings agree
        var lines = new List<string>();
        for (int i = 0; i < 8; i++) lines.Add($"b{i % 4} read r0/{i}" + (i % 2 == 0 ? " bulkread" : ""));
        for (int i = 0; i < 10; i++) lines.Add($"b1 read r1/{i} vacuum");
        lines.Add("b1 commit");
        for (int i = 0; i < 6; i++) lines.Add($"b2 read r3/{i}");
        AssertOk(string.Join('\n', lines));
    }
}
