// BuffersSystem: the registration of the shared buffer manager (src/Allocator/Buffers, Shmem,
// Storage; PostgreSQL's src/backend/storage/buffer: bufmgr.c, buf_init.c, buf_table.c,
// freelist.c, with dynahash.c). Everything the engines know about it is listed here: its FsCheck
// properties, its fuzz target, its concurrency scenarios for the explorer (Scenarios/) and the
// planted bugs (BufferCanary) each is expected to catch: the races among them only the explorer
// reaches (BufferScenarios.Planted).
using Allocator.Buffers;
using Harness.Core;
using Harness.Fuzz;
using Harness.Systems.Buffers.Fuzz;
using Harness.Systems.Buffers.Properties;
using Harness.Systems.Buffers.Scenarios;

namespace Harness.Systems.Buffers;

public sealed class BuffersSystem : ISystem
{
    public const string SystemName = "buffers";

    /// <summary>The fuzzer's CI budget for the planted bug: found within this many executions.</summary>
    public const long GateCanaryExecs = 3_000;

    /// <summary>The gate's burst on the correct port.</summary>
    public const long GateBurstExecs = 20_000;

    /// <summary>The planted bug the gate fuzzes for (the properties catch the others).</summary>
    public const string FuzzGateCanaryName = nameof(BufferCanary.UsageCountUncapped);

    public static IReadOnlyList<string> CanaryNames { get; } =
        Enum.GetNames<BufferCanary>().Where(n => n != nameof(BufferCanary.None)).ToList();

    public static BufferCanary ParseCanary(string name) => CanaryName.Parse<BufferCanary>(name);

    public string Name => SystemName;

    public IReadOnlyList<string> Aliases { get; } = ["bufmgr"];

    public string Description => "shared buffer manager: mapping table, pins, clock sweep, rings, I/O, WAL-before-data, checkpoints, drop/evict";

    public IReadOnlyList<ISystemPart> Parts { get; } =
    [
        BufferProperties.Suite,
        new FuzzTargetDef(BufferFuzzTarget.TargetName, [], SystemName,
            config => new BufferFuzzTarget(config),
            CanaryNames,
            new FuzzGateCanary(FuzzGateCanaryName, 1, GateCanaryExecs), GateBurstExecs),
        BufferScenarios.Set,
    ];
}
