// AccountingModel: predicts the accounting of PostgreSQL's memory contexts, not only their
// contents (pg-mmgr-dsa.md 2-6; aset.c, generation.c, slab.c, bump.c, alignedalloc.c, mcxt.c):
// which block each chunk comes from and where (so the exact pointer once a block's address is
// known), the block-size sequence, where dedicated blocks are linked, free-list membership and
// LIFO reuse, Generation's freeblock, Slab's blocklists and empty blocks, recycled AllocSet
// contexts, and after every operation what MemoryContextStats prints and mem_allocated holds.
// Written from the semantics with lists, sharing no code with the port; one class per type
// (AllocSetAccounting, GenerationAccounting, SlabAccounting, BumpAccounting) plus the shared
// BlockSizeSequence.
//
// It rides on the contents model (AllocatorModel): its contexts and chunks carry their accounting
// twins (ModelContext.Accounting, ModelChunk.Accounting), and the tree operations walk the
// contents model's tree BEFORE that model applies them (PostgreSQL's order: a reset deletes the
// children, newest first and bottom-up, then resets; ResetChildren goes pre-order). Every method
// that receives a pointer from the system under test returns null when it is where PostgreSQL
// puts it, else the discrepancy.
//
// What it cannot predict it says so: AllocSet retries a failed block malloc above 1 MiB at half
// the size, and which size the heap then granted is the heap's business; the caller reports such
// a retry and the context's figures are no longer checked (AccountingContext.GiveUp).
using System.Globalization;

namespace Models.Mmgr;

public sealed class AccountingModel
{
    private readonly record struct Recycled(ulong AllocChunkLimit, ulong FirstBlockSize);

    private readonly Stack<Recycled>[] _recycled = [new(), new()];

    public AccountingModel(bool checking)
    {
        Checking = checking;
        Hdr = checking ? 16UL : 8UL;
    }

    public bool Checking { get; }

    /// <summary>sizeof(MemoryChunk).</summary>
    public ulong Hdr { get; }

    /// <summary>Pointers compared with the model's placement, and pointers that taught the model
    /// a block's address (the first in a block whose address it could not know).</summary>
    public int PointersPredicted { get; private set; }
    public int PointersLearnt { get; private set; }

    /// <summary>Gives TopMemoryContext (ALLOCSET_DEFAULT_SIZES) and ErrorContext (8 KiB fixed)
    /// their accounting, as MemoryContextInit creates them.</summary>
    public void AttachRoots(AllocatorModel model)
    {
        foreach (ModelContext c in new[] { model.Top, model.ErrorContext })
        {
            c.Accounting = NewAllocSet(c.Name, c.MinContextSize, c.InitBlockSize, c.MaxBlockSize, null);
            if (c.Address != 0) c.Accounting.SetAddress(c.Address);
        }
    }

    private static AccountingContext Of(ModelContext c) =>
        c.Accounting ?? throw new InvalidOperationException($"{c} has no accounting model");

    private AllocSetAccounting NewAllocSet(string name, ulong min, ulong init, ulong max, Recycled? recycled) =>
        new(name, Checking, init, max,
            recycled?.FirstBlockSize ?? ChunkGeometry.AllocSetFirstBlock(min, init, Hdr),
            recycled?.AllocChunkLimit ?? ChunkGeometry.AllocSetChunkLimit(max, Hdr));

    /// <summary>A context was created (call after AllocatorModel.CommitCreate): an AllocSet of the
    /// default or small sizes reuses the newest recycled context of its list (quirk Q1: its old
    /// allocChunkLimit), the others start with their keeper block (Slab: with nothing).</summary>
    public void Created(ModelContext c)
    {
        ulong min = c.MinContextSize, init = c.InitBlockSize, max = c.MaxBlockSize;
        AccountingContext a;
        switch (c.Kind)
        {
            case ModelContextKind.AllocSet:
                int list = ChunkGeometry.AllocSetFreeListIndex(min, init);
                Recycled? recycled = list >= 0 && _recycled[list].Count > 0 ? _recycled[list].Pop() : null;
                a = NewAllocSet(c.Name, min, init, max, recycled);
                break;
            case ModelContextKind.Generation:
                a = new GenerationAccounting(c.Name, Checking, init, max, ChunkGeometry.GenerationFirstBlock(min, init, Hdr),
                    ChunkGeometry.FractionChunkLimit(max, Hdr, ChunkGeometry.GenerationBlockHeader));
                break;
            case ModelContextKind.Bump:
                ulong bumpHdr = Checking ? 16UL : 0UL;
                a = new BumpAccounting(c.Name, Checking, init, max, ChunkGeometry.BumpFirstBlock(min, init, bumpHdr),
                    ChunkGeometry.FractionChunkLimit(max, bumpHdr, Checking ? 40UL : 32UL));
                break;
            default:
                var (_, full, perBlock) = ChunkGeometry.Slab(c.SlabBlockSize, c.SlabChunkSizeAsCreated, Checking);
                a = new SlabAccounting(c.Name, Checking, c.SlabBlockSize, full, (int)perBlock);
                break;
        }
        if (c.Address != 0) a.SetAddress(c.Address);
        c.Accounting = a;
    }

    // ------------------------------------------------------------------ chunks

    /// <summary>The request the type's alloc method sees: MemoryContextAllocAligned adds room to
    /// align (and the sentinel byte) for alignments above MAXALIGN.</summary>
    private ulong Request(ulong size, ulong alignto) =>
        alignto > 8 ? unchecked(size + ChunkGeometry.AlignedExtra(alignto, Checking)) : size;

    /// <summary>A successful allocation of <paramref name="size"/> bytes (aligned to alignto when
    /// above 8) returned <paramref name="pointer"/> for the model chunk <paramref name="ch"/>.</summary>
    public string? Allocated(ModelChunk ch, ulong size, ulong alignto, ulong pointer)
    {
        AccountingContext a = Of(ch.Owner);
        Placement p = a.Alloc(Request(size, alignto));
        p.Chunk.AlignTo = alignto > 8 ? alignto : 0;
        ch.Accounting = p.Chunk;
        return CheckPointer(a, p, pointer);
    }

    /// <summary>An allocation that reached the type's malloc and failed (ERROR or NULL).</summary>
    public string? AllocFailed(ModelContext c, ulong size, ulong alignto) => Of(c).AllocFailed(Request(size, alignto));

    /// <summary>A successful repalloc of <paramref name="ch"/> to <paramref name="size"/> returned <paramref name="pointer"/>.</summary>
    public string? Reallocated(ModelChunk ch, ulong size, ulong pointer)
    {
        AccountingChunk old = ch.Accounting ?? throw new InvalidOperationException($"{ch} has no accounting chunk");
        AccountingContext a = old.Owner;
        Placement p;
        if (old.AlignTo > 0)
        {
            // AlignedAllocRealloc: a new aligned chunk first, then pfree of the old unaligned one.
            p = a.Alloc(Request(size, old.AlignTo));
            p.Chunk.AlignTo = old.AlignTo;
            a.Free(old);
        }
        else
        {
            p = a.Realloc(old, size);
            p.Chunk.AlignTo = 0;   // a reused free-list chunk may have been an aligned chunk's before
        }
        ch.Accounting = p.Chunk;
        return CheckPointer(a, p, pointer);
    }

    public string? ReallocFailed(ModelChunk ch, ulong size)
    {
        AccountingChunk old = ch.Accounting ?? throw new InvalidOperationException($"{ch} has no accounting chunk");
        return old.AlignTo > 0 ? old.Owner.AllocFailed(Request(size, old.AlignTo)) : old.Owner.ReallocFailed(old, size);
    }

    public void Freed(ModelChunk ch)
    {
        AccountingChunk c = ch.Accounting ?? throw new InvalidOperationException($"{ch} has no accounting chunk");
        c.Owner.Free(c);
    }

    /// <summary>Compares the pointer with the placement's, once the block's address is known; the
    /// first plain pointer handed out in a block of unknown address teaches the model that address.</summary>
    private string? CheckPointer(AccountingContext a, Placement p, ulong pointer)
    {
        AccountingChunk c = p.Chunk;
        if (p.MayMove) c.Block.Base = null;
        ulong? start = c.Pointer(a.ChunkHeader);
        if (start is not ulong predicted)
        {
            if (c.AlignTo == 0)
            {
                c.Block.Base = pointer - c.Offset - a.ChunkHeader;
                PointersLearnt++;
            }
            return null;
        }
        PointersPredicted++;
        // alignedalloc.c: the aligned pointer is the first multiple of alignto past the unaligned
        // chunk's pointer plus room for the redirect header (sizeof(MemoryChunk)).
        ulong expected = c.AlignTo == 0 ? predicted : (predicted + Hdr + c.AlignTo - 1) & ~(c.AlignTo - 1);
        if (expected == pointer) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{a.Name}: the pointer is 0x{pointer:x}; PostgreSQL returns 0x{expected:x}: {p.How}");
    }

    // ------------------------------------------------------------------ tree operations (call before AllocatorModel's)

    /// <summary>MemoryContextReset: delete the children, then reset if not isReset.</summary>
    public void Reset(ModelContext c)
    {
        DeleteChildren(c);
        ResetOnly(c);
    }

    public void ResetOnly(ModelContext c)
    {
        if (!c.IsReset) Of(c).Reset();
    }

    /// <summary>MemoryContextResetChildren: ResetOnly of every descendant, pre-order.</summary>
    public void ResetChildren(ModelContext c)
    {
        foreach (ModelContext child in c.Children)
        {
            ResetOnly(child);
            ResetChildren(child);
        }
    }

    /// <summary>MemoryContextDelete: descendants first (newest child first, bottom-up), then c; an
    /// AllocSet of the default or small sizes is reset and kept on its recycled list (at most
    /// 100: the list is emptied before the 101st).</summary>
    public void Delete(ModelContext c)
    {
        DeleteChildren(c);
        if (Of(c) is AllocSetAccounting && ChunkGeometry.AllocSetFreeListIndex(c.MinContextSize, c.InitBlockSize) is int list and >= 0)
        {
            var a = (AllocSetAccounting)Of(c);
            if (!c.IsReset) a.Reset();
            if (_recycled[list].Count >= ChunkGeometry.MaxFreeContexts) _recycled[list].Clear();
            _recycled[list].Push(new Recycled(a.AllocChunkLimit, a.FirstBlockSize));
        }
    }

    public void DeleteChildren(ModelContext c)
    {
        foreach (ModelContext child in c.Children) Delete(child);
    }
}
