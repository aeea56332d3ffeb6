// cleanup-lock (issue 13, scenario 5): backend 0 takes LockBufferForCleanup on block 0, Ops
// times (changes the page's value while it holds it, as a pruning VACUUM would, then lets go);
// every other backend pins the same block, reads it under a share content lock and unpins it, Ops
// times. LockBufferForCleanup must return only when backend 0 holds the only pin, sleeping on its
// latch (BM_PIN_COUNT_WAITER) otherwise; the unpinner that brings the count to 1 must wake it. A
// lost wake-up shows as the explorer's lost-wakeup or deadlock; the exclusion as follows.
//
// Each other backend's pin is tracked in managed state around its calls: Pinning (inside
// ReadBuffer), Pinned (between ReadBuffer and ReleaseBuffer), Unpinning (inside ReleaseBuffer).
// A pin cannot be observed at the exact instant LockBufferForCleanup decides (that is inside the
// port), and others may pin again right after it (a cleanup lock does not keep pins out), so the
// checks on its return are the exact ones available from outside:
//   * no other backend was Pinned for the whole call (pinned before it started, not yet
//     unpinning when it returned): that pin was there when the lock was granted;
//   * under the header lock, 1 + (others Pinned) <= refcount <= 1 + (others not idle), and with
//     no other backend anywhere near a pin, refcount == 1;
//   * while backend 0 holds it, no other backend holds the content lock (they count themselves in
//     after acquiring and out after releasing, while still pinned).
//
// Page history (BufferScenarioInstance): the cleaner's change is a read (invoked before ReadBuffer,
// the value seen under the cleanup lock) and a write of the value plus one (invoked right after,
// responding after the release); each pinner reads the value under its share lock (invoked before
// ReadBuffer).
using Allocator.Buffers;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class CleanupLockScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, RelPages = 1;
    private const int Page = 0;

    private enum PinState : byte { Idle, Pinning, Pinned, Unpinning }

    private readonly PinState[] _pin;
    /// <summary>Other backend i was Pinned when backend 0's current LockBufferForCleanup began and has not begun to unpin since.</summary>
    private readonly bool[] _pinnedThroughCall;
    private int _sharers;
    private bool _cleanupHeld;

    public CleanupLockScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        Reach = new ReachHits([BuffersReach.CleanupLockWaited]);
        _pin = new PinState[config.Backends];
        _pinnedThroughCall = new bool[config.Backends];
    }

    protected override void OnReset()
    {
        Array.Clear(_pin);
        Array.Clear(_pinnedThroughCall);
        _sharers = 0;
        _cleanupHeld = false;
    }

    protected override void Body(int me)
    {
        if (me == 0) Cleaner();
        else Pinner(me);
    }

    private void Cleaner()
    {
        BufMgr b = B[0];
        for (int op = 0; op < Config.Ops; op++)
        {
            long invoke = History.Invoke();
            int buffer = Read(0, Page);
            BufferDesc desc = Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer);
            for (int i = 1; i < _pin.Length; i++) _pinnedThroughCall[i] = _pin[i] == PinState.Pinned;
            // a pin held before the call makes LockBufferForCleanup wait for its release
            bool mustWait = _pinnedThroughCall.Any(p => p);
            b.LockBufferForCleanup(buffer);
            if (mustWait) Reached(BuffersReach.CleanupLockWaited);
            _cleanupHeld = true;
            for (int i = 1; i < _pin.Length; i++)
                Check(!_pinnedThroughCall[i], "cleanup-lock-with-other-pin",
                    $"LockBufferForCleanup returned to backend 0 while backend {i} held a pin it took before the call and kept throughout");
            Check(_sharers == 0, "cleanup-lock-exclusive", $"backend 0 holds the cleanup lock while {_sharers} backend(s) hold the content lock shared");

            uint s = BufHdrLock.LockBufHdr(b.Backend, desc);
            BufHdrLock.UnlockBufHdr(b.Backend, desc, s);
            int pinned = _pin.Skip(1).Count(p => p == PinState.Pinned);
            int near = _pin.Skip(1).Count(p => p != PinState.Idle);
            uint rc = BUF_STATE_GET_REFCOUNT(s);
            Check(rc >= 1 + (uint)pinned && rc <= 1 + (uint)near, "cleanup-lock-refcount",
                $"backend 0 holds the cleanup lock; refcount {rc} under the header lock, but {pinned} other backend(s) hold a pin and {near} are pinning, holding or unpinning one");
            Check((s & BM_PIN_COUNT_WAITER) == 0, "cleanup-waiter-flag", $"backend 0 holds the cleanup lock but BM_PIN_COUNT_WAITER is still set (state 0x{s:x8})");

            // the cleanup: change the page while nobody else can look at it
            ulong v = ValueIn(0, buffer);
            History.Read(0, Page, invoke, v);
            long invokeWrite = History.Invoke();
            WriteValue(0, buffer, v + 1);
            b.MarkBufferDirty(buffer);
            _cleanupHeld = false;
            b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
            b.ReleaseBuffer(buffer);
            History.Write(0, Page, invokeWrite, v + 1);
        }
    }

    private void Pinner(int me)
    {
        for (int op = 0; op < Config.Ops; op++)
        {
            _pin[me] = PinState.Pinning;
            long invoke = History.Invoke();
            int buffer = Read(me, Page);
            _pin[me] = PinState.Pinned;
            CheckStillPinned(me, buffer, Page, "after ReadBuffer");
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_SHARE);
            _sharers++;
            Check(!_cleanupHeld, "cleanup-lock-exclusive", $"backend {me} got the content lock shared while backend 0 holds the cleanup lock");
            History.Read(me, Page, invoke, ValueIn(me, buffer));
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
            // counted out only after the release: we still pin, so no cleanup lock can be granted in between
            _sharers--;
            _pin[me] = PinState.Unpinning;
            _pinnedThroughCall[me] = false;
            B[me].ReleaseBuffer(buffer);
            _pin[me] = PinState.Idle;
        }
    }

    protected override void OnCheckFinal()
    {
        foreach (BufMgr b in B)
            Check(b.PinCountWaitBuf is null, "cleanup-wait-left", $"backend {b.Backend.MyProcNumber} still records a cleanup-lock wait");
        int id = ResidentBufId(Page);
        Check(id >= 0, "block-resident", "block 0 left the pool (nothing should evict it)");
        Check((StateOf(id) & BM_PIN_COUNT_WAITER) == 0, "cleanup-waiter-flag", $"BM_PIN_COUNT_WAITER is still set at the end (state 0x{StateOf(id):x8})");
        ulong v = Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(id) + Harness.Systems.Buffers.Oracle.BufferRunner.OffValue);
        Check(v == InitialValue(Page) + (ulong)Config.Ops, "cleanup-value", $"block 0 holds {v} after {Config.Ops} cleanup(s); expected {InitialValue(Page) + (ulong)Config.Ops}");
    }
}
