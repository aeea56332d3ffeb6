// VerifyScratch: the reusable collections of MemoryContextVerify and the type verifiers
// (AllocSet.Verify, Generation.Verify, Slab.Verify, Bump.Verify), so that a walk that finds
// nothing allocates nothing.
//
// Why it exists: the fuzz runner verifies ~10 times per execution and builds a new Mcxt per
// execution, so scratch collections kept in the Mcxt (or its method tables) were re-created and
// re-grown every execution. A caller that builds many Mcxt instances passes one VerifyScratch to
// all of them (Mcxt's constructor parameter); everyone else gets one per Mcxt.
//
// It holds no semantic state between walks: every accessor hands its collection out emptied.
// A collection that an earlier walk grew past KeepCapacity (a corrupt or huge structure) is
// replaced by a new one instead of cleared, so clearing never costs more than a typical walk and a
// freak walk does not pin its memory; the Slab free-slot marks are the exception (see SlabFreeMarks).
//
// Threading and re-entry: not thread-safe. One walk at a time may use a VerifyScratch: the walkers
// never re-enter themselves, an Mcxt is used by one thread at a time, and Mcxt instances that share
// one scratch must not verify concurrently. Each accessor serves exactly one purpose, so the
// collections a walk holds at the same time (the context list MemoryContextVerify iterates while a
// type verifier runs, for instance) are always distinct objects.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage], and, being a type of
// its own, left without SharpFuzz probes by the build's prefix arguments (Directory.Build.targets).
using System.Diagnostics.CodeAnalysis;

namespace Allocator.Mmgr;

[ExcludeFromCodeCoverage]
public sealed class VerifyScratch
{
    /// <summary>Largest capacity a collection may have grown to and still be reused (cleared);
    /// one grown further is dropped for a new one. Walks of up to ~4,000 entries stay under it (hash
    /// sets size themselves to a prime above twice their count).</summary>
    public const int KeepCapacity = 8192;

    // ------------------------------------------------------------------ MemoryContextVerify (Mcxt.Check)

    private List<string>? _problems;
    private List<ulong>? _contexts, _children;
    private HashSet<ulong>? _treeSeen, _childSet, _callbacks;
    private Stack<ulong>? _stack;

    /// <summary>The problem list MemoryContextVerify fills (its result is copied out of it).</summary>
    internal List<string> Problems() => Take(ref _problems);

    /// <summary>The contexts under the root, pre-order (iterated while the type verifiers run).</summary>
    internal List<ulong> Contexts() => Take(ref _contexts);

    /// <summary>MC1: contexts reached so far by the tree walk.</summary>
    internal HashSet<ulong> TreeSeen() => Take(ref _treeSeen);

    /// <summary>MC1: the tree walk's stack of contexts still to visit.</summary>
    internal Stack<ulong> TreeStack()
    {
        if (_stack is null || _stack.EnsureCapacity(0) > KeepCapacity) _stack = new Stack<ulong>();
        else _stack.Clear();
        return _stack;
    }

    /// <summary>MC1: one context's children, in list order (cleared per context by the walker).</summary>
    internal List<ulong> Children() => Take(ref _children);

    /// <summary>MC1: the same children as a set, filled only once a child list is long.</summary>
    internal HashSet<ulong> ChildSet() => Take(ref _childSet);

    /// <summary>MC8: one context's callback records seen so far.</summary>
    internal HashSet<ulong> Callbacks() => Take(ref _callbacks);

    // ------------------------------------------------------------------ AllocSet (AS1-AS10)

    private Dictionary<ulong, int>? _asetTiled;
    private List<ulong>? _asetOrder, _asetBlocks;
    private List<int>? _asetOrderFidx;
    private HashSet<ulong>? _asetBlockSet, _asetOnList;

    /// <summary>AS2: small chunk -> freelist index, for lookups.</summary>
    internal Dictionary<ulong, int> AsetTiled()
    {
        if (_asetTiled is null || _asetTiled.EnsureCapacity(0) > KeepCapacity) _asetTiled = new Dictionary<ulong, int>();
        else _asetTiled.Clear();
        return _asetTiled;
    }

    /// <summary>AS2: small chunks in address-walk order (reports are made in this order).</summary>
    internal List<ulong> AsetOrder() => Take(ref _asetOrder);

    /// <summary>The freelist index of each entry of AsetOrder, at the same position.</summary>
    internal List<int> AsetOrderFidx()
    {
        return Take(ref _asetOrderFidx);
    }

    /// <summary>AS1: the blocks in list order.</summary>
    internal List<ulong> AsetBlocks() => Take(ref _asetBlocks);

    /// <summary>AS1: the same blocks as a set (cycle detection).</summary>
    internal HashSet<ulong> AsetBlockSet() => Take(ref _asetBlockSet);

    /// <summary>AS4/AS5: chunks found on the freelists.</summary>
    internal HashSet<ulong> AsetOnList() => Take(ref _asetOnList);

    // ------------------------------------------------------------------ Generation, Slab, Bump

    private List<ulong>? _blocks;
    private HashSet<ulong>? _blockSeen;
    private bool[]? _slabFree;

    /// <summary>GEN3 / SL1 / BU1: the blocks of one list, in list order.</summary>
    internal List<ulong> Blocks() => Take(ref _blocks);

    /// <summary>GEN3 / SL1 / BU1: blocks reached so far (cycle detection; for Slab, across all lists).</summary>
    internal HashSet<ulong> BlockSeen() => Take(ref _blockSeen);

    /// <summary>SL2: per-slot "is on the free list" marks for one Slab block, at least
    /// <paramref name="chunksPerBlock"/> long. Not cleared here: Slab's VerifyBlock clears [0, cpb)
    /// per block and never reads past it. It only grows (a fresh cpb-sized array per walk cost up to
    /// 44 MiB for a 1 GiB block of 24-byte chunks, even for a slab without blocks), so a shared
    /// scratch keeps the largest one a walk needed.</summary>
    internal bool[] SlabFreeMarks(int chunksPerBlock)
    {
        if (_slabFree is null || _slabFree.Length < chunksPerBlock) _slabFree = new bool[chunksPerBlock];
        return _slabFree;
    }

    // ------------------------------------------------------------------ helpers

    // Common.ScratchCollections: emptied, or new past KeepCapacity (capacity, not Count, decides).

    private static List<T> Take<T>(ref List<T>? field) => Common.ScratchCollections.Take(ref field, KeepCapacity);

    private static HashSet<ulong> Take(ref HashSet<ulong>? field) => Common.ScratchCollections.Take(ref field, KeepCapacity);
}
