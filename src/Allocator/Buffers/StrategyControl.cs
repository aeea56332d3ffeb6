// StrategyControl: the shared BufferStrategyControl block of freelist.c (PostgreSQL 17), one per
// cluster, placed in the main shared-memory segment under the name "Buffer Strategy Status".
//
// Layout (offsets from Address; all fields 32-bit and naturally aligned):
//   +0   buffer_strategy_lock  slock_t  spinlock word (0 free, 1 taken), SLock
//   +4   nextVictimBuffer      uint32   atomic; only the wrap-around fold takes the spinlock
//   +8   firstFreeBuffer       int32    spinlock; head of the free list, -1 when empty
//   +12  lastFreeBuffer        int32    spinlock; tail, meaningless while the list is empty
//   +16  completePasses        uint32   spinlock
//   +20  numBufferAllocs       uint32   atomic
//   +24  bgwprocno             int32    written under the spinlock, read and reset without it
//
// The free list itself is threaded through the descriptors' freeNext fields; InitBufferPool
// (BufferDescriptors.Reset) links buffer i to i+1 and the last to FREENEXT_END_OF_LIST, and
// StrategyInitialize points the head at 0 and the tail at NBuffers-1.
//
// Divergence: the bgwriter's latch. PostgreSQL sets allProcs[bgwprocno].procLatch; the sync layer
// has no latches yet, so SetLatch is a process-local hook (null: nothing happens) that receives the
// proc number. The hook is not shared memory; every backend of a test sees the same one.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public sealed class StrategyControl
{
    public const string ShmemName = "Buffer Strategy Status";

    public const ulong OFF_buffer_strategy_lock = 0;
    public const ulong OFF_nextVictimBuffer = 4;
    public const ulong OFF_firstFreeBuffer = 8;
    public const ulong OFF_lastFreeBuffer = 12;
    public const ulong OFF_completePasses = 16;
    public const ulong OFF_numBufferAllocs = 20;
    public const ulong OFF_bgwprocno = 24;
    public const ulong SIZE = 28;

    /// <summary>Address of the block in the shared segment (the same in every backend).</summary>
    public ulong Address { get; }
    public BufferDescriptors Descriptors { get; }
    public int NBuffers => Descriptors.NBuffers;

    /// <summary>SetLatch(&amp;allProcs[procno].procLatch) stand-in (see the divergence note).</summary>
    public Action<int>? SetLatch { get; set; }

    public ulong LockAddr => Address + OFF_buffer_strategy_lock;
    public ulong NextVictimBufferAddr => Address + OFF_nextVictimBuffer;
    public ulong FirstFreeBufferAddr => Address + OFF_firstFreeBuffer;
    public ulong LastFreeBufferAddr => Address + OFF_lastFreeBuffer;
    public ulong CompletePassesAddr => Address + OFF_completePasses;
    public ulong NumBufferAllocsAddr => Address + OFF_numBufferAllocs;
    public ulong BgwprocnoAddr => Address + OFF_bgwprocno;

    private StrategyControl(ulong address, BufferDescriptors descs)
    {
        Address = address;
        Descriptors = descs;
    }

    /// <summary>StrategyShmemSize: the control block (the mapping table is sized by BufTable).</summary>
    public static ulong StrategyShmemSize() => ShmemSegment.CacheLineAlign(SIZE);

    /// <summary>StrategyInitialize: finds or creates the control block in <paramref name="seg"/>. When
    /// <paramref name="init"/> (the postmaster's first call) the block must not exist yet and is
    /// initialised; otherwise it must exist. The descriptors' free-list links are InitBufferPool's
    /// (BufferDescriptors.Reset) and must be in their initial state.</summary>
    public static StrategyControl StrategyInitialize(ShmemSegment seg, BufferDescriptors descs, bool init = true)
    {
        ulong addr = seg.ShmemInitStruct(ShmemName, SIZE, out bool found);
        var sc = new StrategyControl(addr, descs);
        if (!found)
        {
            // only the postmaster gets here
            Pg.Assert(init);
            SimMemory m = seg.Memory;
            m.WriteU32(sc.LockAddr, 0); // SpinLockInit
            // the whole array is on the free list, in buf_id order
            m.WriteU32(sc.FirstFreeBufferAddr, 0);
            m.WriteU32(sc.LastFreeBufferAddr, (uint)(descs.NBuffers - 1));
            m.WriteU32(sc.NextVictimBufferAddr, 0);
            m.WriteU32(sc.CompletePassesAddr, 0);
            m.WriteU32(sc.NumBufferAllocsAddr, 0);
            m.WriteU32(sc.BgwprocnoAddr, unchecked((uint)-1));
        }
        else
        {
            Pg.Assert(!init);
        }
        return sc;
    }

    /// <summary>Names the shared words in <paramref name="runtime"/> for traces.</summary>
    public void NameObjects(ISyncRuntime runtime)
    {
        runtime.NameObject(LockAddr, "StrategyControl.buffer_strategy_lock");
        runtime.NameObject(NextVictimBufferAddr, "StrategyControl.nextVictimBuffer");
        runtime.NameObject(FirstFreeBufferAddr, "StrategyControl.firstFreeBuffer");
        runtime.NameObject(NumBufferAllocsAddr, "StrategyControl.numBufferAllocs");
        runtime.NameObject(BgwprocnoAddr, "StrategyControl.bgwprocno");
    }

    // ---- plain reads of the block (at quiescence, or by the spinlock's holder through its own memory)

    public int FirstFreeBuffer(SimMemory m) => (int)m.ReadU32(FirstFreeBufferAddr);
    public int LastFreeBuffer(SimMemory m) => (int)m.ReadU32(LastFreeBufferAddr);
    public uint NextVictimBuffer(SimMemory m) => m.ReadU32(NextVictimBufferAddr);
    public uint CompletePasses(SimMemory m) => m.ReadU32(CompletePassesAddr);
    public uint NumBufferAllocs(SimMemory m) => m.ReadU32(NumBufferAllocsAddr);
    public int Bgwprocno(SimMemory m) => (int)m.ReadU32(BgwprocnoAddr);
    public bool LockHeld(SimMemory m) => m.ReadU32(LockAddr) != 0;

    /// <summary>freeNext of buffer <paramref name="id"/> (plain: under the spinlock or at quiescence).</summary>
    public int FreeNextOf(SimMemory m, int id) => BufferDescriptors.ReadFreeNext(m, Descriptors.GetBufferDescriptor(id));
}
