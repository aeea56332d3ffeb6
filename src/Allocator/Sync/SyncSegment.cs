// SyncSegment: a shared-memory segment holding the sync objects of a group of simulated backends:
// a header, NumProcs PGPROC records, NumLWLocks LWLocks, NumSpinLocks spinlock words,
// NumVars 64-bit atomic variables (LWLockWaitForVar/UpdateVar), and ScratchBytes of plain space
// for the client's own shared fields. It plays the part of PostgreSQL's shared memory
// initialisation (CreateSharedMemoryAndSemaphores/InitProcGlobal/LWLock array) for the sync layer.
//
// Layout (all offsets 8-aligned; the segment is mapped at Base in every backend):
//   +0   spins_per_delay (shared value, s_lock.c's "spins_per_delay" in ProcGlobal)
//   +8   PGPROC[NumProcs]           PgProcLayout.PROC_SIZE each
//   ...  LWLock[NumLWLocks]         LWLock.SIZE each
//   ...  slock_t[NumSpinLocks]      4 bytes each (int, as on ARM; 0 = free)
//   ...  pg_atomic_uint64[NumVars]  8 bytes each
//   ...  scratch[ScratchBytes]
//
// Reset() re-initialises everything in place (the backing array never moves, which the production
// runtime's Interlocked operations rely on), so one segment serves many explorer iterations.
using Allocator.Sim;

namespace Allocator.Sync;

public sealed class SyncSegment
{
    /// <summary>Where segments are mapped unless told otherwise: the first region slot.</summary>
    public const ulong DefaultBase = SimMemory.RegionBase;

    public string Name { get; }
    public ulong Base { get; }
    public int NumProcs { get; }
    public int NumLWLocks { get; }
    public int NumSpinLocks { get; }
    public int NumVars { get; }
    public int ScratchBytes { get; }
    public byte[] Backing { get; }

    private readonly ulong _procsOff, _lwlocksOff, _spinOff, _varsOff, _scratchOff;
    private readonly string[] _lwlockNames;
    private readonly ushort[] _lwlockTranche;
    private readonly List<string> _trancheNames = new() { "main" };

    /// <summary>The shared spins_per_delay every backend adopts at start (set_spins_per_delay); written
    /// by Reset(). PostgreSQL starts at DEFAULT_SPINS_PER_DELAY and converges towards MIN on a
    /// uniprocessor, which is what a one-backend-at-a-time explorer is.</summary>
    public int InitialSpinsPerDelay { get; set; } = SLockConstants.DEFAULT_SPINS_PER_DELAY;

    /// <summary>Whether backends attached from now on check the §18 lock-order rules (LockOrderCheck).</summary>
    public bool CheckLockOrder { get; set; } = true;

    /// <summary>What the segment's LWLocks and spinlocks are, for LockOrderCheck's rules and messages;
    /// set by the system that owns them (null: every LWLock is a plain one, named by LWLockName).</summary>
    public ILockClassifier? LockClassifier { get; set; }

    /// <summary>The segment's own mapping: used for initialisation and by checkers at quiescence.</summary>
    public SimMemory InitMemory { get; }

    public SyncSegment(int numProcs, int numLWLocks, int numSpinLocks = 0, int numVars = 0, int scratchBytes = 0,
        string name = "sync", ulong @base = DefaultBase)
    {
        if (numProcs < 1 || numProcs > 64) throw new ArgumentOutOfRangeException(nameof(numProcs), "1..64 backends");
        if (numLWLocks < 0 || numSpinLocks < 0 || numVars < 0 || scratchBytes < 0) throw new ArgumentOutOfRangeException(nameof(numLWLocks));
        Name = name;
        Base = @base;
        NumProcs = numProcs;
        NumLWLocks = numLWLocks;
        NumSpinLocks = numSpinLocks;
        NumVars = numVars;
        ScratchBytes = scratchBytes;
        ulong off = 8;
        _procsOff = off; off = Align8(off + (ulong)numProcs * PgProcLayout.PROC_SIZE);
        _lwlocksOff = off; off = Align8(off + (ulong)numLWLocks * LWLock.SIZE);
        _spinOff = off; off = Align8(off + (ulong)numSpinLocks * 4);
        _varsOff = off; off = Align8(off + (ulong)numVars * 8);
        _scratchOff = off; off = Align8(off + (ulong)scratchBytes);
        Backing = new byte[off];
        _lwlockNames = new string[numLWLocks];
        _lwlockTranche = new ushort[numLWLocks];
        for (int i = 0; i < numLWLocks; i++) _lwlockNames[i] = $"lwlock{i}";
        InitMemory = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
        MapInto(InitMemory);
        Reset();
    }

    private static ulong Align8(ulong x) => (x + 7) & ~7UL;

    /// <summary>Maps this segment into a backend's address space at Base.</summary>
    public SimRegion MapInto(SimMemory mem) => mem.MapRegion(Name, Backing, Base);

    /// <summary>Names LWLock <paramref name="index"/> (for errors, traces, deadlock reports).</summary>
    public void SetLWLockName(int index, string name, string? tranche = null)
    {
        _lwlockNames[index] = name;
        if (tranche is not null)
        {
            int t = _trancheNames.IndexOf(tranche);
            if (t < 0) { _trancheNames.Add(tranche); t = _trancheNames.Count - 1; }
            _lwlockTranche[index] = (ushort)t;
        }
    }

    /// <summary>Zeroes the segment and initialises every PGPROC, LWLock, spinlock and variable.
    /// Only while no backend runs.</summary>
    public void Reset()
    {
        Array.Clear(Backing);
        SimMemory m = InitMemory;
        m.WriteU32(Base, (uint)InitialSpinsPerDelay);
        for (int p = 0; p < NumProcs; p++)
        {
            ulong a = ProcAddr(p);
            m.WriteU32(a + PgProcLayout.OFF_lwWaiting, (uint)LWLockWaitState.LW_WS_NOT_WAITING);
            m.WriteU32(a + PgProcLayout.OFF_lwWaitMode, 0);
            m.WriteU32(a + PgProcLayout.OFF_lwWaitLink_next, 0);
            m.WriteU32(a + PgProcLayout.OFF_lwWaitLink_prev, 0);
            m.WriteU32(a + PgProcLayout.OFF_sem, 0); // PGSemaphoreReset
            // InitSharedLatch + OwnLatch: clear, owner awake, no pending wake-up
            m.WriteU32(a + PgProcLayout.OFF_procLatch_is_set, 0);
            m.WriteU32(a + PgProcLayout.OFF_procLatch_maybe_sleeping, 0);
            m.WriteU32(a + PgProcLayout.OFF_procLatch_sem, 0);
            m.WriteU32(a + PgProcLayout.OFF_cvWaitLink_next, 0);
            m.WriteU32(a + PgProcLayout.OFF_cvWaitLink_prev, 0);
        }
        for (int i = 0; i < NumLWLocks; i++) LWLock.Initialize(m, GetLWLock(i), _lwlockTranche[i]);
        // S_INIT_LOCK: 0 = free; the variables start at 0 (cleared above).
    }

    public ulong SharedSpinsPerDelayAddr => Base;

    public ulong ProcAddr(int procno)
    {
        if ((uint)procno >= (uint)NumProcs) throw new ArgumentOutOfRangeException(nameof(procno));
        return Base + _procsOff + (ulong)procno * PgProcLayout.PROC_SIZE;
    }

    public ulong SemAddr(int procno) => ProcAddr(procno) + PgProcLayout.OFF_sem;

    /// <summary>&amp;allProcs[procno].procLatch.is_set.</summary>
    public ulong LatchIsSetAddr(int procno) => ProcAddr(procno) + PgProcLayout.OFF_procLatch_is_set;

    /// <summary>&amp;allProcs[procno].procLatch.maybe_sleeping.</summary>
    public ulong LatchMaybeSleepingAddr(int procno) => ProcAddr(procno) + PgProcLayout.OFF_procLatch_maybe_sleeping;

    /// <summary>The latch's wake-up semaphore (see PgProcLayout).</summary>
    public ulong LatchSemAddr(int procno) => ProcAddr(procno) + PgProcLayout.OFF_procLatch_sem;

    public LWLock GetLWLock(int index)
    {
        if ((uint)index >= (uint)NumLWLocks) throw new ArgumentOutOfRangeException(nameof(index));
        return new LWLock(Base + _lwlocksOff + (ulong)index * LWLock.SIZE);
    }

    /// <summary>The index of the LWLock at <paramref name="lock_"/>, or -1 if it is not one of ours.</summary>
    public int LWLockIndex(LWLock lock_)
    {
        ulong first = Base + _lwlocksOff;
        if (lock_.Address < first) return -1;
        ulong d = lock_.Address - first;
        if (d % LWLock.SIZE != 0 || d / LWLock.SIZE >= (ulong)NumLWLocks) return -1;
        return (int)(d / LWLock.SIZE);
    }

    /// <summary>T_NAME(lock): the lock's name, or its tranche's.</summary>
    public string LWLockName(LWLock lock_)
    {
        int i = LWLockIndex(lock_);
        return i < 0 ? lock_.ToString() : _lwlockNames[i];
    }

    public string TrancheName(int index) => _trancheNames[_lwlockTranche[index]];

    public ulong SpinLockAddr(int index)
    {
        if ((uint)index >= (uint)NumSpinLocks) throw new ArgumentOutOfRangeException(nameof(index));
        return Base + _spinOff + (ulong)index * 4;
    }

    public ulong VarAddr(int index)
    {
        if ((uint)index >= (uint)NumVars) throw new ArgumentOutOfRangeException(nameof(index));
        return Base + _varsOff + (ulong)index * 8;
    }

    public ulong ScratchAddr(int offset)
    {
        if (offset < 0 || offset >= ScratchBytes) throw new ArgumentOutOfRangeException(nameof(offset));
        return Base + _scratchOff + (ulong)offset;
    }

    /// <summary>Gives every object a readable name in <paramref name="runtime"/> (traces, reports).</summary>
    public void NameObjects(ISyncRuntime runtime)
    {
        for (int p = 0; p < NumProcs; p++)
        {
            runtime.NameObject(SemAddr(p), $"sem[{p}]");
            runtime.NameObject(ProcAddr(p) + PgProcLayout.OFF_lwWaiting, $"proc[{p}].lwWaiting");
            runtime.NameObject(LatchIsSetAddr(p), $"proc[{p}].procLatch.is_set");
            runtime.NameObject(LatchMaybeSleepingAddr(p), $"proc[{p}].procLatch.maybe_sleeping");
            runtime.NameObject(LatchSemAddr(p), $"proc[{p}].procLatch.sem");
        }
        for (int i = 0; i < NumLWLocks; i++) runtime.NameObject(GetLWLock(i).StateAddr, _lwlockNames[i]);
        for (int i = 0; i < NumSpinLocks; i++) runtime.NameObject(SpinLockAddr(i), $"spin{i}");
        for (int i = 0; i < NumVars; i++) runtime.NameObject(VarAddr(i), $"var{i}");
    }
}
