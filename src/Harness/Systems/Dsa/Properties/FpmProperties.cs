// FpmProperties: the FreePageManager's FsCheck properties, run by the generic property engine from
// xunit, `harness check dsa` and the gate. Each is FpmRunner on one workload (start state and
// pointer profile), wrapped in FsCheck with FpmGen's shrinking arbitrary:
//   empty64/32        nothing free at the start: every page comes back through Put
//   full64/32         the whole range free as one run at the start
//   fragmented64/32   every other page free, then 2 held / 3 free: a depth-2 btree from the start
//   fixed64           fragmented64 with PostgreSQL's root-page leak fixed: no loss is accepted
// Every op: Get's success and best-fit choice against the model, the free runs and the largest
// against the model, and with checking on FreePageManagerCheck (FPM1-FPM7, FPM9).
using Allocator.Dsa;
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Dsa.Oracle;

namespace Harness.Systems.Dsa.Properties;

public static class FpmProperties
{
    private static readonly (string Name, FpmStart Start, PointerProfile Profile, bool Fix, string Description)[] Defs =
    [
        ("empty64", FpmStart.Empty, PointerProfile.Bits64, false, "64-bit, nothing free at the start: Get/Put against the page model, FPM1-FPM9"),
        ("full64", FpmStart.Full, PointerProfile.Bits64, false, "64-bit, all pages free at the start"),
        ("fragmented64", FpmStart.Fragmented, PointerProfile.Bits64, false, "64-bit, a fragmented depth-2 btree at the start"),
        ("empty32", FpmStart.Empty, PointerProfile.Bits32, false, "32-bit profile, nothing free at the start"),
        ("full32", FpmStart.Full, PointerProfile.Bits32, false, "32-bit profile, all pages free at the start"),
        ("fragmented32", FpmStart.Fragmented, PointerProfile.Bits32, false, "32-bit profile, fragmented at the start"),
        ("fixed64", FpmStart.Fragmented, PointerProfile.Bits64, true, "fragmented64 with the root-page leak fixed: no page may be lost"),
    ];

    public static IReadOnlyList<string> Names { get; } = Defs.Select(d => d.Name).ToList();

    public static IReadOnlyList<string> CanaryNames { get; } =
        Enum.GetNames<FpmCanary>().Where(n => n != nameof(FpmCanary.None)).ToList();

    /// <summary>Cases per (property, checking) at gate scale 1, and the longest op list: about 40 s
    /// on the 2-core CI machine (the fragmented starts walk a 600-key btree after every op and run
    /// ~20 cases/s with checking on).</summary>
    private static readonly PropertyGateCase[] GateCases =
    [
        new("empty64", true, 300, 64),
        new("full64", true, 300, 64),
        new("fragmented64", true, 150, 64),
        new("fragmented64", false, 150, 64),
        new("empty32", true, 200, 64),
        new("full32", true, 200, 64),
        new("fragmented32", true, 120, 64),
        new("fixed64", true, 120, 64),
    ];

    /// <summary>A put that merges on both sides is common from the fragmented start; forgetting the
    /// right-hand neighbour leaves two touching runs, which FPM4 reports at once.</summary>
    private static readonly PropertyGateCanary[] GateCanaries =
    [
        new(nameof(FpmCanary.PutForgetsNextMerge), "fragmented64", true, 100, 64, OutcomeKind.InvariantFailed),
    ];

    public static PropertySuite Suite { get; } = new(
        Defs.Select(d => new PropertyDef(d.Name, d.Description, CheckingModes.Both,
            (checking, canary) => Create(d.Name, checking, ParseCanary(canary)))).ToList(),
        GateCases,
        CanaryNames,
        GateCanaries);

    public static FpmCanary ParseCanary(string name) => CanaryName.Parse<FpmCanary>(name);

    public static FpmWorkload Workload(string property, bool checking, FpmCanary canary = FpmCanary.None)
    {
        int i = Array.FindIndex(Defs, d => d.Name == property);
        if (i < 0) throw new UnknownNameException("property", property, Names);
        (_, FpmStart start, PointerProfile profile, bool fix, _) = Defs[i];
        return new FpmWorkload(profile, start, FpmWorkload.DefaultPages, checking, fix, canary);
    }

    internal static FsCheckProperty<FpmOp> Create(string property, bool checking, FpmCanary canary = FpmCanary.None)
    {
        var runner = new FpmRunner(Workload(property, checking, canary));
        return new FsCheckProperty<FpmOp>(DsaSystem.SystemName, property, checking, canary.ToString(),
            FpmGen.Arbitrary, (ops, trace) => runner.Run(ops, trace).Outcome, FpmOpText.Instance, runner.Reach);
    }

    /// <summary>Evaluates one property on one op list.</summary>
    public static FpmRunResult Evaluate(string property, bool checking, IReadOnlyList<FpmOp> ops, TextWriter? trace = null, FpmCanary canary = FpmCanary.None) =>
        new FpmRunner(Workload(property, checking, canary)).Run(ops, trace);
}
