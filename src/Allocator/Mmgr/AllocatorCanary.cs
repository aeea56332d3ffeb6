// AllocatorCanary: deliberately planted allocator bugs, for proving that the harness catches bugs
// (a canary run must fail within its budget; style-anchors.md synthesis 13). Test-only: set through
// the internal MemoryContextOptions.Canary by tests and by the fuzzer's canary mode, never by default.
// Each value names one plausible mistake a port of aset.c or slab.c could contain.
namespace Allocator.Mmgr;

internal enum AllocatorCanary
{
    /// <summary>No planted bug: the faithful port.</summary>
    None = 0,

    /// <summary>AllocSetFree pushes a small chunk onto freelist[fidx + 1] (when that list exists),
    /// so a later palloc of the next size class gets a chunk half the size it needs.</summary>
    FreelistIndexOffByOne,

    /// <summary>AllocSetAllocChunkFromBlock (a chunk carved from a block, not from a freelist) skips
    /// set_sentinel under MEMORY_CONTEXT_CHECKING, so AllocSetCheck reports writes that never happened
    /// and a real overrun into that byte goes unnoticed.</summary>
    SentinelSkipped,

    /// <summary>AllocSetReset forgets to move the keeper block's freeptr back to its data start, so
    /// the keeper's space leaks on every reset (AS8) while mem_allocated still looks right.</summary>
    KeeperFreeptrNotRewound,

    /// <summary>SlabFindNextBlockListIndex scans the blocklists from the emptiest down, so palloc
    /// fills nearly empty blocks before fuller ones and no block drains to be freed. Memory-safe:
    /// only the accounting model's placements and figures see it, and only when a Slab has partly
    /// used blocks on blocklists 1 and 2 at once (the mutation catalog's slab-emptier-blocks-first).</summary>
    SlabEmptierBlocksFirst,

    /// <summary>GenerationAlloc switches to the freeblock only when it has strictly more room than
    /// the chunk needs, so an exact fit mallocs a new block while an emptied one of exactly the
    /// right size waits. Memory-safe: only the accounting model's placements and figures see it,
    /// and only for a request that fills the freeblock exactly (the mutation catalog's
    /// gen-freeblock-switch-strict).</summary>
    GenerationFreeblockExactFitRefused,
}
