// VerifyWalk: the walk the Generation, Slab and Bump invariant verifiers share (GEN1-6, SL1-5,
// BU1-4 and their part of MC3/MC4; pg-mmgr-dsa.md 3.8, 4.7, 5.3, 1.12). Each type's Verify is
// Run(this, ...), and its body calls the shared pieces with its own invariant ids and texts:
//   Run        the entry point: the context header must be mapped and carry the type's tag, then
//              the type's body runs; a fault (SimFaultException) or a tripped assertion inside
//              the walk becomes one violation, named after the type's walk invariant, and the
//              walk of this context stops there (MemoryContextVerify goes on with the others);
//   BlockList  one circular block dlist (Common/Dlist.cs layout): every node's prev link is
//              checked, the walk stops at a block it has seen before (a cycle, or for Slab a block
//              on two lists), after a bound on the number of blocks, and at a block whose header
//              is not mapped; the head's prev link is checked once the walk is back at the head;
//   Chunks     the MemoryChunk tiling of one Generation or Bump block's [data, freeptr): every
//              header carries the type's method id and decodes to its block (MC4), an external
//              header has the magic, sizes are MAXALIGNed, and no chunk runs past freeptr; the
//              type's hooks add its own per-chunk checks at the points it always had them.
// The texts are the types' own (tests pin them), so they come from the caller: invariant ids as
// parameters, and the block-list texts through IBlockListTexts.
//
// Like the verifiers: reads only, never allocates from a context, bounds every walk, and builds a
// string only for a violation (the texts are structs, called through generic constraints).
// AllocSet's verifier (AS1-AS10) walks its own, differently shaped block list (aset.c's prev/next
// block links, not a dlist) and does not use this.
// Oracle code, not the system under test: marked [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's
// IL instrumenter, selects by type name only and probes it anyway (docs/fuzzing-instrumentation.md).
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

/// <summary>A context type whose IMemoryContextVerifier.Verify is VerifyWalk.Run.</summary>
internal interface IVerifyWalkBody
{
    /// <summary>The invariant a bad header, a fault or an assertion is reported under ("GEN3").</summary>
    string WalkInvariant { get; }

    /// <summary>sizeof the type's context header in this build (what must be mapped).</summary>
    ulong ContextHeaderSize { get; }

    /// <summary>The type's checks, once the header has passed; may fault on corrupt memory.</summary>
    void VerifyBody(ulong context, List<string> problems);
}

/// <summary>The texts of a BlockList walk's violations (each type words them its own way).</summary>
internal interface IBlockListTexts
{
    /// <summary>The walk reached <paramref name="block"/> again, or ran past its bound.</summary>
    string Cycle(ulong block);

    /// <summary>The walk reached a block whose header is not mapped.</summary>
    string Unmapped(ulong block);

    /// <summary><paramref name="block"/>'s prev link is not the node before it.</summary>
    string PrevLink(ulong block, ulong prevLink, ulong expected);

    /// <summary>The head's prev link is not the last node.</summary>
    string HeadPrevLink(ulong prevLink, ulong expected);
}

/// <summary>Per-chunk checks a type adds to the Chunks tiling walk.</summary>
internal interface IChunkTilingChecks
{
    /// <summary>Called for a chunk with an external header, after the magic test and before its
    /// size (endptr - pointer) is checked against freeptr.</summary>
    void External(ulong chunk, ulong block, ulong data, ulong freeptr, ulong endptr, List<string> problems);

    /// <summary>Called for every chunk that ends by freeptr.</summary>
    void Chunk(ulong chunk, ulong pointer, ulong chunksize, ulong block, List<string> problems);
}

/// <summary>The BlockList texts of a context's one block list (Generation, Bump).</summary>
[ExcludeFromCodeCoverage]
internal readonly struct ContextBlockListTexts(string invariant, ulong context) : IBlockListTexts
{
    public string Cycle(ulong block) =>
        $"{invariant}: block list of {Mcxt.Ptr(context)} cycles at {Mcxt.Ptr(block)}";

    public string Unmapped(ulong block) =>
        $"{invariant}: block list of {Mcxt.Ptr(context)} reaches unmapped block {Mcxt.Ptr(block)}";

    public string PrevLink(ulong block, ulong prevLink, ulong expected) =>
        $"{invariant}: block {Mcxt.Ptr(block)} has prev link {Mcxt.Ptr(prevLink)}, expected {Mcxt.Ptr(expected)}";

    public string HeadPrevLink(ulong prevLink, ulong expected) =>
        $"{invariant}: block list head of {Mcxt.Ptr(context)} has prev link {Mcxt.Ptr(prevLink)}, expected {Mcxt.Ptr(expected)}";
}

[ExcludeFromCodeCoverage]
internal static class VerifyWalk
{
    /// <summary>IMemoryContextVerifier.Verify for a type that has an IVerifyWalkBody.</summary>
    internal static void Run<TType>(TType type, ulong context, List<string> problems)
        where TType : MemoryContextMethods, IVerifyWalkBody
    {
        try
        {
            if (!TypeHeader(type, context, problems)) return;
            type.VerifyBody(context, problems);
        }
        catch (Exception e) when (e is SimFaultException or AssertionFailureException)
        {
            problems.Add(WalkFailure(type.WalkInvariant, type.TypeName, context, e));
        }
    }

    /// <summary>The opening check: false (and a violation) when the context header is not mapped,
    /// so the walk stops; a violation, and the walk goes on, when it does not carry the type's tag.</summary>
    private static bool TypeHeader<TType>(TType type, ulong context, List<string> problems)
        where TType : MemoryContextMethods, IVerifyWalkBody
    {
        Mcxt mcxt = type.Mcxt;
        if (!mcxt.Memory.IsMapped(context, type.ContextHeaderSize))
        {
            problems.Add($"{type.WalkInvariant}: {type.TypeName} context header {Mcxt.Ptr(context)} is not mapped");
            return false;
        }
        NodeTag actual = mcxt.GetTag(context);
        if (actual != type.Tag)
            problems.Add($"{type.WalkInvariant}: context {Mcxt.Ptr(context)} does not carry the {type.TypeName} tag (0x{(uint)actual:x})");
        return true;
    }

    /// <summary>The violation for a walk that faulted or tripped an assertion on corrupt memory.</summary>
    private static string WalkFailure(string invariant, string typeName, ulong context, Exception e) =>
        e is AssertionFailureException
            ? $"{invariant}: walking {typeName} context {Mcxt.Ptr(context)} hit an assertion: {e.Message}"
            : $"{invariant}: walking {typeName} context {Mcxt.Ptr(context)} faulted: {e.Message}";

    /// <summary>Walks the circular block dlist at <paramref name="head"/>, whose nodes sit at
    /// <paramref name="nodeOffset"/> in their blocks, and appends its blocks, in list order, to
    /// <paramref name="blocks"/> and to <paramref name="seen"/>. Stops at a block already in
    /// <paramref name="seen"/>, once <paramref name="blocks"/> holds <paramref name="blocksMax"/>,
    /// or at a block whose <paramref name="blockHeaderSize"/> bytes are not mapped.</summary>
    internal static void BlockList<TTexts>(SimMemory mem, ulong head, ulong nodeOffset, ulong blockHeaderSize, ulong blocksMax,
        HashSet<ulong> seen, List<ulong> blocks, List<string> problems, in TTexts texts)
        where TTexts : struct, IBlockListTexts
    {
        ulong prev = head;
        ulong node = mem.ReadU64(head + Dlist.OffNext);
        while (node != head)
        {
            ulong block = node - nodeOffset;
            if ((ulong)blocks.Count >= blocksMax || !seen.Add(block))
            {
                problems.Add(texts.Cycle(block));
                return;
            }
            if (!mem.IsMapped(block, blockHeaderSize))
            {
                problems.Add(texts.Unmapped(block));
                return;
            }
            ulong nodePrev = mem.ReadU64(node + Dlist.OffPrev);
            if (nodePrev != prev)
                problems.Add(texts.PrevLink(block, nodePrev, prev));
            blocks.Add(block);
            prev = node;
            node = mem.ReadU64(node + Dlist.OffNext);
        }
        ulong headPrev = mem.ReadU64(head + Dlist.OffPrev);
        if (headPrev != prev)
            problems.Add(texts.HeadPrevLink(headPrev, prev));
    }

    /// <summary>Tiles <paramref name="block"/>'s [data, freeptr) with MemoryChunk headers of
    /// <paramref name="hdr"/> bytes. Returns false when the tiling broke off (a partial header, or
    /// a chunk past freeptr; <paramref name="invariant"/> names those and unaligned sizes), true
    /// when it ended exactly at freeptr.</summary>
    internal static bool Chunks<TChecks>(SimMemory mem, ulong hdr, MemoryContextMethodID methodId, string invariant,
        ulong block, ulong data, ulong freeptr, ulong endptr, ref TChecks checks, List<string> problems)
        where TChecks : struct, IChunkTilingChecks
    {
        ulong ptr = data;
        while (ptr < freeptr)
        {
            ulong chunk = ptr;
            ulong pointer = chunk + hdr;
            if (freeptr - ptr < hdr)
            {
                problems.Add($"{invariant}: block {Mcxt.Ptr(block)} ends in a partial chunk header at {Mcxt.Ptr(chunk)}");
                return false;
            }
            ulong hdrmask = mem.ReadU64(pointer - 8);
            if ((MemoryContextMethodID)(hdrmask & MEMORY_CONTEXT_METHODID_MASK) != methodId)
                problems.Add($"MC4: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has method id {hdrmask & MEMORY_CONTEXT_METHODID_MASK}, not {(int)methodId}");
            ulong chunksize;
            if (MemoryChunk.HasExternalFlag(hdrmask))
            {
                if ((hdrmask & ~((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1)) != MEMORYCHUNK_MAGIC)
                    problems.Add($"MC4: external chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} lacks the magic (header {MemoryChunk.FormatHeader(hdrmask)})");
                checks.External(chunk, block, data, freeptr, endptr, problems);
                chunksize = endptr - pointer;
            }
            else
            {
                ulong owner = MemoryChunk.GetBlock(chunk, hdrmask);
                if (owner != block)
                    problems.Add($"MC4: chunk {Mcxt.Ptr(chunk)} decodes to block {Mcxt.Ptr(owner)}, not its block {Mcxt.Ptr(block)}");
                chunksize = MemoryChunk.GetValue(hdrmask);
                if (chunksize != MAXALIGN(chunksize))
                    problems.Add($"{invariant}: chunk {Mcxt.Ptr(chunk)} in block {Mcxt.Ptr(block)} has unaligned size {chunksize}");
            }
            if (chunksize > freeptr - pointer)
            {
                problems.Add($"{invariant}: chunk {Mcxt.Ptr(chunk)} of size {chunksize} overruns freeptr of block {Mcxt.Ptr(block)}");
                return false;
            }
            checks.Chunk(chunk, pointer, chunksize, block, problems);
            ptr = pointer + chunksize;
        }
        return true;
    }

    /// <summary>The MC3 text for a context whose mem_allocated is not what its blocks add up to
    /// (each type reports its own invariant's text next to it).</summary>
    internal static string MemAllocatedMismatch(string typeName, ulong context, ulong memAllocated, ulong expected) =>
        $"MC3: mem_allocated {memAllocated} of {typeName} context {Mcxt.Ptr(context)} differs from the {typeName} formula {expected}";
}
