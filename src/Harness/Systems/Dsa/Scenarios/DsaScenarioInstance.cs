// DsaScenarioInstance: the common frame of DSA's concurrency scenarios (dsa.c, PostgreSQL 17, spec
// 9.15). One DsmControl per instance, reset in place every iteration (every segment destroyed, the
// handle generator back at its seed). A setup backend (the spare proc slot, over a sequential
// runtime, run before the iteration and never during it) creates the area with a 256 KiB first
// segment, so a few superblocks or large objects fill a segment and the next one needs a new
// segment, and lays out what the scenario needs; each explored backend attaches in its body
// (dsa_attach takes DynamicSharedMemoryControlLock and the area lock: scheduling points) and maps
// segments at its own base. Scheduling points are those of the port: every LWLock operation of the
// area and pool locks, the unlocked reads of 9.15 (the shared freed_segment_counter, a
// segment_handles entry, the freed flag, the pagemap entry and span fields dsa_free reads), and
// the control lock of dsm.c.
//
// Oracles:
//   - content: every allocation gets a pattern (a function of its dsa_pointer) at its first 16
//     bytes, every 512th and its last byte, written through the allocating backend's mapping; the
//     pattern is checked through the freeing backend's mapping before each free and, at the end,
//     through the setup backend's for every live allocation (DSA13's preservation);
//   - a dsa_pointer handed out while live (Live holds it) is a double allocation;
//   - at every quiescent point (each backend between operations or exited; checked when an
//     operation ends) and at the end: DsaCheck's walk of DSA1-DSA14 with the live set, over the
//     setup backend's area and every explored backend's (their private maps, counters, held
//     locks). The walk takes no scheduling point, so it does not change the schedules explored;
//   - deadlock, lost wake-up and the lock-order assertion of 9.15 (DsaOptions.CheckLockOrder) come
//     from the explorer and the port.
// The live set is managed state: a pointer enters it in the step dsa_allocate returns in and
// leaves it before dsa_free's first scheduling point, so no other backend can be handed it in
// between. FixRootPageLeak is on: PostgreSQL's FreePageManager root-page leak (finding F1) would
// keep a segment from ever looking free, which hides the segment-lifetime races these scenarios
// are about; it is a sequential bug the FPM properties own.
using Allocator.Dsa;
using Allocator.Shmem;
using Allocator.Sync;
using Harness.Explore;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public abstract class DsaScenarioInstance : ScenarioInstance
{
    /// <summary>The first segment's size (DSA_MIN_SEGMENT_SIZE: 62 usable pages).</summary>
    public const ulong InitSegmentSize = DsaSizeClasses.DSA_MIN_SEGMENT_SIZE;
    public const int Tranche = 100;
    public const ulong Page = FpmLayout.FPM_PAGE_SIZE;

    protected readonly IReadOnlyList<ISyncRuntime> Rt;
    protected readonly DsmControl Control;
    private readonly SyncSegment _main;
    public const int BulletinBytes = 64;
    public DsaOptions Options { get; }

    /// <summary>The explored backends of the current iteration (attached again by every Reset).</summary>
    protected readonly DsmBackend[] B;
    /// <summary>Each explored backend's area once its body has attached it (null before, or after it detached).</summary>
    protected readonly DsaArea?[] A;
    /// <summary>The setup backend's area (null for a scenario whose backends create it).</summary>
    protected DsaArea? SetupArea { get; private set; }
    /// <summary>The area's handle for this iteration.</summary>
    protected uint Handle { get; set; }

    /// <summary>Live allocations: dsa_pointer to requested size.</summary>
    protected readonly SortedDictionary<ulong, ulong> Live = new();

    private readonly Action[] _bodies;

    protected DsaScenarioInstance(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes, DsaCanary canary)
        : base(config)
    {
        Rt = runtimes;
        // the main shared memory segment: the DSM control lock and a bulletin board (BulletinBytes of
        // scratch), mapped at the same address in every backend, where a creator publishes what
        // others need to attach (PostgreSQL passes a dsa handle through a shm_toc the same way)
        _main = new SyncSegment(config.Backends + 1, 1, scratchBytes: BulletinBytes, name: "dsa scenario main");
        Control = new DsmControl(new DsmControlOptions(MaxBackends: config.Backends, Seed: 1), _main, 0);
        Options = new DsaOptions { Canary = canary, Fpm = new FpmOptions { FixRootPageLeak = true } };
        B = new DsmBackend[config.Backends];
        A = new DsaArea?[config.Backends];
        _bodies = new Action[config.Backends];
        _busy = new bool[config.Backends];
        for (int i = 0; i < config.Backends; i++)
        {
            int me = i;
            _bodies[i] = () => Run(me);
        }
    }

    public override Action[] Bodies => _bodies;

    /// <summary>Whether the setup backend creates the area (else the bodies do).</summary>
    protected virtual bool SetupCreatesArea => true;

    protected abstract void Body(int me);

    /// <summary>What the setup backend lays out in the new area before the iteration.</summary>
    protected virtual void OnSetup(DsaArea setup) { }

    /// <summary>Scenario state for a new iteration (after OnSetup).</summary>
    protected virtual void OnReset() { }

    /// <summary>The setup backend's proc number (the spare slot).</summary>
    private int SetupProc => B.Length;

    public override void Reset()
    {
        _main.Reset();
        Control.Reset();
        Live.Clear();
        DsmBackend setup = Control.Attach(SetupProc, m => new SequentialSyncRuntime(m));
        SetupArea = null;
        if (SetupCreatesArea)
        {
            SetupArea = DsaArea.dsa_create_ext(setup, Tranche, InitSegmentSize, DsaLayout.Wide.P.DSA_MAX_SEGMENT_SIZE, null, Options);
            Handle = SetupArea.dsa_get_handle();
            OnSetup(SetupArea);
        }
        for (int i = 0; i < B.Length; i++)
        {
            B[i] = Control.Attach(i, Rt[i]);
            A[i] = null;
            _busy[i] = false;
        }
        OnReset();
    }

    /// <summary>The address of byte <paramref name="offset"/> of the bulletin board (the same in every backend).</summary>
    protected ulong Bulletin(int offset) => _main.ScratchAddr(offset);

    /// <summary>Waits (a blocking spin: the explorer runs the waiter again only once the word
    /// changed) until the 32-bit word at <paramref name="addr"/> is non-zero, and returns the 64-bit
    /// word there.</summary>
    protected ulong WaitNonZero(int me, ulong addr)
    {
        while (Rt[me].SharedRead32(addr) == 0) Rt[me].SpinPause(addr, 0);
        return Rt[me].SharedRead64(addr);
    }

    /// <summary>dsa_attach for backend <paramref name="me"/>, naming the area's locks for traces.</summary>
    protected DsaArea Attach(int me)
    {
        DsaArea a = DsaArea.dsa_attach(B[me], Handle, null, Options);
        A[me] = a;
        NameLocks(me, a);
        return a;
    }

    protected void NameLocks(int me, DsaArea a)
    {
        Rt[me].NameObject(a.AreaLock.StateAddr, "dsa area lock");
        for (int c = 0; c < DsaLayout.Wide.Classes.DSA_NUM_SIZE_CLASSES; c++) Rt[me].NameObject(a.PoolLock(c).StateAddr, $"dsa pool lock {c}");
    }

    public override IEnumerable<(ulong Obj, string Mode)> HeldBy(int backend)
    {
        DsmBackend? b = B[backend];
        if (b is null) yield break;
        for (int h = 0; h < b.Backend.LWLocks.NumHeld; h++)
        {
            var e = b.Backend.LWLocks.Held(h);
            yield return (e.Lock.StateAddr, LWLockBackend.ModeName(e.Mode));
        }
    }

    // ---- allocations and their content

    private static byte Pattern(ulong dp, ulong j) => (byte)(dp * 31 + j * 7 + 1);

    private static IEnumerable<ulong> Probe(ulong size)
    {
        for (ulong j = 0; j < Math.Min(size, 16); j++) yield return j;
        for (ulong j = 16; j < size; j += 512) yield return j;
        if (size > 16) yield return size - 1;
    }

    /// <summary>Writes the pattern of <paramref name="dp"/> through <paramref name="a"/>'s mapping.</summary>
    protected static void WritePattern(DsaArea a, ulong dp, ulong size)
    {
        ulong p = a.dsa_get_address(dp);
        foreach (ulong j in Probe(size)) a.M.WriteU8(p + j, Pattern(dp, j));
    }

    /// <summary>Checks the pattern of <paramref name="dp"/> through <paramref name="a"/>'s mapping.</summary>
    protected static void CheckPattern(DsaArea a, ulong dp, ulong size, string who)
    {
        ulong p = a.dsa_get_address(dp);
        foreach (ulong j in Probe(size))
        {
            byte b = a.M.ReadU8(p + j);
            Check(b == Pattern(dp, j), "dsa-content",
                $"{who}: allocation 0x{dp:x} ({size} bytes) byte {j} is 0x{b:x2} through this backend's mapping at 0x{p:x}, not its pattern 0x{Pattern(dp, j):x2}");
        }
    }

    /// <summary>dsa_allocate through backend <paramref name="me"/>'s area; the result joins the live set and gets its pattern.</summary>
    protected ulong Alloc(int me, ulong size)
    {
        _busy[me] = true;
        ulong dp = Alloc(A[me]!, size, $"backend {me}");
        OpDone(me);
        return dp;
    }

    protected ulong Alloc(DsaArea a, ulong size, string who)
    {
        ulong dp = a.dsa_allocate(size);
        if (Live.TryGetValue(dp, out ulong held))
            throw new ScenarioCheckException("dsa-double-allocation", $"{who}: dsa_allocate({size}) returned 0x{dp:x}, which is live ({held} bytes)");
        Live[dp] = size;
        WritePattern(a, dp, size);
        return dp;
    }

    /// <summary>Checks the content, then dsa_free through backend <paramref name="me"/>'s area.</summary>
    protected void Free(int me, ulong dp)
    {
        _busy[me] = true;
        Free(A[me]!, dp, $"backend {me}");
        OpDone(me);
    }

    protected void Free(DsaArea a, ulong dp, string who)
    {
        CheckPattern(a, dp, Live[dp], $"{who} before dsa_free");
        Live.Remove(dp);
        a.dsa_free(dp);
    }

    // ---- quiescent points

    /// <summary>Whether DsaCheck also runs at quiescent points inside an iteration (on by default;
    /// a scenario whose area can vanish mid-iteration turns it off).</summary>
    protected virtual bool CheckWhileRunning => true;

    /// <summary>DsaCheck walks run inside iterations since this instance was made (for tests).</summary>
    public long QuiescentChecks { get; private set; }

    /// <summary>Backend i is between operations only from the end of an Alloc or Free to the start of
    /// its next DSA call; everything else it does counts as inside one (so a backend in the middle of
    /// dsa_attach, a pattern check or a wait is never taken for quiescent).</summary>
    private readonly bool[] _busy;

    /// <summary>Backend <paramref name="me"/> finished an operation: if every backend is now between
    /// operations (or exited), the area is quiescent, and the walk of DSA1-DSA14 must hold with
    /// the live set as it stands (no lock held, no operation half done). The walk reads shared
    /// memory through its own mappings: no scheduling point, no side effect on any backend.</summary>
    private void OpDone(int me)
    {
        _busy[me] = false;
        if (!CheckWhileRunning || SetupArea is null || _busy.Any(b => b)) return;
        QuiescentChecks++;
        CheckArea(SetupArea, $"quiescent after backend {me}'s operation: ");
    }

    /// <summary>Body wrapper: a backend is inside an operation from its start until its first op ends.</summary>
    private void Run(int me)
    {
        _busy[me] = true;
        try
        {
            Body(me);
        }
        finally
        {
            _busy[me] = false;
        }
    }

    private void CheckArea(DsaArea walker, string when)
    {
        var areas = new List<DsaArea>();
        if (SetupArea is not null) areas.Add(SetupArea);
        areas.AddRange(A.Where(a => a is not null && !a.Detached)!);
        List<string> errors = DsaCheck.Check(walker, new DsaCheckOptions { Live = Live }, areas);
        if (errors.Count > 0)
        {
            string first = errors[0];
            int colon = first.IndexOf(':', StringComparison.Ordinal);
            throw new ScenarioCheckException(colon > 0 ? first[..colon] : "DsaCheck", when + string.Join("; ", errors.Take(8)));
        }
    }

    // ---- the end state

    public override void CheckFinal()
    {
        OnCheckFinal();
        DsaArea? walker = SetupArea ?? A.FirstOrDefault(a => a is not null && !a.Detached);
        if (walker is null)
        {
            Check(Live.Count == 0, "dsa-live-without-area", $"{Live.Count} allocations live but no backend is attached");
            return;
        }
        foreach (var (dp, size) in Live) CheckPattern(walker, dp, size, "at the end");
        CheckArea(walker, "");
    }

    /// <summary>The scenario's own end-state checks (before the walk).</summary>
    protected virtual void OnCheckFinal() { }

    /// <summary>Each backend's request sizes, one per op: <paramref name="fixedSize"/>(backend, op) in
    /// the default mix, else drawn from the backend's data stream in [min, max] (the same every
    /// iteration).</summary>
    protected ulong[][] SizePlan(Func<int, int, ulong> fixedSize, ulong min, ulong max)
    {
        var plan = new ulong[Config.Backends][];
        for (int b = 0; b < Config.Backends; b++)
        {
            Allocator.Common.Prng prng = DataPrng(b);
            int me = b;
            plan[b] = Enumerable.Range(0, Config.Ops).Select(op => Config.MixSeed == 0 ? fixedSize(me, op) : (ulong)prng.Range((long)min, (long)max)).ToArray();
        }
        return plan;
    }

    /// <summary>Backend <paramref name="me"/>'s share of <paramref name="items"/> (every Backends-th from its index).</summary>
    protected List<T> ShareOf<T>(IReadOnlyList<T> items, int me)
    {
        var l = new List<T>();
        for (int i = me; i < items.Count; i += Config.Backends) l.Add(items[i]);
        return l;
    }
}
