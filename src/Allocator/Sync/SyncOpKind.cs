// SyncOpKind: every kind of shared-memory interaction the port makes through the sync seam
// (ISyncRuntime). Each has a fixed access (SyncOps.AccessOf) and a short name for traces.
//
// The numeric values are part of the schedule token format (the validation stream records the
// kind of every step): append new kinds at the end, never renumber.
namespace Allocator.Sync;

public enum SyncOpKind : byte
{
    AtomicRead32 = 0,
    AtomicWrite32 = 1,
    AtomicCas32 = 2,
    AtomicExchange32 = 3,
    AtomicFetchAdd32 = 4,
    AtomicFetchSub32 = 5,
    AtomicFetchOr32 = 6,
    AtomicFetchAnd32 = 7,
    AtomicRead64 = 8,
    AtomicWrite64 = 9,
    AtomicCas64 = 10,
    AtomicExchange64 = 11,
    AtomicFetchAdd64 = 12,
    /// <summary>TAS(lock): atomic exchange of the spinlock word with 1.</summary>
    SpinTas = 13,
    /// <summary>S_UNLOCK(lock): store of 0 into the spinlock word.</summary>
    SpinRelease = 14,
    /// <summary>One pass of perform_spin_delay's pause (a failed spin).</summary>
    SpinPause = 15,
    /// <summary>perform_spin_delay's pg_usleep between spin rounds.</summary>
    SpinSleep = 16,
    /// <summary>PGSemaphoreLock (P): blocks while the count is zero.</summary>
    SemLock = 17,
    /// <summary>PGSemaphoreUnlock (V).</summary>
    SemUnlock = 18,
    /// <summary>Unlocked read of a plain shared field.</summary>
    SharedRead = 19,
    /// <summary>Unlocked store to a plain shared field.</summary>
    SharedWrite = 20,
}

/// <summary>Facts about each <see cref="SyncOpKind"/>.</summary>
public static class SyncOps
{
    public const int KindCount = 21;

    private static readonly SyncAccess[] Access =
    [
        SyncAccess.Read, SyncAccess.Write, SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite,
        SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite,
        SyncAccess.Read, SyncAccess.Write, SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite,
        SyncAccess.ReadModifyWrite, SyncAccess.Write, SyncAccess.Read, SyncAccess.Read,
        SyncAccess.ReadModifyWrite, SyncAccess.ReadModifyWrite, SyncAccess.Read, SyncAccess.Write,
    ];

    private static readonly string[] Names =
    [
        "read32", "write32", "cas32", "xchg32", "add32", "sub32", "or32", "and32",
        "read64", "write64", "cas64", "xchg64", "add64",
        "tas", "s_unlock", "spin", "spin-sleep", "sem-P", "sem-V", "shared-read", "shared-write",
    ];

    public static SyncAccess AccessOf(SyncOpKind kind) => Access[(int)kind];

    public static string NameOf(SyncOpKind kind) => (int)kind < Names.Length ? Names[(int)kind] : $"kind{(int)kind}";

    /// <summary>True for the kinds that may block the caller (its wait condition is not always true).</summary>
    public static bool MayBlock(SyncOpKind kind) => kind is SyncOpKind.SemLock or SyncOpKind.SpinPause;
}
