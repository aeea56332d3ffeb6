// AllocatorOp: the operation vocabulary of the allocator oracle, shared by the FsCheck properties
// (src/Harness/Properties), the fuzzer's byte codec and the repro artifacts. STABLE: the fuzzer's
// codec and stored artifacts depend on these records, their field order and OpCode values; add new
// records at the end, never renumber.
//
// References are RELATIVE, so that every shrunk, spliced or mutated list still runs:
//   ctx   = index mod (number of live user contexts), in creation order (oldest first). User
//           contexts are the ones created by CreateContext ops; TopMemoryContext and ErrorContext
//           are never targets of tree-changing ops (PostgreSQL asserts against deleting Top).
//   pctx  = a "parent or view" ref: index mod (1 + live user contexts) over [Top, user...], or
//           NullParent (-1) for "no parent" (a new root). Used by CreateContext, SetParent,
//           SwitchTo, Stats and Check.
//   chunk = index mod (number of live chunks), in allocation order (a realloc keeps the slot).
//   freed = index mod (number of remembered freed chunks whose memory PostgreSQL provably still
//           holds), oldest first; only the hostile ops use it.
// An op whose pool is empty, or that a well-behaved caller could not issue (e.g. a cycle-making
// SetParent), is skipped identically on both sides and reported as skipped in the trace.
//
// Each record's ToString is one readable line that AllocatorOpText.Parse reads back.
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Oracle;

/// <summary>The four memory-context types.</summary>
public enum ContextKind : byte { AllocSet = 0, Generation = 1, Slab = 2, Bump = 3 }

/// <summary>MCXT_ALLOC_* flags, same bit values as palloc.h.</summary>
[Flags]
public enum AllocFlags : byte { None = 0, Huge = 0x01, NoOom = 0x02, Zero = 0x04 }

/// <summary>Which allocation entry point an Alloc uses.</summary>
public enum AllocEntry : byte
{
    /// <summary>palloc / palloc0 / palloc_extended in CurrentMemoryContext (the ctx ref is unused).
    /// Flags None -> palloc, exactly Zero -> palloc0, otherwise palloc_extended.</summary>
    Palloc = 0,
    /// <summary>MemoryContextAlloc / MemoryContextAllocZero (Zero flag) / MemoryContextAllocHuge
    /// (Huge flag); NoOom is ignored by these entry points.</summary>
    MemoryContextAlloc = 1,
    /// <summary>MemoryContextAllocExtended(ctx, size, flags): checks the size up front.</summary>
    AllocExtended = 2,
    /// <summary>MemoryContextAllocAligned(ctx, size, alignto, flags).</summary>
    AllocAligned = 3,
}

/// <summary>Which reallocation entry point a Realloc uses.</summary>
public enum ReallocEntry : byte
{
    /// <summary>repalloc(p, size) (flags ignored).</summary>
    Repalloc = 0,
    /// <summary>repalloc_extended(p, size, flags).</summary>
    RepallocExtended = 1,
    /// <summary>repalloc0(p, oldsize = the chunk's requested size, size) (flags ignored);
    /// oldsize greater than size is PostgreSQL's "invalid repalloc0 call" ERROR.</summary>
    Repalloc0 = 2,
}

/// <summary>What a hostile FreeNonChunk passes to pfree.</summary>
public enum NonChunkKind : byte
{
    /// <summary>A MAXALIGNed pointer inside a live chunk's data (Arg = byte offset, rounded down to
    /// a multiple of 8, at least 8, below the requested size).</summary>
    InsideChunk = 0,
    /// <summary>A pointer into caller-owned scratch memory whose preceding word is Arg (the runner
    /// forces its method-id nibble to a reserved/unused id or Bump's, whose reactions are defined).</summary>
    StackGarbage = 1,
    /// <summary>A block from malloc itself (Arg = its size): the glibc header hits reserved ids 1/2.</summary>
    MallocBlock = 2,
    /// <summary>pfree(NULL): reads address -8, a fault in C.</summary>
    Null = 3,
}

public enum MemoryAccess : byte { Read = 0, Write = 1 }

/// <summary>Stable numeric codes (the fuzzer's codec uses them). Never renumber.</summary>
public enum OpCode : byte
{
    CreateContext = 0,
    Alloc = 1,
    Realloc = 2,
    Free = 3,
    WritePattern = 4,
    VerifyPattern = 5,
    Reset = 6,
    ResetOnly = 7,
    ResetChildren = 8,
    Delete = 9,
    DeleteChildren = 10,
    SetParent = 11,
    SwitchTo = 12,
    RegisterCallback = 13,
    Stats = 14,
    Check = 15,
    WritePastEnd = 16,
    DoubleFree = 17,
    FreeNonChunk = 18,
    UseAfterFree = 19,
}

/// <summary>One operation. Records, so equality and hashing are structural.</summary>
public abstract record AllocatorOp
{
    /// <summary>Parent ref meaning "no parent": the context becomes a root.</summary>
    public const int NullParent = -1;

    public abstract OpCode Code { get; }

    /// <summary>True for the misbehaving-caller ops (only run when the runner allows them).</summary>
    public virtual bool IsHostile => false;

    internal static string P(int parentRef) => parentRef < 0 ? "null" : "#" + parentRef.ToString(System.Globalization.CultureInfo.InvariantCulture);
    internal static string R(int r) => "#" + r.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Create a context. AllocSet/Generation/Bump use (MinContextSize, InitBlockSize,
/// MaxBlockSize); Slab uses (InitBlockSize as blockSize, ChunkSize). Parameters outside
/// PostgreSQL's asserted domain are clamped into it by the runner (see ContextParams).</summary>
public sealed record CreateContext(ContextKind Kind, int Parent, ulong MinContextSize, ulong InitBlockSize, ulong MaxBlockSize, ulong ChunkSize) : AllocatorOp
{
    public override OpCode Code => OpCode.CreateContext;
    public override string ToString() => Kind == ContextKind.Slab
        ? $"CreateContext kind={Kind} parent={P(Parent)} block={InitBlockSize} chunk={ChunkSize}"
        : $"CreateContext kind={Kind} parent={P(Parent)} min={MinContextSize} init={InitBlockSize} max={MaxBlockSize}";
}

/// <summary>Allocate. SlabFit: when the target is a Slab, request exactly the chunkSize it was
/// created with (Size is then unused); ignored for other types. AlignTo is used only by
/// AllocAligned (a power of two below 128 MiB; the runner rounds other values down to one).</summary>
public sealed record Alloc(int Ctx, ulong Size, AllocFlags Flags, AllocEntry Entry, bool SlabFit, ulong AlignTo) : AllocatorOp
{
    public override OpCode Code => OpCode.Alloc;
    public override string ToString() =>
        $"Alloc ctx={R(Ctx)} size={Size} flags={AllocatorOpText.FormatFlags(Flags)} entry={Entry} slabfit={(SlabFit ? 1 : 0)} align={AlignTo}";
}

/// <summary>Reallocate a live chunk. SlabFit as for Alloc (the owner's creation chunkSize).</summary>
public sealed record Realloc(int Chunk, ulong Size, AllocFlags Flags, ReallocEntry Entry, bool SlabFit) : AllocatorOp
{
    public override OpCode Code => OpCode.Realloc;
    public override string ToString() =>
        $"Realloc chunk={R(Chunk)} size={Size} flags={AllocatorOpText.FormatFlags(Flags)} entry={Entry} slabfit={(SlabFit ? 1 : 0)}";
}

/// <summary>pfree a live chunk.</summary>
public sealed record Free(int Chunk) : AllocatorOp
{
    public override OpCode Code => OpCode.Free;
    public override string ToString() => $"Free chunk={R(Chunk)}";
}

/// <summary>Fill the whole requested range of a live chunk with a pattern derived from Seed.</summary>
public sealed record WritePattern(int Chunk, byte Seed) : AllocatorOp
{
    public override OpCode Code => OpCode.WritePattern;
    public override string ToString() => $"WritePattern chunk={R(Chunk)} seed={Seed}";
}

/// <summary>Compare a live chunk's bytes with the model now (even when verification is sparse).</summary>
public sealed record VerifyPattern(int Chunk) : AllocatorOp
{
    public override OpCode Code => OpCode.VerifyPattern;
    public override string ToString() => $"VerifyPattern chunk={R(Chunk)}";
}

/// <summary>MemoryContextReset (deletes the children, then resets).</summary>
public sealed record Reset(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.Reset;
    public override string ToString() => $"Reset ctx={R(Ctx)}";
}

/// <summary>MemoryContextResetOnly.</summary>
public sealed record ResetOnly(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.ResetOnly;
    public override string ToString() => $"ResetOnly ctx={R(Ctx)}";
}

/// <summary>MemoryContextResetChildren (pre-order ResetOnly of every proper descendant).</summary>
public sealed record ResetChildren(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.ResetChildren;
    public override string ToString() => $"ResetChildren ctx={R(Ctx)}";
}

/// <summary>MemoryContextDelete.</summary>
public sealed record Delete(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.Delete;
    public override string ToString() => $"Delete ctx={R(Ctx)}";
}

/// <summary>MemoryContextDeleteChildren.</summary>
public sealed record DeleteChildren(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.DeleteChildren;
    public override string ToString() => $"DeleteChildren ctx={R(Ctx)}";
}

/// <summary>MemoryContextSetParent(ctx, newParent); NewParent is a pctx ref (NullParent = root).
/// Skipped if it would make a cycle (PostgreSQL does not check multi-level cycles).</summary>
public sealed record SetParent(int Ctx, int NewParent) : AllocatorOp
{
    public override OpCode Code => OpCode.SetParent;
    public override string ToString() => $"SetParent ctx={R(Ctx)} parent={P(NewParent)}";
}

/// <summary>MemoryContextSwitchTo; Ctx is a pctx ref over [Top, user...] (negative = Top).</summary>
public sealed record SwitchTo(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.SwitchTo;
    public override string ToString() => $"SwitchTo ctx={P(Ctx)}";
}

/// <summary>MemoryContextRegisterResetCallback with a caller-owned 24-byte record.</summary>
public sealed record RegisterCallback(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.RegisterCallback;
    public override string ToString() => $"RegisterCallback ctx={R(Ctx)}";
}

/// <summary>MemoryContextStats text and MemoryContextMemConsumed of a pctx ref (Top included).</summary>
public sealed record Stats(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.Stats;
    public override string ToString() => $"Stats ctx={P(Ctx)}";
}

/// <summary>MemoryContextCheck of a pctx ref: the walkers' WARNINGs must be exactly the expected ones.</summary>
public sealed record Check(int Ctx) : AllocatorOp
{
    public override OpCode Code => OpCode.Check;
    public override string ToString() => $"Check ctx={P(Ctx)}";
}

/// <summary>HOSTILE: write Value at requested size + Offset of a live chunk. The runner keeps the
/// write inside the chunk's own usable space (past it lies the next header, whose corruption has
/// no defined reaction); with MEMORY_CONTEXT_CHECKING, Offset 0 is the sentinel byte.</summary>
public sealed record WritePastEnd(int Chunk, byte Offset, byte Value) : AllocatorOp
{
    public override OpCode Code => OpCode.WritePastEnd;
    public override bool IsHostile => true;
    public override string ToString() => $"WritePastEnd chunk={R(Chunk)} offset={Offset} value={Value}";
}

/// <summary>HOSTILE: pfree an already freed chunk (a freed ref).</summary>
public sealed record DoubleFree(int Freed) : AllocatorOp
{
    public override OpCode Code => OpCode.DoubleFree;
    public override bool IsHostile => true;
    public override string ToString() => $"DoubleFree freed={R(Freed)}";
}

/// <summary>HOSTILE: pfree something that is not a chunk (see NonChunkKind for Chunk and Arg).</summary>
public sealed record FreeNonChunk(NonChunkKind Kind, int Chunk, ulong Arg) : AllocatorOp
{
    public override OpCode Code => OpCode.FreeNonChunk;
    public override bool IsHostile => true;
    public override string ToString() => $"FreeNonChunk kind={Kind} chunk={R(Chunk)} arg={Arg}";
}

/// <summary>HOSTILE: read or write a freed chunk's data at Offset (kept past the first 8 bytes,
/// where the free list link lives, and inside the old requested size).</summary>
public sealed record UseAfterFree(int Freed, MemoryAccess Access, uint Offset, byte Value) : AllocatorOp
{
    public override OpCode Code => OpCode.UseAfterFree;
    public override bool IsHostile => true;
    public override string ToString() => $"UseAfterFree freed={R(Freed)} access={Access} offset={Offset} value={Value}";
}
