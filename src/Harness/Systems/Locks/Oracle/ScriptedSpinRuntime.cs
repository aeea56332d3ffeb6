// ScriptedSpinRuntime: the sync seam for the spin-delay oracle (SpinDelayRunner). One backend runs
// the port's S_LOCK (src/backend/storage/lmgr/s_lock.c: s_lock, perform_spin_delay) while this
// runtime plays the other backend that holds the spinlock: it releases the lock word once the
// waiter has failed a scripted number of spins, and otherwise lets it fail. Everything else is the
// sequential runtime's. It records what s_lock does through the seam and nothing more:
//   - every failed spin (SpinPause, SPIN_DELAY), counted over the wait;
//   - every sleep (SpinSleep, pg_usleep) with its length and the failed spin it came after;
//   - every draw (SpinDelayRandom, pg_prng_double), served from the wait's draw source.
// Unlike the sequential runtime, a spin here does not throw SimBlockedException: the holder is
// scripted, so the wait ends (or reaches the stuck-spinlock PANIC) without another backend running.
// A wait that goes on past every bound s_lock.c allows throws SpinBudgetExceededException, so a port
// that lost its PANIC ends the run instead of spinning forever.
using Allocator.Sync;
using Models.Locks;

namespace Harness.Systems.Locks.Oracle;

/// <summary>s_lock failed more spins than NUM_DELAYS + 1 rounds of MAX_SPINS_PER_DELAY without a PANIC.</summary>
public sealed class SpinBudgetExceededException(string message) : Exception(message);

public sealed class ScriptedSpinRuntime : ForwardingSyncRuntime
{
    /// <summary>No wait of a faithful port fails more spins than this (the PANIC comes first).</summary>
    public const long SpinBudget = (long)(SLockConstants.NUM_DELAYS + 2) * SLockConstants.MAX_SPINS_PER_DELAY;

    private readonly List<SpinSleep> _sleeps = new();
    private ulong _lockAddr;
    private long _releaseAfter;
    private Func<double> _draw = () => throw new InvalidOperationException("a draw outside a scripted wait");

    public ScriptedSpinRuntime(Allocator.Sim.SimMemory memory) : base(new SequentialSyncRuntime(memory)) { }

    /// <summary>Failed spins (SpinPause calls) of the current wait.</summary>
    public long Pauses { get; private set; }

    /// <summary>Draws the current wait took.</summary>
    public int DrawsTaken { get; private set; }

    /// <summary>The current wait's sleeps, in order.</summary>
    public IReadOnlyList<SpinSleep> Sleeps => _sleeps;

    /// <summary>Starts a wait: the lock at <paramref name="lockAddr"/> is taken by the scripted holder
    /// (when <paramref name="releaseAfter"/> is not null), who releases it once the waiter has failed
    /// that many spins (0: right after S_LOCK's first TAS fails; SpinDelayModel.Forever: never).</summary>
    public void Script(ulong lockAddr, long? releaseAfter, Func<double> draw)
    {
        _lockAddr = lockAddr;
        _releaseAfter = releaseAfter ?? 0;
        _draw = draw;
        Pauses = 0;
        DrawsTaken = 0;
        _sleeps.Clear();
        Memory.WriteU32(lockAddr, releaseAfter is null ? 0u : 1u);
    }

    public override uint TestAndSet(ulong addr)
    {
        uint old = base.TestAndSet(addr);
        if (old != 0 && addr == _lockAddr && Pauses >= _releaseAfter) Release();
        return old;
    }

    public override void SpinPause(ulong addr, uint observed)
    {
        if (addr != _lockAddr) throw new InvalidOperationException($"a spin on 0x{addr:x}, not on the scripted lock 0x{_lockAddr:x}");
        Pauses++;
        if (Pauses > SpinBudget)
            throw new SpinBudgetExceededException($"s_lock failed {Pauses} spins, after {_sleeps.Count} sleeps, without the stuck-spinlock PANIC");
        if (Pauses >= _releaseAfter) Release();
    }

    public override void SpinSleep(ulong addr, int usec)
    {
        if (addr != _lockAddr) throw new InvalidOperationException($"a sleep on 0x{addr:x}, not on the scripted lock 0x{_lockAddr:x}");
        _sleeps.Add(new SpinSleep(Pauses, usec));
    }

    public override double SpinDelayRandom()
    {
        DrawsTaken++;
        return _draw();
    }

    /// <summary>The holder's S_UNLOCK: a plain store of 0, as another backend's would be.</summary>
    private void Release() => Memory.WriteU32(_lockAddr, 0);
}
