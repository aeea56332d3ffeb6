// ModelChunk: one live chunk as the caller knows it: owner, requested size, the usable data size
// the semantics imply (so GetMemoryChunkSpace = data + header), and the bytes the caller knows:
// a known prefix of the contents (written patterns, zeroed allocations, what realloc preserves).
namespace Models;

public sealed class ModelChunk
{
    public required int Serial { get; init; }
    public required ModelContext Owner { get; set; }

    /// <summary>The port's pointer (an opaque handle set by the runner).</summary>
    public ulong Address { get; set; }

    public ulong Requested { get; set; }

    /// <summary>Usable bytes of the chunk (GetMemoryChunkSpace minus the chunk header). For an
    /// aligned chunk: those of the underlying unaligned chunk.</summary>
    public ulong DataSize { get; set; }

    /// <summary>AllocSet or Generation dedicated-block chunk (external header).</summary>
    public bool External { get; set; }

    /// <summary>MemoryContextAllocAligned chunk (redirect header), with its alignment.</summary>
    public bool Aligned { get; set; }
    public ulong AlignTo { get; set; }

    /// <summary>Quirk Q2: a zero-data chunk handed out for a wrapped huge request; its requested
    /// range is not real memory, so content operations skip it.</summary>
    public bool Phantom { get; set; }

    /// <summary>Expected bytes; only [0, KnownLength) is known.</summary>
    public byte[] Data { get; set; } = Array.Empty<byte>();
    public int KnownLength { get; set; }

    /// <summary>A hostile write changed the sentinel byte (checking builds).</summary>
    public bool SentinelDamaged { get; set; }

    /// <summary>The requested range is real, bounded memory that content operations may touch.</summary>
    public bool HasContent => !Phantom && Requested <= int.MaxValue;

    public override string ToString() => $"chunk{Serial}[{Requested}]@{Owner.Name}";
}
