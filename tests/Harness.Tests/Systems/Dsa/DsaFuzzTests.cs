// The dsa-area fuzz target: the codec is total, the header selects the workload, records
// round-trip, the committed seeds run ok (one shows D1), the gate canary is found within its
// budget, and the structure-aware operations keep inputs decodable.
using Allocator.Common;
using Allocator.Dsa;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;
using Harness.Systems.Dsa.Fuzz;
using Harness.Systems.Dsa.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Dsa;

public sealed class DsaFuzzTests
{
    private static DsaFuzzTarget Target(string canary = "None") => new(FuzzTargetConfig.Default with { Canary = canary });

    [Fact]
    public void Codec_is_total_and_deterministic()
    {
        var rng = new Prng(20261203);
        DsaFuzzTarget t = Target();
        Assert.Equal(OutcomeKind.Ok, t.Execute([]).Kind);
        Assert.Equal(OutcomeKind.Ok, t.Execute([0xFF]).Kind);
        for (int i = 0; i < 60; i++)
        {
            var bytes = new byte[rng.Index(100)];
            for (int k = 0; k < bytes.Length; k++) bytes[k] = (byte)rng.Index(256);
            DsaCodec.Decoded d = DsaCodec.Decode(bytes, 64);
            int records = Math.Max(0, (bytes.Length - 1) / 4);
            Assert.InRange(d.Ops.Count, Math.Min(records, 64), Math.Min(records * 8, 64));
            Outcome a = t.Execute(bytes), b = t.Execute(bytes);
            Assert.Equal(a, b);
            Assert.False(a.IsFailure, $"{Convert.ToHexString(bytes)}: {a}");
        }
    }

    [Fact]
    public void Header_selects_the_workload()
    {
        DsaWorkload w = DsaCodec.Decode([DsaCodec.Header(PointerProfile.Bits32, 2, fixD1: true, threeBackends: true)], 64).Workload;
        Assert.Equal(new DsaWorkload(PointerProfile.Bits32, 256 * 1024, 256 * 1024, 3, true, FixSuperblockSpanLeak: true), w);
    }

    [Theory]
    [InlineData("b0 alloc 5")]
    [InlineData("b1 alloc 256 zero")]
    [InlineData("b2 alloc 8193 no_oom")]
    [InlineData("b0 alloc 1073741824 huge no_oom")]
    [InlineData("b0 alloc 40000 no_oom")]
    [InlineData("b1 alloc 300033")]
    [InlineData("b1 free #3")]
    [InlineData("b0 write #7 =9")]
    [InlineData("b2 read #0")]
    [InlineData("b0 limit above")]
    [InlineData("b1 unpin")]
    public void Encode_round_trips_through_the_decoder(string line)
    {
        DsaOp op = DsaOpText.ParseLine(line);
        Assert.Equal(op, DsaCodec.DecodeRecord(DsaCodec.Encode(op)!));
    }

    [Fact]
    public void Seeds_are_committed_and_one_shows_the_span_leak()
    {
        string dir = Path.Combine(RepoRoot.Find(), "fuzz", "corpus", DsaFuzzTarget.TargetName);
        string[] files = Directory.GetFiles(dir);
        Assert.True(files.Length >= 10);
        int withD1 = 0;
        foreach (string f in files)
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.Equal(ContentHash.Of(bytes), Path.GetFileName(f));
            var trace = new StringWriter();
            Assert.Equal(OutcomeKind.Ok, Target().ExecuteTraced(bytes, trace).Kind);
            if (!trace.ToString().Contains(" 0 span object(s) leaked (D1)", StringComparison.Ordinal)) withD1++;
            // no seed already trips the gate canary: the fuzzer has to find it
            Assert.Equal(OutcomeKind.Ok, Target(nameof(DsaFuzzCanary.FreeToFullSpanForgetsCount)).Execute(bytes).Kind);
        }
        Assert.Equal(1, withD1);
    }

    [Fact]
    public void The_fuzz_gate_canary_is_found_within_its_budget()
    {
        FuzzTargetDef def = FuzzTargets.Find(SystemRegistry.Default, DsaFuzzTarget.TargetName);
        FuzzGateCanary c = def.GateCanary!;
        string dir = Path.Combine(Path.GetTempPath(), "harness-dsa-area-canary");
        FuzzRunResult r = CanaryRun.Fuzz(def, c.Canary, c.Seed, c.Execs, dir, TextWriter.Null, stopAtFirstFinding: true);
        Assert.Contains(r.Findings, f => f.Outcome.Kind == OutcomeKind.InvariantFailed && f.Outcome.Site == "check/DSA5");
    }

    [Fact]
    public void Structure_operations_keep_whole_records()
    {
        DsaFuzzTarget t = Target();
        byte[] input = [0, 0, 4, 0, 2, 0x11, 0, 0, 0, 0x44, 0, 0, 0];
        Assert.Equal(3, t.UnitCount(input));
        Assert.Equal(2, t.UnitCount(t.WithoutUnits(input, 1, 1)));
        var rng = new Prng(1);
        for (int i = 0; i < 50; i++)
        {
            byte[] m = t.MutateStructure(input, input, rng, 4096);
            Assert.Equal(0, (m.Length - DsaCodec.HeaderSize) % DsaCodec.RecordSize);
        }
        Assert.NotEmpty(t.SimplifyUnit(input, 1));
        Assert.Equal(8, DsaCodec.Decode([0, .. DsaCodec.EncodeRepeated(DsaOp.Alloc(8000, 2), 8)!], 64).Ops.Count);
        Assert.Equal(["# 64-bit, first segment 1024 KiB, limit 4096 KiB, 2 backends", "  0: b0 alloc 5 no_oom", "  1: b1 free #0", "  2: b0 trim"], t.Disassemble(input));
    }
}
