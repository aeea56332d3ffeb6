// SpinDelayModel: the reference model of PostgreSQL's adaptive spin delay
// (src/backend/storage/lmgr/s_lock.c, PostgreSQL 17: s_lock, perform_spin_delay,
// finish_spin_delay, set_spins_per_delay, update_spins_per_delay; proc.c's InitProcGlobal,
// InitProcess and ProcKill for where the shared estimate starts, is adopted and is folded back).
// It shares no code with the port: the constants are its own copies of s_lock.c's.
//
// The model predicts one whole spin wait at once, from how long the lock stays taken, instead of
// replaying the loop turn by turn:
//   M1  the k-th sleep (k = 1, 2, ...) happens at the failed spin k * spins_per_delay: every
//       failed spin counts, and the count starts again after each sleep;
//   M2  the first sleep lasts MIN_DELAY_USEC; after each sleep the next length is
//       d + (int)(d * r + 0.5), r the next draw in [0, 1); a length past MAX_DELAY_USEC wraps to
//       MIN_DELAY_USEC (it does not stick at the maximum); one draw per sleep, none otherwise;
//   M3  the sleep that would be number NUM_DELAYS + 1 is the stuck-spinlock PANIC instead: it
//       neither sleeps nor draws; a PANIC restarts the cluster (the shared estimate starts again at
//       DEFAULT_SPINS_PER_DELAY and the new backend adopts it);
//   M4  a wait that ends without a sleep raises spins_per_delay by 100 (at most
//       MAX_SPINS_PER_DELAY); one that slept lowers it by 1 (at least MIN_SPINS_PER_DELAY);
//       a lock taken at the first TAS never enters s_lock and changes nothing;
//   M5  a backend adopts the shared estimate when it starts; when it exits the shared estimate
//       becomes (shared * 15 + local) / 16, truncated.
namespace Models.Locks;

/// <summary>One sleep of a spin wait: after which failed spin (1-based, counted over the whole
/// wait) and for how many microseconds.</summary>
public readonly record struct SpinSleep(long AfterSpin, int Usec);

/// <summary>What one spin wait does: its sleeps in order, the failed spin at which it ended in the
/// stuck-spinlock PANIC (null: it got the lock), and spins_per_delay afterwards.</summary>
public sealed record SpinWaitPrediction(IReadOnlyList<SpinSleep> Sleeps, long? StuckAfterSpin, int SpinsPerDelayAfter)
{
    public bool Stuck => StuckAfterSpin is not null;

    /// <summary>s_lock's return value: the number of sleeps (meaningless when Stuck).</summary>
    public int Delays => Sleeps.Count;
}

public sealed class SpinDelayModel
{
    public const int MinSpinsPerDelay = 10;
    public const int MaxSpinsPerDelay = 1000;
    public const int DefaultSpinsPerDelay = 100;
    public const int NumDelays = 1000;
    public const int MinDelayUsec = 1000;
    public const int MaxDelayUsec = 1_000_000;

    /// <summary>A wait whose lock is never released.</summary>
    public const long Forever = long.MaxValue;

    /// <summary>A fresh cluster with one backend started (M3, M5).</summary>
    public SpinDelayModel() => ClusterRestart();

    /// <summary>The backend's spins_per_delay.</summary>
    public int SpinsPerDelay { get; private set; }

    /// <summary>ProcGlobal->spins_per_delay.</summary>
    public int SharedSpinsPerDelay { get; private set; }

    /// <summary>M3: after a PANIC the postmaster reinitialises shared memory and a new backend starts.</summary>
    public void ClusterRestart()
    {
        SharedSpinsPerDelay = DefaultSpinsPerDelay;
        SpinsPerDelay = SharedSpinsPerDelay;
    }

    /// <summary>M5: the backend exits and a new one starts in its place.</summary>
    public void BackendRestart()
    {
        SharedSpinsPerDelay = (SharedSpinsPerDelay * 15 + SpinsPerDelay) / 16;
        SpinsPerDelay = SharedSpinsPerDelay;
    }

    /// <summary>The length of the sleep after one of <paramref name="usec"/>, given the draw (M2).</summary>
    public static int NextDelay(int usec, double draw)
    {
        int grown = usec + (int)(usec * draw + 0.5);
        return grown > MaxDelayUsec ? MinDelayUsec : grown;
    }

    /// <summary>A spin wait in s_lock: the lock was taken at S_LOCK's TAS and stays taken for
    /// <paramref name="failedSpins"/> more tries (Forever: never released). Draws come from
    /// <paramref name="draw"/>, one per sleep. Updates SpinsPerDelay, or restarts the cluster on a PANIC.</summary>
    public SpinWaitPrediction Wait(long failedSpins, Func<double> draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failedSpins);
        long perSleep = SpinsPerDelay;
        long attempts = failedSpins / perSleep;                 // M1: how many times the count reached spins_per_delay
        bool stuck = attempts > NumDelays;                      // M3
        long sleeps = Math.Min(attempts, NumDelays);
        var list = new List<SpinSleep>((int)Math.Min(sleeps, 64));
        int usec = MinDelayUsec;
        for (long k = 1; k <= sleeps; k++)
        {
            list.Add(new SpinSleep(k * perSleep, usec));
            usec = NextDelay(usec, draw());
        }
        if (stuck)
        {
            ClusterRestart();
            return new SpinWaitPrediction(list, (NumDelays + 1) * perSleep, SpinsPerDelay);
        }
        SpinsPerDelay = sleeps == 0                            // M4
            ? Math.Min(SpinsPerDelay + 100, MaxSpinsPerDelay)
            : Math.Max(SpinsPerDelay - 1, MinSpinsPerDelay);
        return new SpinWaitPrediction(list, null, SpinsPerDelay);
    }
}
