// CheckChunkWalk: the chunk walk that GenerationCheck (generation.c) and BumpCheck (bump.c) make
// over one block, written once. From the block's data start it steps from MemoryChunk to MemoryChunk
// and decodes each header as both C walkers do: an external chunk belongs to the block at the
// type's fixed block-header distance and runs to endptr; any other chunk names its block by the
// header's offset and its size by the header's value. The walkers themselves, with their
// WARNING texts, stay in Generation.Check.cs and Bump.Check.cs; this is only the stepping.
//
// Used with checking or without: in a Bump block without MEMORY_CONTEXT_CHECKING there are no
// headers to walk, and BumpCheck does not start one.
//
// Divergences from C, only on corrupted memory, so that the walk ends and stays inside the block
// (the walkers' headers list them too): it stops at min(freeptr, endptr), when fewer bytes than a
// chunk header remain before that limit, and after a chunk whose stride would wrap around the
// address space; the external flag is read without MemoryChunkIsExternal's magic assertion.
using Allocator.Sim;

namespace Allocator.Mmgr;

/// <summary>One block's chunks for a check walker: <c>for (var walk = new CheckChunkWalk(...);
/// walk.MoveNext();)</c>, reading the current chunk from the properties.</summary>
internal struct CheckChunkWalk
{
    private readonly SimMemory _mem;
    private readonly ulong _hdr;
    private readonly ulong _blockHdrSize;
    private readonly ulong _endptr;
    private ulong _ptr;
    private ulong _next;
    private bool _started;

    /// <param name="hdr">The chunk header size (sizeof(MemoryChunk) in this build).</param>
    /// <param name="blockHdrSize">The type's block header size: data starts there, and an external
    /// chunk's block is that far before it.</param>
    internal CheckChunkWalk(SimMemory mem, ulong hdr, ulong blockHdrSize, ulong block, ulong freeptr, ulong endptr)
    {
        _mem = mem;
        _hdr = hdr;
        _blockHdrSize = blockHdrSize;
        _endptr = endptr;
        Limit = Math.Min(freeptr, endptr);
        _ptr = block + blockHdrSize;
    }

    /// <summary>Where the walk stops: min(freeptr, endptr).</summary>
    public ulong Limit { get; }

    /// <summary>The current chunk (its MemoryChunk header, requested_size first with checking).</summary>
    public ulong Chunk { get; private set; }

    /// <summary>MemoryChunkGetPointer(chunk): the user pointer, right after the header.</summary>
    public readonly ulong Pointer => Chunk + _hdr;

    /// <summary>The block the header names (ExternalChunkGetBlock or MemoryChunkGetBlock).</summary>
    public ulong ChunkBlock { get; private set; }

    /// <summary>The chunk's size: endptr - pointer if external, else the header's value.</summary>
    public ulong ChunkSize { get; private set; }

    /// <summary>Whether the header has the external flag.</summary>
    public bool IsExternal { get; private set; }

    public bool MoveNext()
    {
        if (_started)
        {
            if (_next <= _ptr) return false;   // a stride that wraps around would never end
            _ptr = _next;
        }
        _started = true;
        if (_ptr >= Limit || Limit - _ptr < _hdr) return false;

        Chunk = _ptr;
        ulong hdrmask = _mem.ReadU64(Pointer - 8);
        IsExternal = MemoryChunk.HasExternalFlag(hdrmask);
        if (IsExternal)
        {
            ChunkBlock = Chunk - _blockHdrSize;
            ChunkSize = _endptr - Pointer;
        }
        else
        {
            ChunkBlock = MemoryChunk.GetBlock(Chunk, hdrmask);
            ChunkSize = MemoryChunk.GetValue(hdrmask);
        }
        _next = unchecked(_ptr + ChunkSize + _hdr);
        return true;
    }
}
