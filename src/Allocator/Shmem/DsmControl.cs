// DsmControl: the shared side of dsm.c (PostgreSQL 17): dsm_postmaster_startup's control segment
// (dsm_control_header with its dsm_control_item slots, layout in DsmConstants), the
// DynamicSharedMemoryControlLock that protects it (an LWLock in a SyncSegment, so the explorer can
// interleave backends at it), the simulated implementation (DsmImpl, the "kernel"), and the
// generator handles are drawn from. Backends join with Attach and get a DsmBackend, which holds
// dsm.c's backend-local state and entry points.
//
// The control segment is an object of the simulated implementation like any segment (it has its
// own even handle, so a segment can never be given the control segment's handle: the create
// collides and retries, as in PostgreSQL), but it is mapped at DsmAddressSpace.ControlBase in every
// backend, standing for the postmaster's mapping that every backend inherits across fork. It is
// sized as dsm_postmaster_startup sizes it: maxitems = PG_DYNSHMEM_FIXED_SLOTS +
// PG_DYNSHMEM_SLOTS_PER_BACKEND * MaxBackends.
//
// Divergences:
//  - Handles come from one explicitly seeded Prng owned here, shared by every backend (locked for
//    the production runtime's threads), where PostgreSQL draws from pg_global_prng_state, one
//    generator per process seeded at process start. The handle recipe is PostgreSQL's:
//    pg_prng_uint32() << 1 (even), skipping DSM_HANDLE_INVALID, retrying while the name exists.
//  - No preallocated main-region DSM space (min_dynamic_shared_memory = 0, PostgreSQL's default):
//    it needs a FreePageManager in the main segment. So make_main_region_dsm_handle never runs, no
//    handle is odd, and first_page / npages stay 0.
//  - No postmaster restart: dsm_cleanup_using_control_segment, dsm_cleanup_for_mmap and
//    dsm_postmaster_shutdown are not ported (one control segment lives as long as this object);
//    dsm_control_segment_sane is, as DsmCheck's DSM1. No EXEC_BACKEND attach of the control segment.
//  - MaxBackends is the option; the SyncSegment has MaxBackends + 1 procs (a spare for an
//    auxiliary process, as BufferPool does).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Shmem;

public sealed record DsmControlOptions(int MaxBackends = 4, ulong Seed = 1);

public sealed class DsmControl
{
    public const string ControlLockName = "DynamicSharedMemoryControlLock";

    public DsmControlOptions Options { get; }
    public SyncSegment Sync { get; }
    public LWLock DynamicSharedMemoryControlLock { get; }
    public DsmImpl Impl { get; }
    public ElogSink Elog { get; }

    /// <summary>dsm_control_handle.</summary>
    public uint dsm_control_handle { get; private set; }
    /// <summary>The control segment's bytes (the same array in every backend's mapping).</summary>
    public byte[] ControlBacking { get; private set; } = Array.Empty<byte>();
    /// <summary>Where the control segment is mapped, in every backend.</summary>
    public ulong Base => DsmAddressSpace.ControlBase;
    /// <summary>This object's own mapping of the sync and control segments (setup and checkers).</summary>
    public SimMemory InitMemory { get; }

    private Prng _prng;
    private readonly object _prngLock = new();
    private readonly ProductionSemaphores _kernel = new();

    /// <summary>The semaphore wait queues of the production runtimes attached here (for callers that
    /// build their own runtime around one).</summary>
    public ProductionSemaphores Kernel => _kernel;
    private readonly DsmBackend?[] _attached;
    private readonly object _attachLock = new();

    /// <summary>A control segment with its own sync segment holding just the control lock.</summary>
    public DsmControl(DsmControlOptions options)
        : this(options, NewSync(options), 0)
    {
        _ownsSync = true;
    }

    /// <summary>Whether the sync segment is this object's own (Reset resets it then).</summary>
    private readonly bool _ownsSync;

    /// <summary>A control segment whose lock is LWLock <paramref name="lockIndex"/> of a sync segment
    /// shared with other systems (named here).</summary>
    public DsmControl(DsmControlOptions options, SyncSegment sync, int lockIndex)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sync);
        if (options.MaxBackends < 1 || sync.NumProcs > DsmAddressSpace.MaxSlices)
            throw new ArgumentOutOfRangeException(nameof(options), "1..63 backends");
        Options = options;
        Sync = sync;
        sync.SetLWLockName(lockIndex, ControlLockName, ControlLockName);
        DynamicSharedMemoryControlLock = sync.GetLWLock(lockIndex);
        Elog = new ElogSink();
        Impl = new DsmImpl(Elog);
        _prng = new Prng(options.Seed);
        _attached = new DsmBackend?[sync.NumProcs];
        InitMemory = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
        sync.MapInto(InitMemory);
        dsm_postmaster_startup();
    }

    private static SyncSegment NewSync(DsmControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxBackends < 1 || options.MaxBackends > 63) throw new ArgumentOutOfRangeException(nameof(options), "1..63 backends");
        return new SyncSegment(options.MaxBackends + 1, 1, name: "dsm sync");
    }

    /// <summary>maxitems as dsm_postmaster_startup computes it.</summary>
    public uint MaxItemsFor(int maxBackends) => PG_DYNSHMEM_FIXED_SLOTS + PG_DYNSHMEM_SLOTS_PER_BACKEND * (uint)maxBackends;

    /// <summary>dsm_postmaster_startup: pick an even, valid, unused handle for the control segment,
    /// create it at its computed size and initialise the header.</summary>
    private void dsm_postmaster_startup()
    {
        uint maxitems = MaxItemsFor(Options.MaxBackends);
        Elog.Emit(ElogLevel.Debug, $"dynamic shared memory system will support {maxitems} segments");
        ulong segsize = dsm_control_bytes_needed(maxitems);
        for (;;)
        {
            uint h = pg_prng_uint32() << 1;
            if (h == DSM_HANDLE_INVALID) continue;
            byte[]? bytes = Impl.CreateObject(h, segsize);
            if (bytes is null) continue;
            dsm_control_handle = h;
            ControlBacking = bytes;
            break;
        }
        MapControl(InitMemory);
        Elog.Emit(ElogLevel.Debug, $"created dynamic shared memory control segment {dsm_control_handle} ({segsize} bytes)");
        InitHeader(maxitems);
    }

    private void InitHeader(uint maxitems)
    {
        InitMemory.WriteU32(Base + OFF_magic, PG_DYNSHMEM_CONTROL_MAGIC);
        InitMemory.WriteU32(Base + OFF_nitems, 0);
        InitMemory.WriteU32(Base + OFF_maxitems, maxitems);
    }

    /// <summary>The cluster as a new postmaster would start it, in place (for explorers that run many
    /// iterations over the same address spaces): every segment is destroyed, every backend's DSM
    /// mappings are unmapped and its attachment forgotten (attach the proc numbers again, with the
    /// same runtimes), the control segment is zeroed and re-initialised at the same address with the
    /// same handle, the handle generator restarts from the seed (replaying the control handle's draws,
    /// so the next handles are those of a fresh control), and the sync segment is reset. Only while no
    /// backend runs.</summary>
    public void Reset()
    {
        lock (_attachLock)
        {
            for (int p = 0; p < _attached.Length; p++)
            {
                if (_attached[p] is not { } b) continue;
                foreach (SimRegion r in b.AddressSpace.Mappings().ToList()) b.Memory.UnmapRegion(r);
                if (!b.ControlMapped) MapControl(b.Memory);
                _attached[p] = null;
            }
        }
        foreach (var kv in Impl.Objects())
        {
            if (kv.Key != dsm_control_handle) Impl.Unlink(kv.Key);
        }
        lock (_prngLock)
        {
            _prng = new Prng(Options.Seed);
            _draws = 0;
            // replay startup's draws up to and including the control handle's
            for (;;)
            {
                _draws++;
                uint h = _prng.NextU32() << 1;
                if (h == dsm_control_handle) break;
            }
        }
        Array.Clear(ControlBacking);
        InitHeader(MaxItemsFor(Options.MaxBackends));
        if (_ownsSync) Sync.Reset();
        else LWLock.Initialize(InitMemory, DynamicSharedMemoryControlLock, InitMemory.ReadU16(DynamicSharedMemoryControlLock.Address));
        Elog.Clear();
    }

    /// <summary>pg_prng_uint32(&amp;pg_global_prng_state): the high 32 bits of the next output.</summary>
    public uint pg_prng_uint32()
    {
        lock (_prngLock)
        {
            _draws++;
            return _prng.NextU32();
        }
    }

    /// <summary>A copy of the handle generator in its current state, so a test can predict the next
    /// handles (and, say, occupy one of them to force a collision).</summary>
    public Prng PeekPrng()
    {
        lock (_prngLock)
        {
            // Prng has no copy operation: replay from the seed to the same position.
            var copy = new Prng(Options.Seed);
            for (ulong i = 0; i < _draws; i++) copy.NextU64();
            return copy;
        }
    }

    private ulong _draws;

    /// <summary>Maps the control segment at Base into <paramref name="mem"/>.</summary>
    internal SimRegion MapControl(SimMemory mem) => mem.MapRegion("dsm control", ControlBacking, Base);

    /// <summary>Address of item[<paramref name="slot"/>] in the control segment.</summary>
    public ulong ItemAddr(uint slot) => Base + OFF_item + (ulong)slot * SIZEOF_dsm_control_item;

    // ---- quiescent reads through this object's mapping (checkers, tests, dumps)
    public uint Magic => InitMemory.ReadU32(Base + OFF_magic);
    public uint NItems => InitMemory.ReadU32(Base + OFF_nitems);
    public uint MaxItems => InitMemory.ReadU32(Base + OFF_maxitems);
    public uint ItemHandle(uint slot) => InitMemory.ReadU32(ItemAddr(slot) + ITEM_OFF_handle);
    public uint ItemRefcnt(uint slot) => InitMemory.ReadU32(ItemAddr(slot) + ITEM_OFF_refcnt);
    public bool ItemPinned(uint slot) => InitMemory.ReadU8(ItemAddr(slot) + ITEM_OFF_pinned) != 0;

    /// <summary>A backend of the cluster: its own SimMemory mapping the sync and control segments, its
    /// own runtime (null: a ProductionSyncRuntime over that memory) and its own DSM slice.
    /// <paramref name="procno"/> in [0, Sync.NumProcs); each once at a time.</summary>
    public DsmBackend Attach(int procno, Func<SimMemory, ISyncRuntime>? runtime = null)
    {
        if ((uint)procno >= (uint)Sync.NumProcs) throw new ArgumentOutOfRangeException(nameof(procno));
        var mem = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
        Sync.MapInto(mem);
        MapControl(mem);
        ISyncRuntime rt = runtime?.Invoke(mem) ?? new ProductionSyncRuntime(mem, _kernel, (ulong)procno + 1);
        if (!ReferenceEquals(rt.Memory, mem)) throw new ArgumentException("the runtime must use the memory it is given", nameof(runtime));
        return AttachLocked(procno, rt);
    }

    /// <summary>A backend over a runtime someone else made (the explorer's): the sync and control
    /// segments are mapped into runtime.Memory unless they are there already.</summary>
    public DsmBackend Attach(int procno, ISyncRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if ((uint)procno >= (uint)Sync.NumProcs) throw new ArgumentOutOfRangeException(nameof(procno));
        SimMemory mem = runtime.Memory;
        if (!mem.Regions.Any(r => ReferenceEquals(r.Backing, Sync.Backing))) Sync.MapInto(mem);
        if (!mem.Regions.Any(r => ReferenceEquals(r.Backing, ControlBacking))) MapControl(mem);
        return AttachLocked(procno, runtime);
    }

    private DsmBackend AttachLocked(int procno, ISyncRuntime rt)
    {
        lock (_attachLock)
        {
            if (_attached[procno] is not null) throw new InvalidOperationException($"proc {procno} is already attached");
            var sb = new SyncBackend(rt, Sync, procno);
            sb.Start();
            var b = new DsmBackend(this, sb);
            _attached[procno] = b;
            return b;
        }
    }

    /// <summary>Called by DsmBackend.Exit: the proc number can be attached again.</summary>
    internal void Detached(DsmBackend b)
    {
        lock (_attachLock)
        {
            if (ReferenceEquals(_attached[b.MyProcNumber], b)) _attached[b.MyProcNumber] = null;
        }
    }

    /// <summary>The attached backends, by proc number (null where none).</summary>
    public IReadOnlyList<DsmBackend?> Backends
    {
        get { lock (_attachLock) return (DsmBackend?[])_attached.Clone(); }
    }

    /// <summary>Gives the sync objects readable names in <paramref name="runtime"/>.</summary>
    public void NameObjects(ISyncRuntime runtime) => Sync.NameObjects(runtime);
}
