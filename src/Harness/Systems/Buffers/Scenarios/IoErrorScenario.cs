// io-error-midflight (issue 13, scenario 8; spec §7.4, §16.5): every backend reads block 0, which
// nobody has cached, while the storage fails the first read I/O of the iteration (armed with
// StorageFaults.ArmNextFitting, so it fires at whichever backend's read completes first). Backend 0
// first flushes block 1, which the setup left dirty, and its first write fails too. The storage
// call is where an I/O "completes", so each fault is an ERROR thrown in the middle of the I/O, with
// others possibly asleep on the buffer's I/O condition variable.
//
// The backend that gets an ERROR aborts (BufMgr.AbortCurrentTransaction, whose resource owner runs
// AbortBufferIO). A reader that got the read ERROR stops there; every other reader must wake up and
// one of them must start the read again (a failed read leaves the buffer not valid with
// BM_IO_ERROR), so every backend that did not get the ERROR sees block 0 exactly as on disk. A
// failed write leaves block 1 dirty with BM_IO_ERROR and nothing in progress; backend 0 flushes it
// again, which must succeed and make it clean, with the new value on disk.
//
// The write fault cannot be armed with ArmNextFitting next to the read fault (it holds one kind), so
// backend 0 schedules a WriteError at each of the next WriteWindow operation numbers right before
// its first flush (reads by others in between consume and drop theirs: a scheduled fault that does
// not fit its operation is discarded), and schedules None over the same numbers afterwards, so the
// second flush is not failed by a leftover. The window is far wider than the reads that can come
// in between (one failed and one good read of block 0).
//
// Page history (BufferScenarioInstance): each reader's read of block 0 that succeeded (invoked
// before ReadBuffer, the value read while pinned; nothing writes block 0), and the setup's write of
// block 1. A read that ended in the ERROR returned nothing and is not recorded.
//
// Ops is not used: each backend does its one read (and backend 0 its flushes) once per iteration.
// A waiter that never wakes shows as the explorer's deadlock or lost-wakeup.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class IoErrorScenario : BufferScenarioInstance
{
    public const int NBuffers = 4, RelPages = 2;
    private const int ReadPage = 0, WritePage = 1;
    private const int WriteWindow = 16;

    /// <summary>The value the setup left in block 1's buffer (dirty, not yet on disk).</summary>
    private static ulong DirtyValue => InitialValue(WritePage) + 7;

    private readonly bool[] _gotReadError;
    private int _writeErrors;
    private int _flushed;

    private readonly bool[] _inRead;
    private bool _overlapped;

    /// <summary>Completed iterations, and those in which another backend was inside its ReadBuffer
    /// of block 0 when the read ERROR was raised (so it found the failed I/O, or waited on it).</summary>
    public int Checked { get; private set; }
    public int OverlapIterations { get; private set; }

    public IoErrorScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        Reach = new ReachHits([BuffersReach.IoErrorWithWaiter]);
        _gotReadError = new bool[config.Backends];
        _inRead = new bool[config.Backends];
    }

    protected override void OnReset()
    {
        Array.Clear(_gotReadError);
        Array.Clear(_inRead);
        _overlapped = false;
        _writeErrors = 0;
        _flushed = 0;
        BufMgr setup = AttachSetupBackend();
        long invoke = History.Invoke();
        int buffer = setup.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, WritePage);
        setup.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        setup.Backend.Memory.WriteU64(setup.BufferGetPage(buffer) + BufferRunner.OffValue, DirtyValue);
        setup.MarkBufferDirty(buffer);
        setup.UnlockReleaseBuffer(buffer);
        History.Write(SetupProc, WritePage, invoke, DirtyValue);
        Storage.Faults.ArmNextFitting(StorageFaultKind.ReadError);
    }

    protected override void Body(int me)
    {
        if (me == 0) Writer();
        Reader(me);
    }

    private void Writer()
    {
        BufMgr b = B[0];
        ulong first = Storage.Faults.OperationCount;
        for (ulong n = first; n < first + WriteWindow; n++) Storage.Faults.At(n, StorageFaultKind.WriteError);
        bool failed = false;
        int buffer = Read(0, WritePage);
        b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_SHARE);
        try
        {
            b.FlushOneBuffer(buffer);
        }
        catch (PgErrorException e) when (e.Message.StartsWith("could not write", StringComparison.Ordinal))
        {
            failed = true;
            _writeErrors++;
            b.AbortCurrentTransaction();
        }
        for (ulong n = first; n < first + WriteWindow; n++) Storage.Faults.At(n, StorageFaultKind.None);
        Check(failed, "write-error-injected", "backend 0's first flush of block 1 did not fail");

        // §7.4: still valid and dirty, with BM_IO_ERROR. BM_IO_IN_PROGRESS is not checked here on
        // purpose: an I/O left in progress must show as what it does to the backends (the next
        // flush waits for it forever), which is what the canary measures.
        BufferDesc desc = Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer);
        uint s = BufHdrLock.LockBufHdr(b.Backend, desc);
        BufHdrLock.UnlockBufHdr(b.Backend, desc, s);
        Check((s & (BM_DIRTY | BM_VALID | BM_IO_ERROR)) == (BM_DIRTY | BM_VALID | BM_IO_ERROR), "failed-write-state",
            $"after the failed write block 1's buffer {buffer} has state 0x{s:x8} (want dirty, valid, BM_IO_ERROR)");

        buffer = Read(0, WritePage);
        b.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_SHARE);
        b.FlushOneBuffer(buffer);
        b.UnlockReleaseBuffer(buffer);
        _flushed++;
    }

    private void Reader(int me)
    {
        int buffer;
        long invoke = History.Invoke();
        _inRead[me] = true;
        try
        {
            buffer = Read(me, ReadPage);
        }
        catch (PgErrorException e) when (e.Message.StartsWith("could not read", StringComparison.Ordinal))
        {
            _inRead[me] = false;
            _overlapped |= _inRead.Any(x => x);
            _gotReadError[me] = true;
            B[me].AbortCurrentTransaction();
            return;
        }
        _inRead[me] = false;
        CheckStillPinned(me, buffer, ReadPage, "after ReadBuffer");
        Check(B[me].Backend.Memory.ReadSpan(B[me].BufferGetPage(buffer), BlckSz).SequenceEqual(InitialPage(ReadPage)), "page-contents",
            $"backend {me} read block {ReadPage} into buffer {buffer} but the page differs from the block on disk");
        History.Read(me, ReadPage, invoke, ValueIn(me, buffer));
        B[me].ReleaseBuffer(buffer);
    }

    protected override void OnCheckFinal()
    {
        int readErrors = _gotReadError.Count(x => x);
        Check(readErrors == 1, "one-read-error", $"{readErrors} backend(s) got the read ERROR (one read fault was armed)");
        Check(_writeErrors == 1 && _flushed == 1, "write-retried", $"{_writeErrors} failed and {_flushed} good flush(es) of block 1 (one of each expected)");
        int kinds = Storage.Faults.Injected.Count(f => f.Kind == StorageFaultKind.ReadError);
        Check(kinds == 1, "faults-injected", $"{kinds} read fault(s) injected, one expected");

        int r = ResidentBufId(ReadPage);
        Check(r >= 0, "read-redone", "block 0 is not valid in any buffer at the end: nobody redid the failed read");
        if (r >= 0)
            Check((StateOf(r) & BM_IO_ERROR) == 0, "io-error-cleared", $"block 0's buffer is valid but still BM_IO_ERROR (state 0x{StateOf(r):x8})");
        int w = ResidentBufId(WritePage);
        Check(w >= 0 && (StateOf(w) & (BM_DIRTY | BM_IO_ERROR)) == 0, "flush-redone",
            $"block 1's buffer is {(w < 0 ? "gone" : $"in state 0x{StateOf(w):x8}")} after the second flush (want clean, no BM_IO_ERROR)");
        ulong onDisk = BitConverter.ToUInt64(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, WritePage), BufferRunner.OffValue);
        Check(onDisk == DirtyValue, "write-on-disk", $"block 1 holds {onDisk} on disk after the second flush; expected {DirtyValue}");
        Checked++;
        if (_overlapped)
        {
            OverlapIterations++;
            Reached(BuffersReach.IoErrorWithWaiter);
        }
    }
}
