// PropertyReport: the result of one property run, with everything a failure needs to be
// reproduced: the shrunk op list (as the system's text form), FsCheck's failing step (seed,
// gamma, size), the one-line replay command and the repro artifact.
using System.Globalization;
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Properties;

public sealed record PropertyFailure(IReadOnlyList<string> Shrunk, int OriginalLength, ulong Seed, ulong Gamma, int Size, Outcome Outcome, int MaxOps);

public sealed record PropertyReport(string System, string Property, bool Checking, string Canary, ulong Seed, ulong Gamma, int Cases, double Seconds, PropertyFailure? Failure)
{
    public const string Engine = "property";
    public const string PayloadKind = "ops";

    public bool Passed => Failure is null;

    /// <summary>The property's reach goals counted per evaluated case (null: its runner declares none).</summary>
    public ReachTally? Reach { get; init; }

    public double CasesPerSecond => Seconds > 0 ? Cases / Seconds : 0;

    private string CheckingText => Checking ? "on" : "off";

    private string CanaryOption => Canary == PropertySuite.NoCanary ? "" : $" --canary {Canary}";

    /// <summary>The one line that replays the failing step (or repeats a passing run).</summary>
    public string ReplayCommand => Failure is { } f
        ? string.Create(CultureInfo.InvariantCulture, $"harness check {System} --property {Property} --checking {CheckingText}{CanaryOption} --ops {f.MaxOps} --replay {f.Seed},{f.Gamma},{f.Size}")
        : string.Create(CultureInfo.InvariantCulture, $"harness check {System} --property {Property} --checking {CheckingText}{CanaryOption} --seed {Seed}");

    public string Summary => Failure is { } f
        ? $"FAILED after {Cases} cases: {f.Outcome.Kind.Name()} [{f.Outcome.Site}] at op {f.Outcome.Step}: {f.Outcome.Reason} (shrunk {f.OriginalLength} -> {f.Shrunk.Count} ops)"
        : string.Create(CultureInfo.InvariantCulture, $"{Cases} cases in {Seconds:0.00}s ({CasesPerSecond:0} cases/s)");

    /// <summary>Writes the failure report: seed, shrunk ops, replay line.</summary>
    public void WriteFailure(TextWriter w)
    {
        if (Failure is not { } f) return;
        w.WriteLine($"{System} property {Property} (checking {CheckingText}) falsified; run seed {Seed}, gamma {Gamma}");
        w.WriteLine($"  {f.Outcome.Kind.Name()} [{f.Outcome.Site}] at op {f.Outcome.Step}: {f.Outcome.Reason}");
        w.WriteLine($"  shrunk op list ({f.Shrunk.Count} ops):");
        for (int i = 0; i < f.Shrunk.Count; i++) w.WriteLine($"    {i,3}: {f.Shrunk[i]}");
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
        if (Canary != PropertySuite.NoCanary) config["canary"] = Canary;
        return new ReproArtifact(Engine, System, Seed, config, ArtifactOutcome.Of(f.Outcome),
            new ArtifactPayload(PayloadKind, string.Join("\n", f.Shrunk), f.Shrunk));
    }
}
