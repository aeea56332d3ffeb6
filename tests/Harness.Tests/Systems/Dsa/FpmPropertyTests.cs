// The FreePageManager properties as FsCheck.Xunit [Property] tests (fixed Replay seed, moderate case
// counts; long runs stay on `harness check dsa`), the gate canary caught and shrunk, PostgreSQL's
// root-page leak (F1) recognised by the runner and absent with the fix, and the text form.
using Allocator.Dsa;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Dsa;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;
using Harness.Tests.Properties;
using Xunit;

namespace Harness.Tests.Systems.Dsa;

public sealed class FpmPropertyTests
{
    private const string Replay = "20261202,11400714819323198485";

    public static class Ops48
    {
        public static Arbitrary<FpmOp[]> Ops() => FpmGen.Arbitrary(48);
    }

    private static FsCheck.Property Check(string property, bool checking, FpmOp[] ops) =>
        XunitProperty.Check(FpmProperties.Create(property, checking), ops, Replay, 48);

    [Property(Replay = Replay, MaxTest = 150, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Empty64_checking_on(FpmOp[] ops) => Check("empty64", true, ops);

    [Property(Replay = Replay, MaxTest = 150, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Full32_checking_off(FpmOp[] ops) => Check("full32", false, ops);

    [Property(Replay = Replay, MaxTest = 60, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Fragmented64_checking_on(FpmOp[] ops) => Check("fragmented64", true, ops);

    [Property(Replay = Replay, MaxTest = 60, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Fragmented32_checking_on(FpmOp[] ops) => Check("fragmented32", true, ops);

    [Property(Replay = Replay, MaxTest = 60, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Fixed64_checking_on(FpmOp[] ops) => Check("fixed64", true, ops);

    [Fact]
    public void The_system_is_registered_with_its_suite()
    {
        ISystem s = SystemRegistry.Default.Get("dsa");
        Assert.IsType<DsaSystem>(s);
        Assert.Same(s, SystemRegistry.Default.Get("fpm"));
        // the system's one suite holds the FreePageManager's properties (and DSA's, DsaPropertyTests)
        Assert.All(FpmProperties.Suite.Properties, p => Assert.Contains(p.Name, s.Parts.OfType<PropertySuite>().Single().Properties.Select(x => x.Name)));
    }

    public static TheoryData<string> GateCanaries() => new(FpmProperties.Suite.GateCanaries.Select(c => c.Canary));

    [Theory]
    [MemberData(nameof(GateCanaries))]
    public void Every_gate_canary_is_caught_with_its_kind_and_shrunk(string canary)
    {
        PropertyGateCanary c = FpmProperties.Suite.GateCanaries.Single(x => x.Canary == canary);
        PropertyReport r = FpmProperties.Suite.Get(c.Property).Create(c.Checking, c.Canary)
            .Check(new PropertyRunSpec(20261202, PropertyRunSpec.DefaultGamma, c.Cases, c.Ops));
        Assert.False(r.Passed, $"{canary} not caught in {c.Cases} cases");
        Assert.Equal(c.Expected, r.Failure!.Outcome.Kind);
        Assert.True(r.Failure.Shrunk.Count <= 2, string.Join("\n", r.Failure.Shrunk));
    }

    [Fact]
    public void Every_canary_has_a_gate_run() =>
        Assert.Equal(FpmProperties.CanaryNames.Order(), FpmProperties.Suite.GateCanaries.Select(c => c.Canary).Order());

    [Fact]
    public void The_canary_passes_as_none_on_the_faithful_port()
    {
        IReadOnlyList<FpmOp> ops = FpmOpText.Instance.ParseLines("put #3");
        Assert.True(FpmProperties.Evaluate("fragmented64", true, ops).Passed);
        Assert.Equal(OutcomeKind.InvariantFailed, FpmProperties.Evaluate("fragmented64", true, ops, canary: FpmCanary.PutForgetsNextMerge).Outcome.Kind);
    }

    /// <summary>F1 from the empty start: free page 10, then page 20 (the root takes page 10, the
    /// last free page, and holds 20 as its only key), then Get(1): the root page is lost.</summary>
    private static readonly string F1Repro = "put #0 @9 *1\nput #1 @9 *1\nget 1";

    [Fact]
    public void Root_page_leak_is_recognised_as_F1_and_counted()
    {
        var trace = new StringWriter();
        FpmRunResult r = new FpmRunner(new FpmWorkload(PointerProfile.Bits64, FpmStart.Empty, 64, Checking: true))
            .Run(FpmOpText.Instance.ParseLines(F1Repro), trace);
        Assert.True(r.Passed, r.Outcome.ToString());
        Assert.Equal(1, r.LeakedPages);
        Assert.Contains("F1: the manager lost its old root page 10", trace.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PointerProfile.Bits64)]
    [InlineData(PointerProfile.Bits32)]
    public void Root_page_leak_fix_loses_nothing(PointerProfile profile)
    {
        FpmRunResult r = new FpmRunner(new FpmWorkload(profile, FpmStart.Empty, 64, Checking: true, FixRootPageLeak: true))
            .Run(FpmOpText.Instance.ParseLines(F1Repro + "\nget 1"));
        Assert.True(r.Passed, r.Outcome.ToString());
        Assert.Equal(0, r.LeakedPages);
    }

    [Theory]
    [InlineData("get 3")]
    [InlineData("get 0")]
    [InlineData("put #2")]
    [InlineData("put #2 @5 *4")]
    public void Op_text_round_trips(string line)
    {
        FpmOp op = FpmOpText.ParseLine(line);
        Assert.Equal(line, FpmOpText.Instance.Format(op));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("get -1")]
    [InlineData("put 2")]
    [InlineData("put #2 @5")]
    [InlineData("free 1")]
    public void Bad_op_lines_are_malformed_input(string line) =>
        Assert.Throws<MalformedInputException>(() => FpmOpText.Instance.ParseLines(line));

    [Fact]
    public void Shrinker_offers_shorter_lists_then_simpler_ops()
    {
        FpmOp[] ops = [FpmOp.Get(40), FpmOp.Put(5, 3, 2)];
        List<FpmOp[]> s = FpmGen.Shrink(ops).ToList();
        Assert.Equal([FpmOp.Put(5, 3, 2)], s[0]);
        Assert.Contains(s, x => x.Length == 2 && x[0] == FpmOp.Get(1));
        Assert.Contains(s, x => x.Length == 2 && x[1] == FpmOp.Put(5));
    }
}
