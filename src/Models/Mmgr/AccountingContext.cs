// AccountingContext: the accounting model of one memory context, the part every type shares: its
// name and type, how far a chunk's user pointer lies past the chunk's start, block serials, and
// the escape hatch for corners the model cannot predict (then its figures are not checked, and
// whoever checks counts the skip). The types (AllocSetAccounting, GenerationAccounting,
// SlabAccounting, BumpAccounting) keep the blocks in PostgreSQL's list order and predict what
// MemoryContextStats and mem_allocated say after every operation.
//
// Protocol: the caller runs the operation on the system under test first and calls in only when
// it reached the type's method: Alloc/Realloc after a success, AllocFailed/ReallocFailed after the
// method's malloc failed (the effects before that malloc stay). Each returns where PostgreSQL puts
// the chunk, computed from the model's state alone; AccountingModel compares it with the pointer.
namespace Models.Mmgr;

/// <summary>Where an allocation landed: the chunk, why (PlacementReason, formatted only when a
/// pointer disagrees), and whether the pointer is free to differ from the prediction (a
/// realloc()ed dedicated block).</summary>
public readonly record struct Placement(AccountingChunk Chunk, PlacementReason Reason, bool MayMove = false)
{
    /// <summary>A readable account of the decision (formats Reason).</summary>
    public string How => Reason.ToString();
}

public abstract class AccountingContext(string name, ModelContextKind kind, ulong chunkHeader)
{
    public string Name { get; } = name;
    public ModelContextKind Kind { get; } = kind;

    /// <summary>Bytes from a chunk's start to its user pointer (sizeof(MemoryChunk); 0 for a
    /// production Bump chunk, which has no header).</summary>
    public ulong ChunkHeader { get; } = chunkHeader;

    /// <summary>Why this context's figures can no longer be predicted, or null.</summary>
    public string? Unpredictable { get; private set; }

    public void GiveUp(string reason) => Unpredictable ??= reason;

    private int _blockSerial;

    protected int NextBlockSerial() => _blockSerial++;

    /// <summary>MemoryContextStats' counters and mem_allocated, as PostgreSQL computes them now.</summary>
    public abstract ContextFigures Figures();

    /// <summary>The context's address is known: the keeper block (if any) sits right after the header.</summary>
    public abstract void SetAddress(ulong address);

    public abstract Placement Alloc(ulong request);

    /// <summary>The type's alloc method ran into a failed malloc: applies what happened before it.
    /// Returns a complaint when PostgreSQL would not have called malloc at all.</summary>
    public abstract string? AllocFailed(ulong request);

    public abstract void Free(AccountingChunk chunk);

    public abstract Placement Realloc(AccountingChunk chunk, ulong size);

    public abstract string? ReallocFailed(AccountingChunk chunk, ulong size);

    /// <summary>The type's reset method (MemoryContextResetOnly of a context that is not isReset).</summary>
    public abstract void Reset();

    protected static string NoMallocHere(string what) => $"PostgreSQL makes no malloc here ({what}), yet the allocation failed for lack of memory";

    public override string ToString() => $"{Name}({Kind})";
}
