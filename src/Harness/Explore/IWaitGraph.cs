// IWaitGraph: what DeadlockAnalyzer reads about the backends of a stuck iteration: who still runs,
// what each blocked backend waits for (the operation it is parked on, the lock it reported waiting
// for), who holds what, and readable object names. Both controlled runtimes implement it (the
// explorer's ControlledEngine and the Coyote engine's CoyoteBackendSet), so a deadlock gets the same
// diagnosis and the same outcome kind under either engine.
using Allocator.Sync;

namespace Harness.Explore;

internal interface IWaitGraph
{
    int BackendCount { get; }
    bool IsRunning(int b);
    bool IsFinished(int b);
    /// <summary>The operation backend <paramref name="b"/> is parked on (SemLock or SpinPause when blocked).</summary>
    SyncOpKind PendingKind(int b);
    /// <summary>The canonical id (ObjectIds) of what backend <paramref name="b"/> is parked on.</summary>
    ulong PendingObj(int b);
    /// <summary>What the backend reported waiting for (ReportWaitStart), or null.</summary>
    string? WaitWhat(int b);
    ulong WaitObj(int b);
    /// <summary>The backend that last acquired the spinlock at <paramref name="obj"/>, or -1.</summary>
    int SpinHolder(ulong obj);
    /// <summary>The word backend <paramref name="b"/> is parked on, read through its own mapping.</summary>
    uint PendingWord(int b);
    /// <summary>What backend <paramref name="b"/> holds, by canonical id.</summary>
    IEnumerable<(ulong Obj, string Mode)> HeldBy(int b);
    string NameOf(ulong obj);
}
