// ProductionSemaphores: the "kernel" side of PGSemaphore for real threads. The count is the 32-bit
// word in simulated shared memory (authoritative, so LWLockCheck's SEM1 holds for both runtimes);
// a host SemaphoreSlim per semaphore is only the sleep/wake mechanism: P decrements the word if it
// is positive, otherwise sleeps until some V has posted, then re-checks. A V that finds nobody
// asleep leaves a token behind, which costs at most one spurious re-check later.
using System.Collections.Concurrent;
using Allocator.Sim;

namespace Allocator.Sync;

public sealed class ProductionSemaphores
{
    private readonly ConcurrentDictionary<ulong, SemaphoreSlim> _waitQueues = new();

    private SemaphoreSlim Queue(ulong semAddr) => _waitQueues.GetOrAdd(semAddr, static _ => new SemaphoreSlim(0));

    public void Lock(SimMemory mem, ulong semAddr)
    {
        ref uint count = ref mem.AtomicRef32(semAddr);
        while (true)
        {
            uint c = Volatile.Read(ref count);
            if (c > 0)
            {
                if (Interlocked.CompareExchange(ref count, c - 1, c) == c) return;
                continue;
            }
            Queue(semAddr).Wait();
        }
    }

    public void Unlock(SimMemory mem, ulong semAddr)
    {
        Interlocked.Increment(ref mem.AtomicRef32(semAddr));
        Queue(semAddr).Release();
    }
}
