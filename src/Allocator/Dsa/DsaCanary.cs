// DsaCanary: deliberately broken variants of the dsa.c port, switched on only by the harness's
// canary scenarios (DsaOptions.Canary) to prove that the explorer's DSA scenarios catch each one.
// Each flag is one decision of the locking model of spec 9.15 made wrong, and each is a race:
// another backend must act inside a window of the broken one's steps, so only the explorer's
// scenarios (src/Harness/Systems/Dsa/Scenarios) reach them; each names its scenario. None is
// PostgreSQL 17.
namespace Allocator.Dsa;

[Flags]
public enum DsaCanary
{
    None = 0,
    /// <summary>dsa_free (small object) pushes the object on its span's free list before taking the
    /// pool lock instead of after it (dsa-one-class).</summary>
    FreeListPushBeforePoolLock = 1,
    /// <summary>dsa_free (large object) unlinks the span from pool 1's list without pool 1's lock
    /// (dsa-large).</summary>
    LargeUnlinkWithoutPoolLock = 2,
    /// <summary>dsa_get_address skips check_for_freed_segments, so a backend keeps using its mapping of
    /// a freed segment after the slot was reused (dsa-slot-reuse; the hazard of 38763d6778).</summary>
    SkipFreedSegmentCheck = 4,
    /// <summary>attach_internal takes a reference even when refcnt is already 0, as before fddf45b380
    /// (dsa-attach-detach).</summary>
    AttachIgnoresZeroRefcnt = 8,
    /// <summary>dsa_free (large object) rebins the segment after releasing the area lock instead of
    /// under it (dsa-rebin).</summary>
    RebinWithoutAreaLock = 16,
}
