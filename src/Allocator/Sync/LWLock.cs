// LWLock: a handle to one LWLock in simulated shared memory (struct LWLock of lwlock.h):
//
//   +0  tranche        uint16 (+2 bytes padding)
//   +4  state          uint32  atomic, see LWLockConstants
//   +8  waiters.head   int32   proclist_head of waiting PGPROCs (INVALID_PROC_NUMBER if empty)
//   +12 waiters.tail   int32
//
// The handle is just the address, so it is the same value in every backend and every run and
// doubles as the object id of its state word in traces.
using Allocator.Sim;

namespace Allocator.Sync;

public readonly record struct LWLock(ulong Address)
{
    public const ulong SIZE = 16;

    public ulong StateAddr => Address + 4;
    public ulong WaitersAddr => Address + 8;

    /// <summary>LWLockInitialize: tranche set, state = LW_FLAG_RELEASE_OK, empty wait list.
    /// Done while no backend runs (shared-memory initialisation), so plain stores.</summary>
    public static void Initialize(SimMemory mem, LWLock lock_, ushort tranche)
    {
        mem.WriteU16(lock_.Address, tranche);
        mem.WriteU16(lock_.Address + 2, 0);
        mem.WriteU32(lock_.StateAddr, LWLockConstants.LW_FLAG_RELEASE_OK);
        mem.WriteU32(lock_.WaitersAddr, unchecked((uint)LWLockConstants.INVALID_PROC_NUMBER));
        mem.WriteU32(lock_.WaitersAddr + 4, unchecked((uint)LWLockConstants.INVALID_PROC_NUMBER));
    }

    public override string ToString() => $"LWLock@0x{Address:x}";
}
