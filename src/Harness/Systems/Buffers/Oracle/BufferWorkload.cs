// BufferWorkload: the fixed world a buffer-manager run happens in: how many backends, how many
// buffers, the block size, and four relations in two databases (two permanent relations and an
// unlogged one in database 5, a permanent one in database 6 whose relfilenumber equals the first
// one's, so tags that differ only in dbOid meet in the mapping table).
using Allocator.Buffers;
using Allocator.Storage;
using Models.Buffers;

namespace Harness.Systems.Buffers.Oracle;

public sealed record BufferWorkload(int Backends, int NBuffers, int BlckSz, IReadOnlyList<uint> InitialBlocks)
{
    public const int RelationCount = 4;
    public const int MaxBackends = 4;
    public static readonly uint[] DbOids = [5, 6];

    /// <summary>The relations by index: (locator, permanent).</summary>
    public static readonly BufferRelation[] Relations =
    [
        new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384), true),
        new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16385), true),
        new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16386), false),
        new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 6, 16384), true),
    ];

    public static readonly ModelRelation[] ModelRelations =
        Relations.Select((r, i) => new ModelRelation(i, r.Locator.DbOid, r.Permanent)).ToArray();


    /// <summary>Asserts what the runner assumes.</summary>
    public void Check()
    {
        if (Backends < 1 || Backends > MaxBackends) throw new ArgumentOutOfRangeException(nameof(Backends), $"1..{MaxBackends} backends");
        if (NBuffers < 16) throw new ArgumentOutOfRangeException(nameof(NBuffers));
        if (!PageHeader.IsValidBlockSize(BlckSz)) throw new ArgumentOutOfRangeException(nameof(BlckSz));
        if (InitialBlocks.Count != RelationCount) throw new ArgumentException($"{RelationCount} initial sizes");
    }

    /// <summary>Value equality over the sizes too (the fuzz target keeps one runner per workload).</summary>
    public bool Equals(BufferWorkload? other) =>
        other is not null && Backends == other.Backends && NBuffers == other.NBuffers && BlckSz == other.BlckSz
        && InitialBlocks.SequenceEqual(other.InitialBlocks);

    public override int GetHashCode() =>
        HashCode.Combine(Backends, NBuffers, BlckSz, InitialBlocks.Aggregate(17, (h, b) => h * 31 + (int)b));

    public override string ToString() => $"backends={Backends} nbuffers={NBuffers} blcksz={BlckSz} blocks=[{string.Join(",", InitialBlocks)}]";
}
