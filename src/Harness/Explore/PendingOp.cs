// PendingOp: the operation a parked backend will perform when next scheduled (points come before
// their operation), and the condition under which it can run.
using Allocator.Sync;

namespace Harness.Explore;

internal enum BlockKind : byte
{
    /// <summary>Always runnable.</summary>
    None,
    /// <summary>Runnable once the 32-bit word at BlockAddr differs from BlockValue (blocking spin).</summary>
    WordChanged,
    /// <summary>Runnable once the semaphore count at BlockAddr is positive (PGSemaphoreLock).</summary>
    SemPositive,
}

internal struct PendingOp
{
    public SyncOpKind Kind;
    /// <summary>The object's canonical id (ObjectIds): what traces and reports name.</summary>
    public ulong Obj;
    /// <summary>The backend's own address of it: what a blocked backend's condition reads.</summary>
    public ulong Addr;
    public bool Yielding;
    public BlockKind Block;
    public uint BlockValue;
}
