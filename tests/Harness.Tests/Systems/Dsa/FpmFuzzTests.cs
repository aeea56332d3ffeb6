// The dsa fuzz target: the codec is total, the committed seeds run ok (and one shows F1), the gate
// canary is found within its budget, and the structure-aware operations keep inputs decodable.
using Allocator.Common;
using Allocator.Dsa;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Dsa;
using Harness.Systems.Dsa.Fuzz;
using Harness.Systems.Dsa.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Dsa;

public sealed class FpmFuzzTests
{
    private static FpmFuzzTarget Target(string canary = "None") => new(FuzzTargetConfig.Default with { Canary = canary });

    [Fact]
    public void Codec_is_total_and_deterministic()
    {
        var rng = new Prng(20261202);
        FpmFuzzTarget t = Target();
        Assert.Equal(OutcomeKind.Ok, t.Execute([]).Kind);
        Assert.Equal(OutcomeKind.Ok, t.Execute([0xFF]).Kind);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[rng.Index(120)];
            for (int k = 0; k < bytes.Length; k++) bytes[k] = (byte)rng.Index(256);
            FpmCodec.Decoded d = FpmCodec.Decode(bytes, 64);
            Assert.Equal(Math.Max(0, (bytes.Length - 2) / 4), d.Ops.Count);
            Outcome a = t.Execute(bytes), b = t.Execute(bytes);
            Assert.Equal(a, b);
            Assert.False(a.IsFailure, $"{Convert.ToHexString(bytes)}: {a}");
        }
    }

    [Fact]
    public void Header_selects_the_workload()
    {
        FpmWorkload w = FpmCodec.Decode([FpmCodec.Header0(FpmStart.Fragmented, PointerProfile.Bits32, fix: true), 2], 64).Workload;
        Assert.Equal(new FpmWorkload(PointerProfile.Bits32, FpmStart.Fragmented, 300, true, true), w);
    }

    [Theory]
    [InlineData("get 5")]
    [InlineData("get 300")]
    [InlineData("put #3")]
    [InlineData("put #3 @7 *1")]
    [InlineData("put #3 @7 *9")]
    public void Encode_round_trips_through_the_decoder(string line)
    {
        FpmOp op = FpmOpText.ParseLine(line);
        Assert.Equal(op, FpmCodec.DecodeRecord(FpmCodec.Encode(op)));
    }

    [Fact]
    public void Seeds_are_committed_and_one_shows_the_root_page_leak()
    {
        string dir = Path.Combine(RepoRoot.Find(), "fuzz", "corpus", "dsa");
        string[] files = Directory.GetFiles(dir);
        Assert.True(files.Length >= 10);
        int withF1 = 0;
        foreach (string f in files)
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.Equal(ContentHash.Of(bytes), Path.GetFileName(f));
            var trace = new StringWriter();
            Assert.Equal(OutcomeKind.Ok, Target().ExecuteTraced(bytes, trace).Kind);
            if (trace.ToString().Contains("F1:", StringComparison.Ordinal)) withF1++;
        }
        Assert.Equal(1, withF1);
    }

    [Fact]
    public void The_fuzz_gate_canary_is_found_within_its_budget()
    {
        FuzzTargetDef def = FuzzTargets.Find(SystemRegistry.Default, DsaSystem.SystemName);
        FuzzGateCanary c = def.GateCanary!;
        string dir = Path.Combine(Path.GetTempPath(), "harness-dsa-canary");
        FuzzRunResult r = CanaryRun.Fuzz(def, c.Canary, c.Seed, c.Execs, dir, TextWriter.Null);
        Assert.Contains(r.Findings, f => f.Outcome.Kind == OutcomeKind.InvariantFailed && f.Outcome.Site == "check/FPM4");
    }

    [Fact]
    public void Structure_operations_keep_whole_records()
    {
        FpmFuzzTarget t = Target();
        byte[] input = [0, 1, 2, 5, 0, 0, 1, 0, 0, 0, 3, 1, 2, 0];
        Assert.Equal(3, t.UnitCount(input));
        Assert.Equal(2, t.UnitCount(t.WithoutUnits(input, 1, 1)));
        var rng = new Prng(1);
        for (int i = 0; i < 50; i++)
        {
            byte[] m = t.MutateStructure(input, input, rng, 4096);
            Assert.Equal(0, (m.Length - FpmCodec.HeaderSize) % FpmCodec.RecordSize);
        }
        Assert.NotEmpty(t.SimplifyUnit(input, 2));
        Assert.Equal(["# 64 pages, start empty, 64-bit", "  0: get 5", "  1: put #0", "  2: put #1 @2 *1"], t.Disassemble(input));
    }
}
