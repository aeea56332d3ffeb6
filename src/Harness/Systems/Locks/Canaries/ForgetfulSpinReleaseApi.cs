// ForgetfulSpinReleaseApi: CANARY, test-only. S_UNLOCK that reads the lock word but forgets to store
// 0 into it. The next backend to want the spinlock waits forever: under blocking spin a deadlock
// naming the exited holder; under yielding spin, perform_spin_delay's "stuck spinlock" PANIC.
using Allocator.Sync;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Systems.Locks.Canaries;

public sealed class ForgetfulSpinReleaseApi : LWLockApi
{
    public ForgetfulSpinReleaseApi(SyncBackend b) : base(b) { }

    // DEFECT: the releasing store of 0 is missing.
    public override void SpinRelease(ulong addr) => B.Runtime.SharedRead32(addr);
}
