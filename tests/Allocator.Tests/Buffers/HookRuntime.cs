// HookRuntime: an ISyncRuntime that forwards every operation to an inner runtime and calls a test's
// hooks after each AtomicWrite32 (the store that releases a buffer header lock) and each
// AtomicFetchAdd32 (a clock-sweep ticket). Lets a single-threaded test put another backend's steps
// at an exact point of a buffer-manager routine (an insert collision in BufferAlloc, a hint between
// FlushBuffer's JUST_DIRTIED clear and its copy, a ticket drawn but its wrap not yet folded).
using Allocator.Sync;

namespace Allocator.Tests.Buffers;

internal sealed class HookRuntime : ForwardingSyncRuntime
{
    public HookRuntime(ISyncRuntime inner) : base(inner)
    {
    }

    /// <summary>Called after each AtomicWrite32 with (address, value written, this runtime).</summary>
    public Action<ulong, uint, HookRuntime>? AfterWrite { get; set; }

    /// <summary>Called after each AtomicFetchAdd32 with (address, value before the add).</summary>
    public Action<ulong, uint>? AfterFetchAdd { get; set; }

    public override void AtomicWrite32(ulong addr, uint value)
    {
        base.AtomicWrite32(addr, value);
        AfterWrite?.Invoke(addr, value, this);
    }

    public override uint AtomicFetchAdd32(ulong addr, uint add)
    {
        uint old = base.AtomicFetchAdd32(addr, add);
        AfterFetchAdd?.Invoke(addr, old);
        return old;
    }
}
