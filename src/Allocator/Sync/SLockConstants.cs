// SLockConstants: the spin-delay constants of src/backend/storage/lmgr/s_lock.c (PostgreSQL 17).
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Sync;

public static class SLockConstants
{
    public const int MIN_SPINS_PER_DELAY = 10;
    public const int MAX_SPINS_PER_DELAY = 1000;
    /// <summary>Sleeps allowed before the next one reports a stuck spinlock (about 1-2 minutes of real time).</summary>
    public const int NUM_DELAYS = 1000;
    public const int MIN_DELAY_USEC = 1000;
    public const int MAX_DELAY_USEC = 1000000;
    public const int DEFAULT_SPINS_PER_DELAY = 100;
}
