// FuzzTargetConfig: the target options that change what an input does, so they travel with every
// artifact (config keys "ops-max" and "canary") and a replay builds the very same target.
namespace Harness.Fuzz.Engine;

public sealed record FuzzTargetConfig
{
    public const string OpsMaxKey = "ops-max";
    public const string CanaryKey = "canary";
    public const int DefaultOpsMax = 64;
    public const int OpsMaxLimit = 4096;

    /// <summary>Most operations one input decodes to (the rest of the input is ignored).</summary>
    public int OpsMax { get; init; } = DefaultOpsMax;

    /// <summary>Name of a planted bug to switch on in the system under test ("None" for the real one).</summary>
    public string Canary { get; init; } = "None";

    public static FuzzTargetConfig Default { get; } = new();

    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal) { [OpsMaxKey] = OpsMax.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (Canary != "None") d[CanaryKey] = Canary;
        return d;
    }

    /// <summary>Reads the known keys of an artifact's config (other keys, such as "site", are ignored).</summary>
    public static FuzzTargetConfig FromDictionary(IReadOnlyDictionary<string, string> config, string source)
    {
        var c = new FuzzTargetConfig();
        if (config.TryGetValue(OpsMaxKey, out string? ops))
        {
            if (!int.TryParse(ops, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1 || n > OpsMaxLimit)
                throw new Harness.Core.MalformedInputException($"{source}: config '{OpsMaxKey}' must be a whole number 1..{OpsMaxLimit}, not '{ops}'");
            c = c with { OpsMax = n };
        }
        if (config.TryGetValue(CanaryKey, out string? canary)) c = c with { Canary = canary };
        return c;
    }
}
