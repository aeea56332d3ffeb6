// MmgrSystem: the registration of the memory-context system (src/Allocator/Mmgr, PostgreSQL's
// src/backend/utils/mmgr: mcxt.c, aset.c, generation.c, slab.c, bump.c). Everything the engines
// know about it is listed here: its FsCheck properties, its fuzz target, the planted bug the gate
// fuzzes for. It has no concurrency scenarios (memory contexts are backend-local).
using Allocator.Mmgr;
using Harness.Core;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Fuzz;
using Harness.Systems.Mmgr.Golden;
using Harness.Systems.Mmgr.Properties;

namespace Harness.Systems.Mmgr;

public sealed class MmgrSystem : ISystem
{
    public const string SystemName = "mmgr";

    /// <summary>The fuzzer's CI budget for the planted bug: found within this many executions.</summary>
    public const long GateCanaryExecs = 2_000;

    /// <summary>The gate's burst on the correct port: about 15 s on the 2-core CI machine with two
    /// workers (the target, uninstrumented, runs ~23,000 exec/s there).</summary>
    public const long GateBurstExecs = 300_000;

    public string Name => SystemName;

    /// <summary>Before there were several systems, this one was "allocator".</summary>
    public IReadOnlyList<string> Aliases { get; } = [AllocatorFuzzTarget.OldName];

    public string Description => "memory contexts: palloc/pfree/repalloc, the context tree, AllocSet, Generation, Slab, Bump";

    public IReadOnlyList<ISystemPart> Parts { get; } =
    [
        AllocatorProperties.Suite,
        new FuzzTargetDef(AllocatorFuzzTarget.TargetName, [AllocatorFuzzTarget.OldName], SystemName,
            config => new AllocatorFuzzTarget(config),
            AllocatorProperties.Suite.Canaries,
            new FuzzGateCanary(nameof(AllocatorCanary.FreelistIndexOffByOne), 1, GateCanaryExecs), GateBurstExecs),
        GoldenSet.Part,
    ];
}
