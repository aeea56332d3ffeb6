// CoyoteSyncRuntime: the sync seam of one backend under the Coyote engine: each call's scheduling
// point is a Coyote one (CoyoteBackendSet.Point / YieldPoint / BlockingPoint); the operations
// themselves are ControlledRuntimeBase's, shared with our explorer, so both engines give every
// operation the same meaning and record the same steps.
//
// Spinning: in blocking mode (the default) a failed spin is a controlled wait until the word
// changes; in yielding mode it is SchedulingPoint.Yield, as Coyote models SpinWait.SpinOnce, so
// perform_spin_delay's counters run and a never-released spinlock ends in the stuck-spinlock PANIC.
using Allocator.Sync;

namespace Harness.Explore.Coyote;

public sealed class CoyoteSyncRuntime : ControlledRuntimeBase
{
    private readonly CoyoteBackendSet _s;

    internal CoyoteSyncRuntime(CoyoteBackendSet set, int index) : base(index) => _s = set;

    protected override void Point(SyncOpKind kind, ulong addr) => _s.Point(Index, kind, addr);

    public override void SpinPause(ulong addr, uint observed)
    {
        if (_s.Options.SpinMode == SpinMode.Blocking)
            _s.BlockingPoint(Index, SyncOpKind.SpinPause, addr, semaphore: false, observed);
        else
            _s.YieldPoint(Index, SyncOpKind.SpinPause, addr);
    }

    public override void SpinSleep(ulong addr, int usec) => _s.YieldPoint(Index, SyncOpKind.SpinSleep, addr);

    protected override void SemaphoreWait(ulong semAddr) => _s.BlockingPoint(Index, SyncOpKind.SemLock, semAddr, semaphore: true, 0);

    protected override void SpinAcquired(ulong addr) => _s.SpinAcquired(Index, addr);
    protected override void SpinReleased(ulong addr) => _s.SpinReleased(Index, addr);

    public override void ReportWaitStart(ulong objectId, string what) => _s.WaitStart(Index, objectId, what);
    public override void ReportWaitEnd() => _s.WaitEnd(Index);
    public override void NameObject(ulong objectId, string name) => _s.SetName(_s.ObjectId(Index, objectId), name);
}
