// MemoryContextMethods: the per-type method table (MemoryContextMethods in memnodes.h). One
// instance per context type per simulated process; Mcxt.Methods[id] holds it, indexed by the
// 4-bit method id that every chunk header carries (pg-mmgr-dsa.md 1.2).
//
// All addresses are simulated. "context" is the address of the context header, "pointer" a user
// pointer. Alloc returns 0 only when MCXT_ALLOC_NO_OOM is set and memory ran out; every other
// failure is a PgErrorException with PostgreSQL's text.
namespace Allocator.Mmgr;

/// <summary>Receives one context's stats string (the printfunc of MemoryContextStatsInternal).</summary>
public delegate void MemoryStatsPrintFunc(ulong context, string stats);

public abstract class MemoryContextMethods
{
    protected MemoryContextMethods(Mcxt mcxt) { Mcxt = mcxt; }

    /// <summary>The process whose globals (options, heap, CurrentMemoryContext) this type uses.</summary>
    public Mcxt Mcxt { get; }

    public abstract MemoryContextMethodID MethodId { get; }

    /// <summary>The node tag written at offset 0 of contexts of this type.</summary>
    public abstract NodeTag Tag { get; }

    /// <summary>A short type name for messages and stats ("AllocSet", "Generation", "Slab", "Bump").</summary>
    public abstract string TypeName { get; }

    public abstract ulong Alloc(ulong context, ulong size, int flags);

    public abstract void Free(ulong pointer);

    public abstract ulong Realloc(ulong pointer, ulong size, int flags);

    public abstract void Reset(ulong context);

    public abstract void Delete(ulong context);

    public abstract ulong GetChunkContext(ulong pointer);

    public abstract ulong GetChunkSpace(ulong pointer);

    public abstract bool IsEmpty(ulong context);

    /// <summary>Adds this context's numbers to <paramref name="totals"/> and, if printfunc is
    /// given, passes it the type's stats string (pg-mmgr-dsa.md 1.8 templates).</summary>
    public abstract void Stats(ulong context, MemoryStatsPrintFunc? printfunc, ref MemoryContextCounters totals);

    /// <summary>The type's check walker (AllocSetCheck etc.): reports problems as WARNINGs to the
    /// process's ElogSink, never throws for corruption it can describe, never allocates from the
    /// context it checks, and bounds every walk.</summary>
    public abstract void Check(ulong context);
}
