// MemoryContextOptions: PostgreSQL's build-time memory-debugging options as runtime options of one
// simulated process (pg-mmgr-dsa.md 0.2). Fixed for the process's lifetime, because the chunk
// header size depends on MEMORY_CONTEXT_CHECKING.
#pragma warning disable CA1707
namespace Allocator.Mmgr;

public sealed record MemoryContextOptions
{
    /// <summary>MEMORY_CONTEXT_CHECKING: requested_size in chunk headers, sentinels, double-free
    /// detection, check walkers before every reset and delete.</summary>
    public bool MemoryContextChecking { get; init; }

    /// <summary>CLOBBER_FREED_MEMORY: freed memory is overwritten with 0x7F.</summary>
    public bool ClobberFreedMemory { get; init; }

    /// <summary>RANDOMIZE_ALLOCATED_MEMORY: new allocations are filled with a deterministic pattern.</summary>
    public bool RandomizeAllocatedMemory { get; init; }

    /// <summary>USE_ASSERT_CHECKING extras beyond the always-on Pg.Assert (for example the
    /// MAXALIGN check on pointers passed to pfree).</summary>
    public bool AssertChecking { get; init; } = true;

    /// <summary>A deliberately planted allocator bug (test and canary-fuzzing use only); None by default.</summary>
    internal AllocatorCanary Canary { get; init; }

    /// <summary>A production build: no checking, no clobbering.</summary>
    public static MemoryContextOptions Production { get; } = new();

    /// <summary>A debugging build: checking plus clobbering, as PostgreSQL's --enable-cassert builds use.</summary>
    public static MemoryContextOptions Checking { get; } = new() { MemoryContextChecking = true, ClobberFreedMemory = true };

    /// <summary>sizeof(MemoryChunk) in this build: 8, or 16 with MEMORY_CONTEXT_CHECKING.</summary>
    public ulong ChunkHeaderSize => MemoryContextChecking ? McxtConstants.MemoryChunkHdrChecking : McxtConstants.MemoryChunkHdrNoChecking;

    public override string ToString() =>
        $"checking={(MemoryContextChecking ? "on" : "off")} clobber={(ClobberFreedMemory ? "on" : "off")} randomize={(RandomizeAllocatedMemory ? "on" : "off")}";
}
