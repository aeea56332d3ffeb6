// BufferDescriptors: the shared array of NBuffers buffer descriptors (BufferDescriptors of
// buf_init.c), and the accessors for their fields. The array either owns a simulated shared-memory
// region of its own (the standalone constructor, for tests of the pin and freelist layers) or lies
// at a given address inside the main shared-memory segment, where InitBufferPool puts it
// ("Buffer Descriptors", BufferPool).
//
// The region is mapped at the same Base in every backend (as SyncSegment is), so a descriptor's
// address is its object id in traces. Every access that can race goes through the backend's
// ISyncRuntime: the state word always (atomic read, CAS, fetch-or/and, releasing store), and the
// plain fields when read without the lock that protects them (SharedRead32). Fields read or written
// under their lock (tag and wait_backend_pgprocno under the header lock, freeNext under
// buffer_strategy_lock) use the backend's memory directly; buf_id is immutable.
//
// Initialisation follows InitBufferPool: tag cleared, state 0, no waiter, buf_id = i, the free
// list threaded through freeNext, the content LWLock initialised.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed class BufferDescriptors
{
    /// <summary>The region slot after SyncSegment.DefaultBase.</summary>
    public const ulong DefaultBase = SimMemory.RegionBase + SimMemory.RegionAlign;

    /// <summary>Tranche id stored in the content locks (the sync layer only prints it).</summary>
    public const ushort BufferContentTranche = 0;

    public string Name { get; }
    public ulong Base { get; }
    public int NBuffers { get; }
    /// <summary>The bytes the array lies in: its own region's, or the whole main segment's.</summary>
    public byte[] Backing { get; }

    /// <summary>Where the array starts within Backing.</summary>
    private readonly ulong _backingOffset;

    /// <summary>The main segment the array lies in, or null when it owns its region.</summary>
    private readonly ShmemSegment? _shmem;

    /// <summary>Bytes of the array: NBuffers padded descriptors.</summary>
    public ulong Size => (ulong)NBuffers * BufferDescLayout.BUFFERDESC_PAD_TO_SIZE;

    /// <summary>The region's own mapping: initialisation, and checkers at quiescence.</summary>
    public SimMemory InitMemory { get; }

    public BufferDescriptors(int nbuffers, string name = "BufferDescriptors", ulong @base = DefaultBase)
    {
        if (nbuffers < 1 || nbuffers > (1 << 20)) throw new ArgumentOutOfRangeException(nameof(nbuffers));
        if ((@base & (BufferDescLayout.BUFFERDESC_PAD_TO_SIZE - 1)) != 0) throw new ArgumentException("descriptor array must be cache-line aligned", nameof(@base));
        Name = name;
        Base = @base;
        NBuffers = nbuffers;
        Backing = new byte[(ulong)nbuffers * BufferDescLayout.BUFFERDESC_PAD_TO_SIZE];
        InitMemory = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
        MapInto(InitMemory);
        Reset();
    }

    /// <summary>The array at <paramref name="address"/> inside <paramref name="shmem"/> (what
    /// ShmemInitStruct returned for it); initialised in place. Backends reach it by attaching the
    /// segment (MapInto does just that).</summary>
    public BufferDescriptors(int nbuffers, ShmemSegment shmem, ulong address, string name = "Buffer Descriptors")
    {
        if (nbuffers < 1 || nbuffers > (1 << 20)) throw new ArgumentOutOfRangeException(nameof(nbuffers));
        if ((address & (BufferDescLayout.BUFFERDESC_PAD_TO_SIZE - 1)) != 0) throw new ArgumentException("descriptor array must be cache-line aligned", nameof(address));
        Name = name;
        Base = address;
        NBuffers = nbuffers;
        _shmem = shmem;
        if (!shmem.ShmemAddrIsValid(address) || !shmem.ShmemAddrIsValid(address + Size - 1))
            throw new ArgumentOutOfRangeException(nameof(address), "the array must lie inside the segment");
        Backing = shmem.Region.Backing;
        _backingOffset = address - shmem.Base;
        InitMemory = shmem.Memory;
        Reset();
    }

    /// <summary>Maps the array into a backend's address space: its own region at Base, or the
    /// whole main segment it lies in.</summary>
    public SimRegion MapInto(SimMemory mem) => _shmem is null ? mem.MapRegion(Name, Backing, Base) : _shmem.AttachTo(mem);

    /// <summary>GetBufferDescriptor(id).</summary>
    public BufferDesc GetBufferDescriptor(int id)
    {
        if ((uint)id >= (uint)NBuffers) throw new ArgumentOutOfRangeException(nameof(id));
        return new BufferDesc(Base + (ulong)id * BufferDescLayout.BUFFERDESC_PAD_TO_SIZE);
    }

    /// <summary>The descriptor of a shared Buffer number (1..NBuffers).</summary>
    public BufferDesc GetBufferDescriptorOfBuffer(int buffer) => GetBufferDescriptor(buffer - 1);

    /// <summary>The buf_id of a descriptor address, or -1 if it is not one of ours.</summary>
    public int BufIdOf(BufferDesc desc)
    {
        if (desc.Address < Base) return -1;
        ulong d = desc.Address - Base;
        if (d % BufferDescLayout.BUFFERDESC_PAD_TO_SIZE != 0 || d / BufferDescLayout.BUFFERDESC_PAD_TO_SIZE >= (ulong)NBuffers) return -1;
        return (int)(d / BufferDescLayout.BUFFERDESC_PAD_TO_SIZE);
    }

    /// <summary>InitBufferPool's descriptor part. Only while no backend runs.</summary>
    public void Reset()
    {
        Array.Clear(Backing, (int)_backingOffset, (int)Size);
        SimMemory m = InitMemory;
        for (int i = 0; i < NBuffers; i++)
        {
            BufferDesc d = GetBufferDescriptor(i);
            WriteTag(m, d, BufferTag.Cleared);
            m.WriteU32(d.BufIdAddr, (uint)i);
            m.WriteU32(d.StateAddr, 0);
            m.WriteU32(d.WaitBackendAddr, unchecked((uint)INVALID_PROC_NUMBER));
            m.WriteU32(d.FreeNextAddr, unchecked((uint)(i == NBuffers - 1 ? FREENEXT_END_OF_LIST : i + 1)));
            LWLock.Initialize(m, d.ContentLock, BufferContentTranche);
        }
    }

    /// <summary>Names every state word and content lock in <paramref name="runtime"/>.</summary>
    public void NameObjects(ISyncRuntime runtime)
    {
        for (int i = 0; i < NBuffers; i++)
        {
            BufferDesc d = GetBufferDescriptor(i);
            runtime.NameObject(d.StateAddr, $"buf[{i}].state");
            runtime.NameObject(d.ContentLock.StateAddr, $"buf[{i}].content_lock");
        }
    }

    // ---------------------------------------------------------------- field accessors

    /// <summary>BufferDescriptorGetBuffer: buf_id + 1 (immutable, so a plain read).</summary>
    public static int BufferDescriptorGetBuffer(SimMemory m, BufferDesc d) => (int)m.ReadU32(d.BufIdAddr) + 1;

    public static int GetBufId(SimMemory m, BufferDesc d) => (int)m.ReadU32(d.BufIdAddr);

    /// <summary>pg_atomic_read_u32(&amp;buf->state).</summary>
    public static uint ReadState(ISyncRuntime rt, BufferDesc d) => rt.AtomicRead32(d.StateAddr);

    /// <summary>pg_atomic_compare_exchange_u32(&amp;buf->state, &amp;expected, newval).</summary>
    public static bool CompareExchangeState(ISyncRuntime rt, BufferDesc d, ref uint expected, uint newval) =>
        rt.AtomicCompareExchange32(d.StateAddr, ref expected, newval);

    /// <summary>pg_atomic_fetch_or_u32: only LockBufHdr may use it on a state word it does not hold (§4 rule 2).</summary>
    public static uint FetchOrState(ISyncRuntime rt, BufferDesc d, uint or) => rt.AtomicFetchOr32(d.StateAddr, or);

    /// <summary>pg_atomic_fetch_and_u32 (local buffers and the [V19+] protocol; not for shared buffers in V17).</summary>
    public static uint FetchAndState(ISyncRuntime rt, BufferDesc d, uint and) => rt.AtomicFetchAnd32(d.StateAddr, and);

    /// <summary>pg_atomic_write_u32(&amp;buf->state, value): UnlockBufHdr's store.</summary>
    public static void WriteState(ISyncRuntime rt, BufferDesc d, uint value) => rt.AtomicWrite32(d.StateAddr, value);

    /// <summary>The tag, read under the header lock (or with a pin: it cannot change then, and the
    /// reader's own lock or pin orders the read).</summary>
    public static BufferTag ReadTag(SimMemory m, BufferDesc d) => new(
        m.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_spcOid),
        m.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_dbOid),
        m.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_relNumber),
        (ForkNumber)(int)m.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_forkNum),
        m.ReadU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum));

    /// <summary>The tag read without any lock: each word through the seam (may be torn).</summary>
    public static BufferTag ReadTagUnlocked(ISyncRuntime rt, BufferDesc d) => new(
        rt.SharedRead32(d.TagAddr + BufferDescLayout.OFF_tag_spcOid),
        rt.SharedRead32(d.TagAddr + BufferDescLayout.OFF_tag_dbOid),
        rt.SharedRead32(d.TagAddr + BufferDescLayout.OFF_tag_relNumber),
        (ForkNumber)(int)rt.SharedRead32(d.TagAddr + BufferDescLayout.OFF_tag_forkNum),
        rt.SharedRead32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum));

    /// <summary>Sets the tag; the caller holds the header lock.</summary>
    public static void WriteTag(SimMemory m, BufferDesc d, BufferTag tag)
    {
        m.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_spcOid, tag.SpcOid);
        m.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_dbOid, tag.DbOid);
        m.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_relNumber, tag.RelNumber);
        m.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_forkNum, unchecked((uint)(int)tag.ForkNum));
        m.WriteU32(d.TagAddr + BufferDescLayout.OFF_tag_blockNum, tag.BlockNum);
    }

    /// <summary>wait_backend_pgprocno, under the header lock.</summary>
    public static int ReadWaitBackend(SimMemory m, BufferDesc d) => (int)m.ReadU32(d.WaitBackendAddr);

    public static int ReadWaitBackendUnlocked(ISyncRuntime rt, BufferDesc d) => (int)rt.SharedRead32(d.WaitBackendAddr);

    /// <summary>Sets wait_backend_pgprocno; the caller holds the header lock.</summary>
    public static void WriteWaitBackend(SimMemory m, BufferDesc d, int procno) => m.WriteU32(d.WaitBackendAddr, unchecked((uint)procno));

    /// <summary>freeNext, under buffer_strategy_lock.</summary>
    public static int ReadFreeNext(SimMemory m, BufferDesc d) => (int)m.ReadU32(d.FreeNextAddr);

    public static void WriteFreeNext(SimMemory m, BufferDesc d, int next) => m.WriteU32(d.FreeNextAddr, unchecked((uint)next));
}
