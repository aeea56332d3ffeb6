// SpinDelayStatus: the state of one spin-wait loop (struct SpinDelayStatus of s_lock.h).
//
// Divergence from PostgreSQL, for the simulation only: WatchAddr/WatchValue record the word the
// loop is waiting on and its last observed value, so the explorer's blocking-spin mode can park
// the backend until that word changes instead of burning scheduled steps.
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Sync;

public struct SpinDelayStatus
{
    public int spins;
    public int delays;
    public int cur_delay;
    public string file;
    public int line;
    public string func;
    public ulong WatchAddr;
    public uint WatchValue;

    /// <summary>init_spin_delay.</summary>
    public static SpinDelayStatus Init(ulong watchAddr, string file, int line, string func) =>
        new() { spins = 0, delays = 0, cur_delay = 0, file = file, line = line, func = func, WatchAddr = watchAddr };
}
