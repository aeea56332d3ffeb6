// The buffer-manager properties as FsCheck.Xunit [Property] tests (fixed Replay seed, moderate
// case counts; long runs stay on `harness check buffers`), and each planted bug the gate checks,
// caught by its property with the expected outcome kind.
using Allocator.Buffers;
using FsCheck;
using FsCheck.Xunit;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Buffers;
using Harness.Properties;
using Harness.Systems.Buffers.Oracle;
using Harness.Systems.Buffers.Properties;
using Harness.Systems.Buffers.Scenarios;
using Harness.Explore;
using Harness.Tests.Properties;
using Xunit;

namespace Harness.Tests.Systems.Buffers;

public sealed class BufferPropertyTests
{
    private const string Replay = "20261202,11400714819323198485";

    public static class Ops48
    {
        public static Arbitrary<BufferOp[]> Ops() => BufferGen.Arbitrary(48, faults: false);
    }

    public static class FaultOps48
    {
        public static Arbitrary<BufferOp[]> Ops() => BufferGen.Arbitrary(48, faults: true);
    }

    private static FsCheck.Property Check(string property, bool checking, BufferOp[] ops) =>
        XunitProperty.Check(BufferProperties.Create(property, checking), ops, Replay, 48);

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Model_checking_on(BufferOp[] ops) => Check("model", true, ops);

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(Ops48)])]
    public FsCheck.Property Model_checking_off(BufferOp[] ops) => Check("model", false, ops);

    [Property(Replay = Replay, MaxTest = 300, EndSize = 50, Arbitrary = [typeof(FaultOps48)])]
    public FsCheck.Property Faults_checking_on(BufferOp[] ops) => Check("faults", true, ops);

    public static TheoryData<string> GateCanaries() => new(BufferProperties.Suite.GateCanaries.Select(c => c.Canary));

    [Theory]
    [MemberData(nameof(GateCanaries))]
    public void Every_gate_canary_is_caught_with_its_kind(string canary)
    {
        PropertyGateCanary c = BufferProperties.Suite.GateCanaries.Single(x => x.Canary == canary);
        PropertyReport r = BufferProperties.Suite.Get(c.Property).Create(c.Checking, c.Canary)
            .Check(new PropertyRunSpec(20261202, PropertyRunSpec.DefaultGamma, c.Cases, c.Ops));
        Assert.False(r.Passed, $"{canary} not caught in {c.Cases} cases");
        Assert.Equal(c.Expected, r.Failure!.Outcome.Kind);
    }

    /// <summary>Every planted bug has a gate run that must catch it: a property's, the fuzz
    /// target's, or (for the races no sequential engine reaches) an explorer canary scenario's
    /// (ScenarioSet.Canaries, each planting the BufferCanary BufferScenarios.Planted names). The
    /// properties accept every canary by name (they just pass on the races).</summary>
    [Fact]
    public void Every_canary_has_a_gate_run_by_properties_fuzzing_or_exploration()
    {
        ScenarioSet set = SystemRegistry.Default.Find(BuffersSystem.SystemName)!.Parts.OfType<ScenarioSet>().Single();
        IEnumerable<string> explored = set.Canaries.Where(c => c.InGate).Select(c => BufferScenarios.Planted[c.Name].ToString()).Distinct();
        List<string> gated = BufferProperties.Suite.GateCanaries.Select(c => c.Canary).Append(BuffersSystem.FuzzGateCanaryName).Concat(explored).ToList();
        Assert.Equal(gated.Count, gated.Distinct().Count());
        Assert.Equal(BufferProperties.Suite.Canaries.OrderBy(x => x), gated.OrderBy(x => x));
        Assert.Equal(Enum.GetNames<BufferCanary>().Where(n => n != "None").OrderBy(x => x), gated.OrderBy(x => x));
    }

    [Fact]
    public void The_fuzz_gate_canary_is_found_within_its_budget()
    {
        FuzzTargetDef def = FuzzTargets.Find(SystemRegistry.Default, BuffersSystem.SystemName)!;
        FuzzGateCanary c = def.GateCanary!;
        string dir = Path.Combine(Path.GetTempPath(), "harness-buffers-canary");
        FuzzRunResult r = CanaryRun.Fuzz(def, c.Canary, c.Seed, c.Execs, dir, TextWriter.Null);
        Assert.NotEmpty(r.Findings);
        Assert.Contains(r.Findings, f => f.Outcome.Kind == OutcomeKind.InvariantFailed && f.Outcome.Site == "B1");
    }
}
