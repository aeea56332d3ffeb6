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
}
