// XunitProperty: how a system's property becomes an FsCheck.Xunit [Property] test. The test
// method receives FsCheck's generated op list and returns this helper's Property: the outcome
// of the system's evaluator, labelled on failure with the outcome and the one command that
// replays it. On a failure the op list is also written as a repro artifact (the same file name
// per test, so after shrinking it holds the shrunk list); the label names it: `harness repro PATH`.
// The [Property] attribute carries a fixed Replay seed, which FsCheck prints with every failure.
using System.Globalization;
using FsCheck.Fluent;
using FsCheck;
using Harness.Core;
using Harness.Properties;
using Outcome = Harness.Core.Outcome;

namespace Harness.Tests.Properties;

internal static class XunitProperty
{
    /// <summary>Where [Property] tests write the artifact of a failing case.</summary>
    public static string ArtifactDir => Path.Combine(Path.GetTempPath(), "harness-property-tests");

    public static FsCheck.Property Check<TOp>(FsCheckProperty<TOp> property, TOp[] ops, string replay, int maxOps)
    {
        Outcome o = property.Evaluate(ops);
        if (!o.IsFailure) return true.ToProperty();
        (ulong seed, ulong gamma) = ParseReplay(replay);
        string path = Path.Combine(ArtifactDir, $"{property.System}-{property.Property}-{(property.Checking ? "on" : "off")}-{property.Canary}.json");
        property.ArtifactFor(ops, o, seed, gamma, maxOps).Save(path);
        return false.Label($"{o.Signature} at op {o.Step}: {o.Reason}; {ops.Length} ops; replay the op list: harness repro {path} "
            + $"(the [Property] run started from Replay = \"{replay}\"; FsCheck prints the failing step's (seed,gamma,size) below, which "
            + $"`harness check {property.System} --property {property.Property} --checking {(property.Checking ? "on" : "off")} --ops {maxOps} --replay SEED,GAMMA,SIZE` replays)");
    }

    private static (ulong, ulong) ParseReplay(string replay)
    {
        string[] parts = replay.Trim('(', ')').Split(',');
        return (ulong.Parse(parts[0].Trim(), CultureInfo.InvariantCulture), ulong.Parse(parts[1].Trim(), CultureInfo.InvariantCulture));
    }
}
