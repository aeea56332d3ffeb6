// KeeperContextAccounting: what the accounting models of AllocSet, Generation and Bump share: a
// keeper block in the context's own malloc, new blocks sized by the BlockSizeSequence, requests
// above allocChunkLimit in dedicated blocks, and chunk_size as MAXALIGN(size) (plus the sentinel
// byte with MEMORY_CONTEXT_CHECKING, wrapping as C does: quirk Q2). Slab has none of these.
namespace Models.Mmgr;

public abstract class KeeperContextAccounting(string name, ModelContextKind kind, ulong chunkHeader, bool checking,
    ulong initBlockSize, ulong maxBlockSize, ulong allocChunkLimit) : AccountingContext(name, kind, chunkHeader)
{
    protected bool Checking { get; } = checking;

    /// <summary>mem_allocated as the type keeps it.</summary>
    protected ulong MemAllocated { get; set; }

    public BlockSizeSequence Sizes { get; } = new(initBlockSize, maxBlockSize);

    /// <summary>Requests above it get dedicated blocks (a recycled AllocSet keeps its first life's, quirk Q1).</summary>
    public ulong AllocChunkLimit { get; } = allocChunkLimit;

    /// <summary>Generation's and Bump's chunk_size of a request (AllocSet uses it for dedicated chunks).</summary>
    protected ulong ChunkSize(ulong request) => ChunkGeometry.AlignedData(request, Checking);
}
