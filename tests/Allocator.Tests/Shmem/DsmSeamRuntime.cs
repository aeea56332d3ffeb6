// DsmSeamRuntime: an ISyncRuntime that forwards to an inner runtime, records the addresses of the
// CAS operations and unlocked reads it sees, and runs a test's hooks before an unlocked 32-bit read
// and before a CAS. Lets a single-threaded test place another backend's steps at an exact point of
// a dsm.c routine (between dsm_detach's drop to refcnt 1 and the segment's destruction).
using Allocator.Sync;

namespace Allocator.Tests.Shmem;

internal sealed class DsmSeamRuntime : ForwardingSyncRuntime
{
    public DsmSeamRuntime(ISyncRuntime inner) : base(inner)
    {
    }

    public List<ulong> CasAddresses { get; } = new();
    public List<ulong> SharedReads { get; } = new();

    /// <summary>Runs before each SharedRead32, with its address.</summary>
    public Action<ulong>? BeforeSharedRead32 { get; set; }
    /// <summary>Runs before each 32-bit CAS, with its address.</summary>
    public Action<ulong>? BeforeCas32 { get; set; }

    public override bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
    {
        BeforeCas32?.Invoke(addr);
        CasAddresses.Add(addr);
        return base.AtomicCompareExchange32(addr, ref expected, newval);
    }

    public override uint SharedRead32(ulong addr)
    {
        BeforeSharedRead32?.Invoke(addr);
        SharedReads.Add(addr);
        return base.SharedRead32(addr);
    }
}
