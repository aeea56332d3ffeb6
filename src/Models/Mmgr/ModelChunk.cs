// ModelChunk: one live chunk as the caller knows it: owner, requested size, the usable data size
// the semantics imply (so GetMemoryChunkSpace = data + header), and the bytes the caller knows:
// a known prefix of the contents (written patterns, zeroed allocations, what realloc preserves).
//
// The known prefix is kept as runs (zero bytes, or the WritePattern byte function of a seed), not as
// a byte array: every way a caller learns contents (palloc0, WritePattern, repalloc keeping a
// prefix, repalloc0 zeroing the tail) produces a few runs, so an 8 MiB zeroed or patterned chunk
// costs the model O(1) instead of an 8 MiB array per write (which made the fuzzer GC-bound).
namespace Models.Mmgr;

/// <summary>Known bytes [Start, End) of a chunk: zero when Seed is negative, otherwise
/// AllocatorModel.PatternByte(Seed, i) at each chunk offset i.</summary>
public readonly record struct ContentRun(int Start, int End, int Seed)
{
    public const int Zero = -1;

    public bool IsZero => Seed < 0;

    public byte ByteAt(int i) => IsZero ? (byte)0 : AllocatorModel.PatternByte((byte)Seed, i);
}

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

    private List<ContentRun>? _known;

    /// <summary>The known prefix [0, KnownLength) as consecutive runs from offset 0.</summary>
    public IReadOnlyList<ContentRun> Known => (IReadOnlyList<ContentRun>?)_known ?? Array.Empty<ContentRun>();

    /// <summary>Known as a span, for checkers that walk it after every operation (no enumerator).</summary>
    public ReadOnlySpan<ContentRun> KnownRuns => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_known);

    /// <summary>Bytes [0, KnownLength) have known values.</summary>
    public int KnownLength => _known is { Count: > 0 } k ? k[^1].End : 0;

    /// <summary>The expected byte at offset i (below KnownLength).</summary>
    public byte ExpectedByte(int i)
    {
        foreach (ContentRun r in KnownRuns)
            if (i >= r.Start && i < r.End) return r.ByteAt(i);
        throw new ArgumentOutOfRangeException(nameof(i), $"byte {i} of {this} is not known");
    }

    /// <summary>The whole known prefix becomes [0, n) of one kind (Seed as in ContentRun).</summary>
    public void SetKnown(int n, int seed)
    {
        KnownVersion++;
        _known?.Clear();
        AppendKnown(n, seed);
    }

    /// <summary>Keeps only the first n known bytes.</summary>
    public void TruncateKnown(int n)
    {
        if (_known is null) return;
        KnownVersion++;
        while (_known.Count > 0 && _known[^1].Start >= n) _known.RemoveAt(_known.Count - 1);
        if (_known.Count > 0 && _known[^1].End > n) _known[^1] = _known[^1] with { End = n };
    }

    /// <summary>Extends the known prefix to end at <paramref name="end"/> with bytes of one kind.</summary>
    public void AppendKnown(int end, int seed)
    {
        int start = KnownLength;
        if (end <= start) return;
        KnownVersion++;
        _known ??= new List<ContentRun>(2);
        if (_known.Count > 0 && _known[^1].Seed == seed && (seed < 0)) _known[^1] = _known[^1] with { End = end };
        else _known.Add(new ContentRun(start, end, seed));
    }

    /// <summary>Bumped by every change of the known prefix, so a checker can tell that its last
    /// comparison of the chunk's bytes no longer covers what the model expects.</summary>
    public int KnownVersion { get; private set; }

    /// <summary>Checker bookkeeping (AllocatorRunner): the SimMemory write epoch, KnownVersion and
    /// Address at which the chunk's known bytes were last found to match (epoch 0: never).</summary>
    public long CheckedEpoch { get; set; }
    public int CheckedVersion { get; set; }
    public ulong CheckedAddress { get; set; }

    /// <summary>The accounting model's placement of this chunk (AccountingModel), when one is kept.</summary>
    public AccountingChunk? Accounting { get; set; }

    /// <summary>A hostile write changed the sentinel byte (checking builds).</summary>
    public bool SentinelDamaged { get; set; }

    /// <summary>The requested range is real, bounded memory that content operations may touch.</summary>
    public bool HasContent => !Phantom && Requested <= int.MaxValue;

    public override string ToString() => $"chunk{Serial}[{Requested}]@{Owner.Name}";
}
