// BufferPool: the shared side of the buffer manager as one object: buf_init.c's InitBufferPool and
// BufferManagerShmemSize, and the part of CreateSharedMemoryAndSemaphores that sets up what the
// buffer manager needs (PostgreSQL 17): the sync segment (PGPROCs with their semaphores and
// latches, the 128 "BufferMapping" partition LWLocks), the main shared-memory segment holding, by
// ShmemInitStruct, "Buffer Descriptors", "Buffer Blocks", "Buffer IO Condition Variables",
// "Checkpoint BufferIds", the "Shared Buffer Lookup Table" and "Buffer Strategy Status", plus the
// simulated disk (SimStorage) and WAL (SimWal).
//
// Every backend (Attach) gets its own SimMemory mapping the sync segment and the main segment at
// the same bases, its own runtime, its own BufMgr, and its own attachment to the lookup table
// (whose freelist spinlocks then go through its seam). A backend whose runtime (and so address
// space) someone else made, such as the explorer's controlled runtimes, attaches with the
// Attach(procno, runtime) overload, which maps the segments into that memory once.
//
// Layout of the address space: the sync segment at SyncSegment.DefaultBase, the main segment in
// the next region slot. Sizes: descriptors NBuffers * 64 (BufferDescPadded), blocks
// NBuffers * BLCKSZ, I/O CVs NBuffers * ConditionVariable.SIZE, checkpoint ids NBuffers * 20
// (CkptSortItem), the table by hash_estimate_size(NBuffers + NUM_BUFFER_PARTITIONS).
//
// Divergences: the blocks are cache-line (128) aligned, not PG_IO_ALIGN_SIZE (4096) aligned: no
// direct I/O here. The storage, WAL and elog sink are process-global managed objects shared by all
// backends (they stand for the kernel, the WAL and the server log, not for shared memory); their
// methods are not thread-safe, so concurrent tests serialise storage calls through StorageLock.
// NProcs is MaxBackends + 1 (a spare slot for an auxiliary process such as the checkpointer).
// NBuffers below PostgreSQL's minimum of 16 is accepted (small pools keep exploration small);
// access-strategy rings then need at least 8 buffers (a ring is NBuffers / 8).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Buffers.Dynahash;
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Storage;
using Allocator.Sync;

namespace Allocator.Buffers;

public sealed record BufferPoolOptions(
    int NBuffers = 128, int BlckSz = 8192, int MaxBackends = 4,
    bool DataChecksums = true, bool ZeroDamagedPages = false)
{
    /// <summary>A planted bug for the harness's canary runs; None (PostgreSQL) otherwise.</summary>
    public BufferCanary Canary { get; init; } = BufferCanary.None;

    /// <summary>Which BufferAlloc reads run: PostgreSQL 17's (the default) or the historical
    /// PostgreSQL 15 one that holds two mapping partition locks (BufMgr.ReadV15.cs).</summary>
    public BufferAllocVariant AllocVariant { get; init; } = BufferAllocVariant.V17;
}

/// <summary>The BufferAlloc algorithm a pool's reads use (BufferPoolOptions.AllocVariant).</summary>
public enum BufferAllocVariant
{
    /// <summary>PostgreSQL 16/17: the victim is cleaned and its old mapping dropped under the old
    /// partition lock alone (GetVictimBuffer, InvalidateVictimBuffer), then entered under the new one.</summary>
    V17,
    /// <summary>PostgreSQL 15 and before: the old and new partition locks held together, lower
    /// partition number first, while the buffer is renamed.</summary>
    V15TwoPartitionLocks,
}

public sealed class BufferPool
{
    public const string DescriptorsName = "Buffer Descriptors";
    public const string BlocksName = "Buffer Blocks";
    public const string IOCVName = "Buffer IO Condition Variables";
    public const string CkptBufferIdsName = "Checkpoint BufferIds";
    public const string MappingTranche = "BufferMapping";
    /// <summary>sizeof(CkptSortItem): tsId, relNumber, forkNum, blockNum, buf_id.</summary>
    public const ulong SIZEOF_CkptSortItem = 20;

    /// <summary>The main segment's slot, after the sync segment's.</summary>
    public const ulong ShmemBase = SimMemory.RegionBase + SimMemory.RegionAlign;

    public BufferPoolOptions Options { get; }
    public int NBuffers => Options.NBuffers;
    public int BlckSz => Options.BlckSz;
    public SyncSegment Sync { get; }
    public ShmemSegment Shmem { get; }
    public BufferDescriptors Descriptors { get; }
    /// <summary>The table as its creator attached it (the checker's instance).</summary>
    public BufTable Table { get; }
    public StrategyControl Strategy { get; }
    public SimStorage Storage { get; private set; }
    public SimWal Wal { get; private set; }
    public ElogSink Elog { get; } = new();
    /// <summary>A mapping of every region, for initialisation and checkers at quiescence.</summary>
    public SimMemory InitMemory { get; }

    /// <summary>BufferBlocks: the first page.</summary>
    public ulong BufferBlocks { get; }
    /// <summary>BufferIOCVArray.</summary>
    public ulong BufferIOCVArray { get; }
    /// <summary>CkptBufferIds (the checkpointer's sort array).</summary>
    public ulong CkptBufferIds { get; }

    /// <summary>Serialises calls into the managed storage, WAL and elog objects, which stand for
    /// the kernel and are not thread-safe; never held across a wait.</summary>
    public object StorageLock { get; } = new();

    private readonly ProductionSemaphores _kernel = new();

    /// <summary>The production runtimes' semaphore "kernel" (for tests wrapping a production runtime).</summary>
    public ProductionSemaphores Kernel => _kernel;
    private readonly object _attachLock = new();
    private readonly BufMgr?[] _attached;

    public BufferPool(BufferPoolOptions options, StorageFaults? faults = null)
        : this(options, new SimStorage(options.BlckSz, options.DataChecksums, faults), new SimWal())
    {
    }

    /// <summary>A pool over existing storage and WAL: what the postmaster builds after a crash, when
    /// shared memory is new and only the disk and the flushed WAL survived.</summary>
    public BufferPool(BufferPoolOptions options, SimStorage storage, SimWal wal)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (storage.BlckSz != options.BlckSz || storage.ChecksumsEnabled != options.DataChecksums)
            throw new ArgumentException("the storage's block size and checksum setting must match the options", nameof(storage));
        // PostgreSQL's minimum is 16; smaller pools are allowed for exploration (rings need >= 8)
        if (options.NBuffers < 1 || options.NBuffers > (1 << 20)) throw new ArgumentOutOfRangeException(nameof(options), "NBuffers out of range");
        if (!PageHeader.IsValidBlockSize(options.BlckSz)) throw new ArgumentOutOfRangeException(nameof(options), "bad BLCKSZ");
        if (options.MaxBackends < 1 || options.MaxBackends > 63) throw new ArgumentOutOfRangeException(nameof(options), "1..63 backends");
        Options = options;
        int n = options.NBuffers;

        // CreateSharedMemoryAndSemaphores: PGPROCs and the main LWLock array's buffer-mapping part
        Sync = new SyncSegment(options.MaxBackends + 1, BufTable.NUM_BUFFER_PARTITIONS, name: "sync");
        for (int i = 0; i < BufTable.NUM_BUFFER_PARTITIONS; i++) Sync.SetLWLockName(i, MappingTranche, MappingTranche);
        Sync.LockClassifier = new BufferLockClassifier(this);

        InitMemory = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
        Sync.MapInto(InitMemory);
        Shmem = new ShmemSegment(InitMemory, BufferManagerShmemSize(options), at: ShmemBase);

        // InitBufferPool
        ulong descs = Shmem.ShmemInitStruct(DescriptorsName, (ulong)n * BufferDescLayout.BUFFERDESC_PAD_TO_SIZE, out bool foundDescs);
        BufferBlocks = Shmem.ShmemInitStruct(BlocksName, (ulong)n * (ulong)options.BlckSz, out bool foundBufs);
        BufferIOCVArray = Shmem.ShmemInitStruct(IOCVName, (ulong)n * ConditionVariable.SIZE, out bool foundIOCV);
        CkptBufferIds = Shmem.ShmemInitStruct(CkptBufferIdsName, (ulong)n * SIZEOF_CkptSortItem, out bool foundBufCkpt);
        Pg.Assert(!foundDescs && !foundBufs && !foundIOCV && !foundBufCkpt);

        // every descriptor: tag cleared, state 0, no waiter, buf_id, free-list link, content lock
        Descriptors = new BufferDescriptors(n, Shmem, descs);
        for (int i = 0; i < n; i++) ConditionVariable.Init(InitMemory, BufferDescriptorGetIOCV(i));
        InitMemory.Fill(BufferBlocks, (ulong)n * (ulong)options.BlckSz, 0);

        // StrategyInitialize: the lookup table first, then the control block
        Table = BufTable.InitBufTable(Shmem, InitMemory, n + BufTable.NUM_BUFFER_PARTITIONS);
        Strategy = StrategyControl.StrategyInitialize(Shmem, Descriptors);

        Storage = storage;
        Wal = wal;
        _attached = new BufMgr?[Sync.NumProcs];
        _memories = new SimMemory?[Sync.NumProcs];
        _syncImage = (byte[])Sync.Backing.Clone();
        _shmemImage = Shmem.TakeImage();
    }

    /// <summary>BufferManagerShmemSize plus the segment's own header and index, with room for the
    /// per-allocation cache-line rounding of the table's segments and element batches.</summary>
    public static ulong BufferManagerShmemSize(BufferPoolOptions o)
    {
        ulong n = (ulong)o.NBuffers;
        ulong size = ShmemSegment.CacheLineAlign(ShmemSegment.HeaderSize)
            + ShmemSegment.CacheLineAlign(ShmemSegment.OffIndexEntries + ShmemSegment.SHMEM_INDEX_SIZE * ShmemSegment.IndexEntSize);
        size += ShmemSegment.CacheLineAlign(n * BufferDescLayout.BUFFERDESC_PAD_TO_SIZE);
        size += ShmemSegment.CacheLineAlign(n * (ulong)o.BlckSz);
        size += ShmemSegment.CacheLineAlign(n * ConditionVariable.SIZE);
        size += ShmemSegment.CacheLineAlign(n * SIZEOF_CkptSortItem);
        size += DynaHash.HashEstimateSize(o.NBuffers + BufTable.NUM_BUFFER_PARTITIONS, BufTable.EntrySize);
        size += StrategyControl.StrategyShmemSize();
        // cache-line rounding of each dynahash allocation (segments, 32 element batches) and slack
        size += 64 * 1024;
        return size;
    }

    /// <summary>BufMappingPartitionLock(hashcode).</summary>
    public LWLock BufMappingPartitionLock(uint hashcode) => Sync.GetLWLock(BufTable.BufTableHashPartition(hashcode));

    /// <summary>BufHdrGetBlock: the page of buffer id <paramref name="bufId"/>.</summary>
    public ulong BufHdrGetBlock(int bufId)
    {
        if ((uint)bufId >= (uint)NBuffers) throw new ArgumentOutOfRangeException(nameof(bufId));
        return BufferBlocks + (ulong)bufId * (ulong)BlckSz;
    }

    /// <summary>BufferDescriptorGetIOCV.</summary>
    public ulong BufferDescriptorGetIOCV(int bufId)
    {
        if ((uint)bufId >= (uint)NBuffers) throw new ArgumentOutOfRangeException(nameof(bufId));
        return BufferIOCVArray + (ulong)bufId * ConditionVariable.SIZE;
    }

    /// <summary>A backend attached to the pool: its own SimMemory mapping every region and its own
    /// runtime (null: a ProductionSyncRuntime over that memory). <paramref name="procno"/> in
    /// [0, Sync.NumProcs); each proc number once. Setup only: not while other backends run.</summary>
    public BufMgr Attach(int procno, Func<SimMemory, ISyncRuntime>? runtime = null)
    {
        if ((uint)procno >= (uint)Sync.NumProcs) throw new ArgumentOutOfRangeException(nameof(procno));
        lock (_attachLock)
        {
            if (_attached[procno] is not null) throw new InvalidOperationException($"proc {procno} is already attached");
            // a proc slot's mapping outlives Reset (the regions' backing arrays never move)
            SimMemory? mem = _memories[procno];
            if (mem is null)
            {
                _memories[procno] = mem = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
                MapInto(mem);
            }
            ISyncRuntime rt = runtime?.Invoke(mem) ?? new ProductionSyncRuntime(mem, _kernel, (ulong)procno + 1);
            if (!ReferenceEquals(rt.Memory, mem)) throw new ArgumentException("the runtime must use the memory it is given", nameof(runtime));
            return AttachLocked(procno, rt);
        }
    }

    /// <summary>A backend attached over a runtime someone else made (the explorer's controlled
    /// runtimes, which own their address spaces): the sync and main segments are mapped into
    /// runtime.Memory unless they are there already (an instance maps once and attaches again
    /// after every Reset). Same rules as the other Attach.</summary>
    public BufMgr Attach(int procno, ISyncRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if ((uint)procno >= (uint)Sync.NumProcs) throw new ArgumentOutOfRangeException(nameof(procno));
        lock (_attachLock)
        {
            if (_attached[procno] is not null) throw new InvalidOperationException($"proc {procno} is already attached");
            SimMemory mem = runtime.Memory;
            // a SimMemory refuses to map over a mapping, so look for ours first
            bool mapped = mem.Regions.Any(r => ReferenceEquals(r.Backing, Sync.Backing));
            if (mapped != mem.Regions.Any(r => ReferenceEquals(r.Backing, Shmem.Region.Backing)))
                throw new ArgumentException("the runtime's memory maps one of the pool's segments but not the other", nameof(runtime));
            if (!mapped) MapInto(mem);
            return AttachLocked(procno, runtime);
        }
    }

    /// <summary>Maps the sync segment and the main segment into <paramref name="mem"/> at their bases.</summary>
    private void MapInto(SimMemory mem)
    {
        Sync.MapInto(mem);
        Shmem.AttachTo(mem);
    }

    /// <summary>The part of attaching after the memory is mapped: start the backend (PGPROC), attach
    /// the lookup table through its seam, build its BufMgr. Under _attachLock.</summary>
    private BufMgr AttachLocked(int procno, ISyncRuntime rt)
    {
        var backend = new SyncBackend(rt, Sync, procno);
        backend.Start();
        BufTable table = BufTable.AttachBufTable(Shmem, rt.Memory, NBuffers + BufTable.NUM_BUFFER_PARTITIONS, backend);
        var bm = new BufMgr(this, backend, table);
        _attached[procno] = bm;
        return bm;
    }

    /// <summary>The backends attached so far, by proc number.</summary>
    private readonly SimMemory?[] _memories;
    private readonly byte[] _syncImage;
    private readonly ShmemSegment.Image _shmemImage;

    /// <summary>The pool as a new postmaster would build it over <paramref name="storage"/> and
    /// <paramref name="wal"/>: every byte of shared memory back to what InitBufferPool left (an image
    /// taken then), every backend detached. Only while no backend runs. This is how the harness
    /// runs thousands of short workloads, and a crash, without building the pool each time.</summary>
    public void Reset(SimStorage storage, SimWal wal)
    {
        if (storage.BlckSz != Options.BlckSz || storage.ChecksumsEnabled != Options.DataChecksums)
            throw new ArgumentException("the storage's block size and checksum setting must match the options", nameof(storage));
        lock (_attachLock)
        {
            _syncImage.CopyTo(Sync.Backing, 0);
            Shmem.RestoreImage(_shmemImage);
            Array.Clear(_attached);
            Storage = storage;
            Wal = wal;
            Elog.Clear();
        }
    }

    public IReadOnlyList<BufMgr> Backends
    {
        get
        {
            lock (_attachLock) return _attached.Where(b => b is not null).Select(b => b!).ToList();
        }
    }

    /// <summary>Names every shared word in <paramref name="runtime"/> (traces).</summary>
    public void NameObjects(ISyncRuntime runtime)
    {
        Sync.NameObjects(runtime);
        Descriptors.NameObjects(runtime);
        Strategy.NameObjects(runtime);
        for (int i = 0; i < NBuffers; i++) runtime.NameObject(BufferDescriptorGetIOCV(i), $"buf[{i}].io_cv");
        for (int i = 0; i < DynaHash.NUM_FREELISTS; i++)
            runtime.NameObject(Table.Hash.FreeListAddr(i) + DynaHash.FreeListOffMutex, $"buftable.freelist[{i}].mutex");
    }
}
