// DsaSystem: the registration of dynamic shared memory (src/Allocator/Dsa; PostgreSQL's
// src/backend/utils/mmgr/freepage.c and dsa.c). Everything the engines know about it is listed
// here: one property suite (Properties/DsaProperties.Suite: the FreePageManager's properties,
// FpmProperties, then dsa_area's against DsaModel), the FreePageManager's fuzz target `dsa`
// (Fuzz/FpmFuzzTarget) and dsa_area's `dsa-area` (Fuzz/DsaFuzzTarget), their planted bugs (FpmCanary,
// DsaFuzzCanary), DSA's concurrency scenarios for the explorer and Coyote (Scenarios/DsaScenarios)
// with theirs (DsaCanary), `harness show dsa` (Cli/DsaShow: dsa_dump at a step), and the golden vectors from
// PostgreSQL's own freepage.c (Golden/DsaGoldenSet).
using Allocator.Dsa;
using Harness.Core;
using Harness.Fuzz;
using Harness.Systems.Dsa.Cli;
using Harness.Systems.Dsa.Fuzz;
using Harness.Systems.Dsa.Golden;
using Harness.Systems.Dsa.Properties;
using Harness.Systems.Dsa.Scenarios;

namespace Harness.Systems.Dsa;

public sealed class DsaSystem : ISystem
{
    public const string SystemName = "dsa";

    /// <summary>The fuzzer's CI budget for the planted bug: found within this many executions (seed 1
    /// finds it at execution 44).</summary>
    public const long GateCanaryExecs = 2_000;

    /// <summary>The gate's burst on the correct port: about 15 s (the target runs ~200 exec/s per
    /// worker: every op is checked against the model and walked by FreePageManagerCheck).</summary>
    public const long GateBurstExecs = 3_000;

    /// <summary>The dsa-area fuzzer's CI budget for its planted bug (FreeToFullSpanForgetsCount):
    /// seed 1 finds it within 128 executions; over seeds 1-20 the median is 1681, the worst 6373.</summary>
    public const long AreaGateCanaryExecs = 8_000;

    /// <summary>The gate's burst of the dsa-area target on the correct port.</summary>
    public const long AreaGateBurstExecs = 1_000;

    public string Name => SystemName;

    public IReadOnlyList<string> Aliases { get; } = ["fpm"];

    public string Description => "dynamic shared memory: relptr, the FreePageManager (freepage.c) and DSA areas (dsa.c), 64- and 32-bit pointer profiles";

    public IReadOnlyList<ISystemPart> Parts { get; } =
    [
        DsaProperties.Suite,
        new FuzzTargetDef(FpmFuzzTarget.TargetName, [], SystemName,
            config => new FpmFuzzTarget(config),
            FpmProperties.CanaryNames,
            new FuzzGateCanary(nameof(FpmCanary.PutForgetsNextMerge), 1, GateCanaryExecs), GateBurstExecs),
        DsaScenarios.Set,
        new FuzzTargetDef(DsaFuzzTarget.TargetName, [], DsaFuzzTarget.TargetName,
            config => new DsaFuzzTarget(config),
            Enum.GetNames<DsaFuzzCanary>().Where(n => n != nameof(DsaFuzzCanary.None)).ToList(),
            new FuzzGateCanary(nameof(DsaFuzzCanary.FreeToFullSpanForgetsCount), 1, AreaGateCanaryExecs), AreaGateBurstExecs),
        DsaShow.Instance,
        DsaGoldenSet.Part,
    ];
}
