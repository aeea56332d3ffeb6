// DsaOptions: the run-time switches of the dsa.c port. The default is PostgreSQL 17 as an
// assert-enabled build runs it (CLOBBER_FREED_MEMORY on, Asserts always on).
namespace Allocator.Dsa;

public sealed record DsaOptions
{
    public static DsaOptions Default { get; } = new();

    /// <summary>CLOBBER_FREED_MEMORY: dsa_free fills a freed object (a large one's whole pages)
    /// with 0x7F.</summary>
    public bool ClobberFreedMemory { get; init; } = true;

    /// <summary>Check the lock order of spec 9.15 (pool(c != 0) then pool(0) then area) on every
    /// acquire, as an AssertionFailureException naming the locks.</summary>
    public bool CheckLockOrder { get; init; } = true;

    /// <summary>Options of every segment's FreePageManager (FixRootPageLeak lives there: with
    /// PostgreSQL's behaviour a page lost by the btree also keeps its segment from ever being
    /// returned, since the segment never looks entirely free again).</summary>
    public FpmOptions Fpm { get; init; } = FpmOptions.Default;

    /// <summary>Fix for finding D1: ensure_active_superblock allocates a span object from pool 0
    /// and, when no segment can supply the superblock's pages, returns false without freeing it.
    /// PostgreSQL leaks that 56-byte object (one per failed attempt, so a NO_OOM caller retrying at
    /// the size limit leaks steadily). With the fix it is freed (pool 0's lock nests inside the
    /// class's, as in the normal path).</summary>
    public bool FixSuperblockSpanLeak { get; init; }

    /// <summary>Planted bugs for the explorer's canary scenarios (None: PostgreSQL).</summary>
    public DsaCanary Canary { get; init; }

    /// <summary>Planted bugs for the property and fuzz engines (DsaFuzzCanary); None is the port.</summary>
    public DsaFuzzCanary FuzzCanary { get; init; }
}
