// ModelContext: one memory context as a caller can know it: its place in the tree (children
// newest first, as PostgreSQL links them), name, type and creation parameters, isReset, its
// callback stack, and what the type's semantics let us derive (allocChunkLimit, the first block's
// size, whether a Slab holds blocks, whether a Bump block pointer moved).
namespace Models.Mmgr;

public enum ModelContextKind : byte { AllocSet, Generation, Slab, Bump }

public sealed class ModelContext
{
    public required int Serial { get; init; }
    public required string Name { get; init; }
    public required ModelContextKind Kind { get; init; }

    /// <summary>The port's address for this context (an opaque handle set by the runner).</summary>
    public ulong Address { get; set; }

    public ModelContext? Parent { get; set; }

    /// <summary>Children in PostgreSQL's list order: index 0 is firstchild (the newest link).</summary>
    public List<ModelContext> Children { get; } = new();

    public bool IsReset { get; set; } = true;
    public bool Deleted { get; set; }

    /// <summary>Registered callback ids; the last one is the head of reset_cbs (runs first).
    /// Made on first use: few contexts ever get a callback.</summary>
    public List<int> Callbacks => _callbacks ??= new List<int>();

    private List<int>? _callbacks;

    /// <summary>Whether any callback is registered (without making the list).</summary>
    public bool HasCallbacks => _callbacks is { Count: > 0 };

    public ulong MinContextSize { get; init; }
    public ulong InitBlockSize { get; init; }
    public ulong MaxBlockSize { get; init; }

    /// <summary>Slab: blockSize as created; chunkSize raised to at least 8 (quirk Q3); the original.</summary>
    public ulong SlabBlockSize { get; init; }
    public ulong SlabChunkSize { get; init; }
    public ulong SlabChunkSizeAsCreated { get; init; }
    public ulong SlabFullChunkSize { get; init; }
    public ulong SlabChunksPerBlock { get; init; }

    /// <summary>AllocSet/Generation/Bump: requests above this go to dedicated blocks. A recycled
    /// AllocSet keeps the limit of its first life (quirk Q1).</summary>
    public ulong AllocChunkLimit { get; init; }

    /// <summary>AllocSet: size of the keeper's malloc chunk (mem_allocated right after create).</summary>
    public ulong FirstBlockSize { get; init; }

    /// <summary>AllocSet: recycled-context list (0, 1) or -1.</summary>
    public int FreeListIndex { get; init; } = -1;

    /// <summary>Live chunks owned by this context, and the sum of their GetMemoryChunkSpace.</summary>
    public int LiveChunks { get; set; }
    public ulong LiveSpace { get; set; }

    /// <summary>Slab: a block has been malloc'd since create/reset (blocks are kept, up to 10
    /// empty ones, until reset, so this decides MemoryContextIsEmpty).</summary>
    public bool SlabHasBlocks { get; set; }

    /// <summary>Bump: some allocation moved a freeptr or made a dedicated block since reset.</summary>
    public bool BumpAdvanced { get; set; }

    /// <summary>The accounting model's view of this context (AccountingModel), when one is kept.</summary>
    public AccountingContext? Accounting { get; set; }

    public bool IsTop { get; init; }
    public bool IsErrorContext { get; init; }

    public override string ToString() => $"{Name}({Kind})";
}
