// DsaShow: `harness show dsa FILE [--step N]`: replays a dsa_area input (as `harness dsa` loads it)
// up to step N and prints dsa_dump: the area's handle, limits and refcount, each segment bin with
// its segments (usable pages, largest free run), and each pool's spans with their free objects.
using Harness.Core;
using Harness.Properties;

namespace Harness.Systems.Dsa.Cli;

public sealed class DsaShow : IStateShow
{
    public static DsaShow Instance { get; } = new();

    public string Engine => "show";

    public string Summary => "show dsa FILE [--step N]: dsa_dump after replaying a dsa_area input";

    public int Show(string path, long step, TextWriter stdout) =>
        DsaCommand.Replay(path, step, trace: false, dump: true, DsaCommand.DefaultProperty, PropertySuite.NoCanary, stdout);
}
