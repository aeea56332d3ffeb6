// FuzzTargetOptions: the two options that configure a fuzz target (--ops-max, --canary), declared
// once for every command that runs or shows fuzz inputs (fuzz, cmin, minimize, show) and read back
// by CommandArgs.FuzzTargetConfig. Left out, each keeps the target's default (or the artifact's).
using System.CommandLine;
using Harness.Fuzz.Engine;

namespace Harness.Cli;

public sealed class FuzzTargetOptions
{
    public Option<int?> OpsMax { get; } = CliOptions.OptionalInt("--ops-max", 1, FuzzTargetConfig.OpsMaxLimit,
        $"most operations one input decodes to, 1..{FuzzTargetConfig.OpsMaxLimit} (default {FuzzTargetConfig.DefaultOpsMax})", "M");

    public Option<string?> Canary { get; } = CliOptions.OptionalText("--canary",
        "switch on a planted bug of the port (e.g. FreelistIndexOffByOne; harness systems lists them)", "NAME");

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(OpsMax);
        command.Add(Canary);
    }
}
