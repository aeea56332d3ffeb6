// DsaSystem: the registration of dynamic shared memory (src/Allocator/Dsa; PostgreSQL's
// src/backend/utils/mmgr/freepage.c, later dsa.c). Everything the engines know about it is listed
// here. So far: the FreePageManager's FsCheck properties (Properties/FpmProperties) and its fuzz
// target (Fuzz/FpmFuzzTarget), with their planted bugs (FpmCanary).
using Harness.Core;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa;

public sealed class DsaSystem : ISystem
{
    public const string SystemName = "dsa";

    public string Name => SystemName;

    public IReadOnlyList<string> Aliases { get; } = ["fpm"];

    public string Description => "dynamic shared memory: relptr and the FreePageManager (freepage.c), 64- and 32-bit pointer profiles";

    public IReadOnlyList<ISystemPart> Parts { get; } =
    [
        FpmProperties.Suite,
    ];
}
