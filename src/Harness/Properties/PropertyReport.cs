// PropertyReport: the result of one property run, with everything a failure needs to be
// reproduced: the shrunk op list, FsCheck's failing-step (seed, gamma, size), the one-line replay
// command and the repro artifact.
using System.Globalization;
using Harness.Artifacts;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Properties;

public sealed record PropertyFailure(AllocatorOp[] Shrunk, int OriginalLength, ulong Seed, ulong Gamma, int Size, FuzzOutcome Outcome, int MaxOps);

public sealed record PropertyReport(string Property, bool Checking, ulong Seed, ulong Gamma, int Cases, double Seconds, PropertyFailure? Failure)
{
    public bool Passed => Failure is null;

    /// <summary>A planted port bug the run used (tests only); recorded in the artifact.</summary>
    internal Allocator.Mmgr.AllocatorCanary Canary { get; init; }

    public double CasesPerSecond => Seconds > 0 ? Cases / Seconds : 0;

    private string CheckingText => Checking ? "on" : "off";

    /// <summary>The one line that replays the failing step.</summary>
    public string ReplayCommand => Failure is { } f
        ? string.Create(CultureInfo.InvariantCulture, $"harness check allocator --property {Property} --checking {CheckingText} --ops {f.MaxOps} --replay {f.Seed},{f.Gamma},{f.Size}")
        : string.Create(CultureInfo.InvariantCulture, $"harness check allocator --property {Property} --checking {CheckingText} --seed {Seed}");

    public string Summary => Failure is { } f
        ? $"FAILED after {Cases} cases: {f.Outcome.Class} [{f.Outcome.Site}] at op {f.Outcome.OpIndex}: {f.Outcome.Reason} (shrunk {f.OriginalLength} -> {f.Shrunk.Length} ops)"
        : string.Create(CultureInfo.InvariantCulture, $"{Cases} cases in {Seconds:0.00}s ({CasesPerSecond:0} cases/s)");

    /// <summary>Writes the failure report: seed, shrunk ops, replay line.</summary>
    public void WriteFailure(TextWriter w)
    {
        if (Failure is not { } f) return;
        w.WriteLine($"property {Property} (checking {CheckingText}) falsified; run seed {Seed}, gamma {Gamma}");
        w.WriteLine($"  {f.Outcome.Class} [{f.Outcome.Site}] at op {f.Outcome.OpIndex}: {f.Outcome.Reason}");
        w.WriteLine($"  shrunk op list ({f.Shrunk.Length} ops):");
        for (int i = 0; i < f.Shrunk.Length; i++) w.WriteLine($"    {i,3}: {f.Shrunk[i]}");
        w.WriteLine($"  replay: {ReplayCommand}");
    }

    /// <summary>The repro artifact (engine "property", payload kind "ops", one op per line).</summary>
    public ReproArtifact? ToArtifact()
    {
        if (Failure is not { } f) return null;
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["property"] = Property,
            ["checking"] = CheckingText,
            ["gamma"] = Gamma.ToString(CultureInfo.InvariantCulture),
            ["replay"] = string.Create(CultureInfo.InvariantCulture, $"{f.Seed},{f.Gamma},{f.Size}"),
        };
        if (Canary != Allocator.Mmgr.AllocatorCanary.None) config["canary"] = Canary.ToString();
        string[] lines = f.Shrunk.Select(o => o.ToString()).ToArray();
        return new ReproArtifact("property", "allocator", Seed, config,
            new ArtifactOutcome(f.Outcome.Class.ToString(), f.Outcome.OpIndex, $"[{f.Outcome.Site}] {f.Outcome.Reason}"),
            new ArtifactPayload("ops", string.Join("\n", lines), lines));
    }
}
