// ModelOptions: the build options the reference model needs to predict outcomes (pg-mmgr-dsa.md
// 0.2), restated here so the model shares no code with the port, plus the simulated heap's limit
// that decides which huge requests certainly fail.
namespace Models.Mmgr;

public sealed record ModelOptions
{
    /// <summary>MEMORY_CONTEXT_CHECKING: 16-byte chunk headers, sentinels, double-free detection,
    /// check walkers before reset and delete, Bump chunk headers.</summary>
    public bool Checking { get; init; }

    /// <summary>CLOBBER_FREED_MEMORY: freed data reads as 0x7F (past the free-list link).</summary>
    public bool Clobber { get; init; }

    /// <summary>The simulated heap's maximum size: a malloc whose footprint exceeds it certainly fails.</summary>
    public ulong HeapMax { get; init; } = 1UL << 30;

    /// <summary>A malloc of at most this many bytes is assumed to succeed (the generators keep the
    /// total far below HeapMax); requests between this and HeapMax are "uncertain".</summary>
    public ulong SafeMallocBytes { get; init; } = 64UL << 20;

    /// <summary>USE_ASSERT_CHECKING: assert builds evaluate extra calls (repalloc first calls
    /// GetMemoryChunkContext) and trap on Assert() failures.</summary>
    public bool AssertBuild { get; init; } = true;

    /// <summary>Remember freed AllocSet chunks for the hostile ops (DoubleFree, UseAfterFree).</summary>
    public bool TrackFreed { get; init; }

    /// <summary>sizeof(MemoryChunk): 8, or 16 with checking.</summary>
    public ulong ChunkHdr => Checking ? 16UL : 8UL;
}
