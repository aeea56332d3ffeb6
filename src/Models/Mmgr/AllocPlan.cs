// AllocPlan / ReallocPlan: what the model predicted for one allocation, kept between the
// prediction (before the port runs) and the commit (with the port's pointer).
namespace Models.Mmgr;

public enum ModelAllocEntry : byte { Palloc, MemoryContextAlloc, AllocExtended, AllocAligned }

public struct AllocPlan
{
    public ModelContext Ctx;
    public ulong Size;
    public ulong DataSize;
    public bool External;
    public bool Aligned;
    public ulong AlignTo;
    public bool Phantom;
    public bool Zero;
    /// <summary>The entry point got past its up-front checks and cleared isReset.</summary>
    public bool ClearsIsReset;
    /// <summary>The call has undefined behaviour in PostgreSQL (e.g. an overflowing aligned size):
    /// a well-behaved caller never makes it, so the runner skips it on both sides.</summary>
    public bool Skip;
}

public struct ReallocPlan
{
    public ModelChunk Chunk;
    public ulong Size;
    /// <summary>The pointer stays the same (in-place shrink or fit).</summary>
    public bool InPlace;
    /// <summary>Dedicated-block realloc: the pointer may or may not move.</summary>
    public bool MayMove;
    public AllocPlan NewChunk;
    /// <summary>repalloc0: bytes [old requested, size) become zero.</summary>
    public bool ZeroTail;
    public bool Skip;
}
