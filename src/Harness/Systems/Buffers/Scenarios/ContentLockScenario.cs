// content-lock-rw (issue 13, scenario 10; spec §9): every backend pins block 0 once and then, Ops
// times, takes its content lock (BufMgr.LockBuffer) SHARE or EXCLUSIVE, looks at the page's value
// and lets go; an exclusive holder also adds one to it. Checked as an abstract reader-writer lock:
//   * mutual exclusion: the holders count themselves in (managed counters, the explorer runs one
//     backend at a time) right after acquiring and out right before releasing, and on entry an
//     exclusive holder must find nobody inside, a shared holder no exclusive holder;
//   * every write is seen: each holder finds the value the last exclusive holder left;
//   * liveness: the scenario needs a fair strategy, under which every waiter must get the lock
//     (a lost wake-up shows as the explorer's lost-wakeup, deadlock or livelock).
// The value is read and written through the backend's seam (SharedRead64/SharedWrite64), not its
// memory directly, only so that a holder's section has scheduling points for others to run in.
//
// Page history (BufferScenarioInstance): each op is a read (invoked before LockBuffer, the value
// seen under the lock), and for an exclusive holder a write of the value plus one (invoked right
// after, responding after the unlock).
//
// Which mode: backend b takes EXCLUSIVE at op k when b + k is even, SHARE otherwise, so every op
// has writers next to readers once there are 2 backends. The setup leaves the page dirty and
// nothing writes it out during the iteration (the pool never needs a victim), so the exclusive
// holders do not call MarkBufferDirty: this checks the lock, not durability, and MarkBufferDirty
// asserts the exclusive lock, which would catch BufferCanary.ExclusiveLockTakenShared without any
// race; the canary must be caught by the exclusion check.
using Allocator.Buffers;
using Allocator.Sync;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class ContentLockScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, RelPages = 1;
    private const int Page = 0;

    private int _exclusive, _shared;
    private ulong _lastWritten;
    private int _writes;

    public ContentLockScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
    }

    protected override void OnReset()
    {
        _exclusive = 0;
        _shared = 0;
        _lastWritten = InitialValue(Page);
        _writes = 0;
        BufMgr setup = AttachSetupBackend();
        int buffer = setup.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, Page);
        // the content lock taken directly, not through LockBuffer: the setup must not run the canary
        setup.Backend.LWLocks.LWLockAcquire(Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer).ContentLock, LWLockMode.LW_EXCLUSIVE);
        setup.MarkBufferDirty(buffer);
        setup.UnlockReleaseBuffer(buffer);
    }

    protected override void Body(int me)
    {
        BufMgr b = B[me];
        ISyncRuntime rt = Rt[me];
        int buffer = Read(me, Page);
        ulong addr = b.BufferGetPage(buffer) + BufferRunner.OffValue;
        for (int op = 0; op < Config.Ops; op++)
        {
            bool exclusive = (me + op) % 2 == 0;
            long invoke = History.Invoke(), invokeWrite = 0;
            ulong written = 0;
            if (exclusive)
            {
                b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
                Check(_exclusive == 0 && _shared == 0, "exclusive-with-others",
                    $"backend {me} got the content lock EXCLUSIVE while {_exclusive} exclusive and {_shared} shared holder(s) are inside");
                _exclusive++;
                ulong v = rt.SharedRead64(addr);
                History.Read(me, Page, invoke, v);
                Check(v == _lastWritten, "write-seen", $"backend {me} (exclusive) sees {v}; the last exclusive holder left {_lastWritten}");
                invokeWrite = History.Invoke();
                written = v + 1;
                rt.SharedWrite64(addr, written);
                _lastWritten = v + 1;
                _writes++;
                _exclusive--;
            }
            else
            {
                b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_SHARE);
                Check(_exclusive == 0, "shared-with-exclusive",
                    $"backend {me} got the content lock SHARE while {_exclusive} exclusive holder(s) are inside");
                _shared++;
                ulong v = rt.SharedRead64(addr);
                History.Read(me, Page, invoke, v);
                Check(v == _lastWritten, "write-seen", $"backend {me} (shared) sees {v}; the last exclusive holder left {_lastWritten}");
                _shared--;
            }
            b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
            if (exclusive) History.Write(me, Page, invokeWrite, written);
        }
        b.ReleaseBuffer(buffer);
    }

    protected override void OnCheckFinal()
    {
        Check(_exclusive == 0 && _shared == 0, "holders-left", $"{_exclusive} exclusive and {_shared} shared holder(s) never counted out");
        int id = ResidentBufId(Page);
        Check(id >= 0, "block-resident", "block 0 left the pool (nothing should evict it)");
        ulong v = Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(id) + BufferRunner.OffValue);
        Check(v == InitialValue(Page) + (ulong)_writes, "final-value", $"block 0 holds {v} after {_writes} exclusive increment(s) from {InitialValue(Page)}");
    }
}
