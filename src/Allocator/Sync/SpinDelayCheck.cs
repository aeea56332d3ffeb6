// SpinDelayCheck: the bounds s_lock.c keeps on its spin-wait state (src/backend/storage/lmgr/s_lock.c,
// PostgreSQL 17: perform_spin_delay, finish_spin_delay, set/update_spins_per_delay) and the spinlock
// words of a sync segment. Check() runs at quiescence, as part of LWLockCheck, reading through the
// segment's own mapping; CheckStatus() judges one SpinDelayStatus between two perform_spin_delay
// calls, and s_lock asserts it on every turn of its loop (the loop-local state exists only there).
//
// Invariants (numbered; a violation names its number):
//   SD1  the shared spins_per_delay (ProcGlobal's) is within [MIN_SPINS_PER_DELAY,
//        MAX_SPINS_PER_DELAY]: update_spins_per_delay averages two values that both are.
//   SD2  each backend's spins_per_delay is within the same bounds (finish_spin_delay clamps to them;
//        set_spins_per_delay adopts the shared value).
//   SD3  every spinlock word of the segment is free (0) at quiescence: a spinlock is held for a few
//        instructions only, never across a return to the caller's caller.
//   SD4  (CheckStatus) 0 <= spins < spins_per_delay after perform_spin_delay (it resets at the bound);
//        0 <= delays <= NUM_DELAYS (one more is the stuck-spinlock PANIC); cur_delay is 0 exactly
//        while no delay happened, and otherwise within [MIN_DELAY_USEC, MAX_DELAY_USEC] (it grows by
//        1x-2x and wraps back to the minimum once it exceeds the maximum).
#pragma warning disable CA1707 // PostgreSQL's names
using static Allocator.Sync.SLockConstants;

namespace Allocator.Sync;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class SpinDelayCheck
{
    public static List<string> Check(SyncSegment seg, IReadOnlyList<SyncBackend?> backends)
    {
        var errors = new List<string>();
        var mem = seg.InitMemory;
        int shared = (int)mem.ReadU32(seg.SharedSpinsPerDelayAddr);
        if (shared < MIN_SPINS_PER_DELAY || shared > MAX_SPINS_PER_DELAY)
            errors.Add($"SD1: shared spins_per_delay {shared} outside [{MIN_SPINS_PER_DELAY}, {MAX_SPINS_PER_DELAY}]");
        foreach (SyncBackend? b in backends)
        {
            if (b is null) continue;
            if (b.spins_per_delay < MIN_SPINS_PER_DELAY || b.spins_per_delay > MAX_SPINS_PER_DELAY)
                errors.Add($"SD2: backend {b.MyProcNumber}: spins_per_delay {b.spins_per_delay} outside [{MIN_SPINS_PER_DELAY}, {MAX_SPINS_PER_DELAY}]");
        }
        for (int i = 0; i < seg.NumSpinLocks; i++)
        {
            uint w = mem.ReadU32(seg.SpinLockAddr(i));
            if (w != 0) errors.Add($"SD3: spin{i} is held (word {w}) at quiescence");
        }
        return errors;
    }

    /// <summary>SD4 for one spin-wait loop's state, given the backend's spins_per_delay; null when it holds.</summary>
    public static string? CheckStatus(in SpinDelayStatus s, int spinsPerDelay)
    {
        if (s.spins < 0 || s.spins >= Math.Max(spinsPerDelay, 1))
            return $"SD4: {s.func}: spins {s.spins} outside [0, spins_per_delay {spinsPerDelay})";
        if (s.delays < 0 || s.delays > NUM_DELAYS)
            return $"SD4: {s.func}: delays {s.delays} outside [0, NUM_DELAYS {NUM_DELAYS}]";
        if ((s.cur_delay == 0) != (s.delays == 0))
            return $"SD4: {s.func}: cur_delay {s.cur_delay} after {s.delays} delay(s)";
        if (s.cur_delay != 0 && (s.cur_delay < MIN_DELAY_USEC || s.cur_delay > MAX_DELAY_USEC))
            return $"SD4: {s.func}: cur_delay {s.cur_delay} outside [{MIN_DELAY_USEC}, {MAX_DELAY_USEC}]";
        return null;
    }
}
