// SimHeapOptions: how the simulated malloc behaves and when it is scripted to fail.
namespace Allocator.Sim;

public sealed class SimHeapOptions
{
    /// <summary>Fail (return NULL from) exactly the n-th malloc/realloc call, counting from 1 since
    /// the heap was created or its counters reset. 0 means never.</summary>
    public long FailOnCall { get; set; }

    /// <summary>Fail every malloc/realloc call from the n-th on. 0 means never.</summary>
    public long FailFromCall { get; set; }

    /// <summary>Fail a call that would take the outstanding requested bytes above this. 0 means no budget.</summary>
    public ulong ByteBudget { get; set; }

    /// <summary>Fail a call when this returns true for (call index, requested size).</summary>
    public Func<long, ulong, bool>? FailWhen { get; set; }

    /// <summary>Overwrite freed blocks with <see cref="SimHeap.PoisonByte"/>, to make use-after-free visible.</summary>
    public bool PoisonOnFree { get; set; }

    /// <summary>Never hand out an address twice: freed blocks are neither reused nor trimmed.</summary>
    public bool NeverReuse { get; set; }

    /// <summary>Make every growing realloc move the block (exercises callers' relinking of moved blocks).</summary>
    public bool ForceReallocMove { get; set; }

    public SimHeapOptions Clone() => (SimHeapOptions)MemberwiseClone();
}
