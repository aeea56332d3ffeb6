// FpmWorkload: the shape of one FreePageManager run: pointer profile, managed pages, the starting
// state, whether FPM_EXTRA_ASSERTS' counter and the Check walker run ("checking"), PostgreSQL's
// root-page leak fixed or not, and a planted bug.
using Allocator.Dsa;

namespace Harness.Systems.Dsa.Oracle;

public sealed record FpmWorkload(PointerProfile Profile, FpmStart Start, ulong Pages, bool Checking,
    bool FixRootPageLeak = false, FpmCanary Canary = FpmCanary.None)
{
    /// <summary>Enough pages that the fragmented start has more isolated runs than a 64-bit leaf
    /// holds (depth 2 from the start), few enough that walking them after every op stays cheap.</summary>
    public const ulong DefaultPages = 1280;
}
