// ManagedAllocations: the "no managed allocation per operation" check the allocator tests share.
// The runtime's tiered compilation can charge a few KB of its own bookkeeping to the thread while
// methods are promoted, at a moment that depends on timing; code of ours that allocated on a checked
// path would allocate in every window. So the check asks for one clean window out of up to 20.
using Xunit;

namespace Allocator.Tests.Mmgr;

internal static class ManagedAllocations
{
    /// <summary>Runs <paramref name="round"/> in windows of <paramref name="rounds"/> until one window
    /// allocates no managed memory on this thread; fails after 20 windows that all did.</summary>
    public static void AssertSomeWindowAllocatesNothing(Action round, int rounds = 200)
    {
        var seen = new List<long>();
        for (int attempt = 0; attempt < 20; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < rounds; i++) round();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0) return;
            seen.Add(allocated);
        }
        Assert.Fail($"every window of {rounds} rounds allocated managed memory: {string.Join(", ", seen)} bytes");
    }
}
