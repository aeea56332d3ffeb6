// BufferLockClassifier: tells the §18 lock-order checker (Sync/LockOrderCheck) what the buffer
// manager's locks are: the 128 "BufferMapping" LWLocks of the sync segment are mapping partitions
// (their partition number is their index, as in MainLWLockArray's BUFFER_MAPPING_LWLOCK_OFFSET
// block), each descriptor's content_lock is a content lock, and the spinlocks are named after what
// they protect (buffer header, buffer_strategy_lock, an I/O condition variable's mutex, a dynahash
// freelist mutex). Pure address arithmetic: no state, so one instance serves every backend.
using Allocator.Buffers.Dynahash;
using Allocator.Sync;

namespace Allocator.Buffers;

public sealed class BufferLockClassifier : ILockClassifier
{
    private readonly BufferPool _pool;

    public BufferLockClassifier(BufferPool pool) => _pool = pool;

    public LockIdentity ClassifyLWLock(LWLock lock_)
    {
        int index = _pool.Sync.LWLockIndex(lock_);
        if (index >= 0 && index < BufTable.NUM_BUFFER_PARTITIONS)
            return new LockIdentity(LockClass.MappingPartition, index, BufferPool.MappingTranche);
        int bufId = _pool.Descriptors.BufIdOf(new BufferDesc(lock_.Address - BufferDescLayout.OFF_content_lock));
        if (bufId >= 0)
            return new LockIdentity(LockClass.Content, bufId, "content lock");
        return new LockIdentity(LockClass.LWLock, -1, index >= 0 ? _pool.Sync.LWLockName(lock_) : lock_.ToString());
    }

    public string NameSpinLock(ulong addr)
    {
        int bufId = _pool.Descriptors.BufIdOf(new BufferDesc(addr - BufferDescLayout.OFF_state));
        if (bufId >= 0) return $"header lock of buffer {bufId + 1}";
        if (addr == _pool.Strategy.LockAddr) return "buffer_strategy_lock";
        ulong cvs = _pool.BufferIOCVArray;
        if (addr >= cvs && addr < cvs + (ulong)_pool.NBuffers * ConditionVariable.SIZE && (addr - cvs) % ConditionVariable.SIZE == ConditionVariable.OFF_mutex)
            return $"I/O condition variable mutex of buffer {(int)((addr - cvs) / ConditionVariable.SIZE) + 1}";
        DynaHash table = _pool.Table.Hash;
        for (int i = 0; i < DynaHash.NUM_FREELISTS; i++)
            if (addr == table.FreeListAddr(i) + DynaHash.FreeListOffMutex) return $"buffer table freelist {i} mutex";
        return $"spinlock@0x{addr:x}";
    }
}
