// DsaWorkload: the shape of one dsa_area run: pointer width, the first segment's size (1 MiB as
// dsa_create makes it, or DSA_MIN_SEGMENT_SIZE), the size limit the run starts with ("fixed": equal
// to the first segment, so the area can never grow), how many backends, whether the DsaCheck walker
// and full content checks run after every op ("checking"), the fixes for the known findings D1
// (superblock span leak) and F1 (FreePageManager root-page leak), and a planted bug (in dsa.c or
// in every segment's FreePageManager).
using Allocator.Dsa;

namespace Harness.Systems.Dsa.Oracle;

public sealed record DsaWorkload(PointerProfile Profile, ulong InitSegmentSize, ulong Limit, int Backends, bool Checking,
    bool FixSuperblockSpanLeak = false, bool FixRootPageLeak = false, DsaFuzzCanary Canary = DsaFuzzCanary.None,
    FpmCanary FpmCanary = FpmCanary.None)
{
    /// <summary>The largest limit a run sets: keeps every run's segments (and the DSM slots they use)
    /// small and few.</summary>
    public const ulong MaxLimit = 8 << 20;

    /// <summary>The default limit: room for a few segments beyond the first.</summary>
    public const ulong DefaultLimit = 4 << 20;

    public DsaLayout Layout => Profile == PointerProfile.Bits64 ? DsaLayout.Wide : DsaLayout.Small;

    public override string ToString() =>
        $"{(Profile == PointerProfile.Bits64 ? 64 : 32)}-bit, first segment {InitSegmentSize >> 10} KiB, limit {Limit >> 10} KiB, {Backends} backends"
        + (Checking ? "" : ", checking off") + (FixSuperblockSpanLeak ? ", D1 fixed" : "") + (FixRootPageLeak ? ", F1 fixed" : "")
        + (Canary == DsaFuzzCanary.None ? "" : $", canary {Canary}") + (FpmCanary == FpmCanary.None ? "" : $", canary {FpmCanary}");
}
