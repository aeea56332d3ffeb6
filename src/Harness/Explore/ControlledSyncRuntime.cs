// ControlledSyncRuntime: the sync seam of one backend under the explorer: each call's scheduling
// point is ControlledEngine.Point, where the strategy decides who runs next (the operations
// themselves are ControlledRuntimeBase's, shared with the Coyote engine).
using Allocator.Sync;

namespace Harness.Explore;

public sealed class ControlledSyncRuntime : ControlledRuntimeBase
{
    private readonly ControlledEngine _e;

    internal ControlledSyncRuntime(ControlledEngine engine, int index) : base(index) => _e = engine;

    protected override void Point(SyncOpKind kind, ulong addr) => _e.Point(Index, kind, addr);

    public override void SpinPause(ulong addr, uint observed)
    {
        if (_e.Options.SpinMode == SpinMode.Blocking)
            _e.Point(Index, SyncOpKind.SpinPause, addr, BlockKind.WordChanged, observed);
        else
            _e.Point(Index, SyncOpKind.SpinPause, addr, yielding: true);
    }

    public override void SpinSleep(ulong addr, int usec) => _e.Point(Index, SyncOpKind.SpinSleep, addr, yielding: true);

    protected override void SemaphoreWait(ulong semAddr) => _e.Point(Index, SyncOpKind.SemLock, semAddr, BlockKind.SemPositive);

    protected override void SpinAcquired(ulong addr) => _e.SpinAcquired(Index, addr);
    protected override void SpinReleased(ulong addr) => _e.SpinReleased(Index, addr);

    public override void ReportWaitStart(ulong objectId, string what) => _e.WaitStart(Index, objectId, what);
    public override void ReportWaitEnd() => _e.WaitEnd(Index);
    public override void NameObject(ulong objectId, string name) => _e.SetName(_e.ObjectId(Index, objectId), name);
}
