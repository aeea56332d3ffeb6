// SyncAccess: how a scheduling point touches its object. The explorer uses it to tell which pending
// operations commute (two reads, or accesses to different objects) and to describe steps in traces.
namespace Allocator.Sync;

public enum SyncAccess : byte
{
    /// <summary>Observes the object without changing it (atomic read, unlocked read of a field).</summary>
    Read,
    /// <summary>Overwrites the object (atomic write, spinlock release, plain shared store).</summary>
    Write,
    /// <summary>Reads and writes it indivisibly (CAS, exchange, fetch-and-op, test-and-set, semaphore).</summary>
    ReadModifyWrite,
}
