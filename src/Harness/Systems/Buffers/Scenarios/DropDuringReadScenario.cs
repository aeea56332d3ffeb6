// drop-during-read (issue 13, scenario 7; spec §11.1, §11.2, §19 D8): backend 0 drops every buffer
// of relation A's main fork (DropRelationBuffers, the full scan) while the other backends alternate
// between updating a block of A (pin, exclusive lock, new value, MarkBufferDirty, release) and
// reading a block of relation B (pin, check its value, release), through a pool of 3 buffers for
// 5 blocks, so reads of B evict A's dirty pages (a write I/O by the evicting backend, which pins the
// buffer while A's tag is still on it) and reads of A may be in their read I/O when the drop gets
// to their buffer. InvalidateBuffer must then wait (WaitIO) and look again, until the pinner is gone
// or the buffer carries another tag.
//
// The relation-lock precondition (§11.2: nobody loads pages of A once the drop has started, so a
// tag can only change away from A and the drop's unlocked pre-checks miss nothing) stands in for
// the AccessExclusiveLock as follows, all in managed state the explorer changes atomically:
//   * backend 0 sets `dropping` in its first step, before DropRelationBuffers;
//   * a reader checks `dropping` before it starts an op on A; once it is set, the reader reads a
//     block of B instead (it never starts to load A again);
//   * a reader that started before the flag announces the block it is loading (`loading`) until
//     ReadBuffer returns. Backend 0 does not start the drop while such a reader has not yet pinned a
//     buffer tagged with that block (yielding meanwhile): until then the reader may still put A's
//     tag on a buffer the scan has passed. From the moment it pins its block's buffer the tag is
//     in place, and the scan will find it; its read I/O may be in flight then, and it keeps the pin
//     until it has updated and released the page. That is the window InvalidateBuffer covers: a
//     pin by someone else means wait for the I/O and try again (§11.1 step 5), busy-looping while
//     the pinner is between its I/O and its release, as PostgreSQL does.
// The weaker precondition is still sound for the drop: what §11.2 needs is that no tag of A appears
// after the scan starts, and none does.
//
// Checked: every read of B sees B's value; a reader's pinned block keeps its tag and validity while
// it holds it; when DropRelationBuffers returns, no buffer carries a tag of A (D8) and so no I/O on
// one is in flight; at the end, B's blocks are intact in the pool or on disk, then the pool walk.
//
// Page history (BufferScenarioInstance): an update of A is a read (invoked before ReadBuffer, the
// value seen under the exclusive lock) and a write of the value plus one (invoked right after,
// responding after the release); a read of B is a read (keys BKey(block), initial ValueB). The drop
// is §20's DropRelation: one drop per block of A (every page of A to ⊥), invoked when backend 0
// announces it and responding when DropRelationBuffers returns. Updates that started before the
// announcement overlap it and are placed before it; nothing may touch A after it.
//
// "no unpinned buffers available" aborts the op (it can happen with three pinners and three
// buffers, as in PostgreSQL) and is counted.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class DropDuringReadScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, PagesA = 3, PagesB = 2;

    /// <summary>Relation B (not dropped; unlogged, so BM_PERMANENT stays clear and the pool walk's
    /// permanence check agrees).</summary>
    public static readonly BufferRelation RelB = new(new RelFileLocator(1663, 5, 16385), Permanent: false);

    private readonly byte[][] _pagesB = new byte[PagesB][];
    /// <summary>Each reader's ops: (relation A?, block), drawn once.</summary>
    private readonly (bool A, int Block)[][] _plan;
    private readonly int[] _loading;
    private bool _dropping;

    public DropDuringReadScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, PagesA, canary)
    {
        Reach = new ReachHits([BuffersReach.DropDuringIo]);
        for (int p = 0; p < PagesB; p++)
        {
            var page = new byte[BlckSz];
            PageHeader.PageInit(page);
            BitConverter.TryWriteBytes(page.AsSpan(BufferRunner.OffValue, 8), ValueB(p));
            PageChecksum.SetInplace(page, (uint)p);
            _pagesB[p] = page;
        }
        _plan = new (bool, int)[config.Backends][];
        for (int b = 1; b < config.Backends; b++)
        {
            Prng prng = DataPrng(b);
            // default mix: A and B alternate, each reader from its own block
            _plan[b] = Enumerable.Range(0, config.Ops).Select(op => config.MixSeed == 0
                ? (op % 2 == 0, op % 2 == 0 ? (b + op / 2) % PagesA : (b + op / 2) % PagesB)
                : prng.Index(2) == 0 ? (true, prng.Index(PagesA)) : (false, prng.Index(PagesB))).ToArray();
        }
        _loading = new int[config.Backends];
    }

    private static ulong ValueB(int page) => 70_000UL + (ulong)page;

    /// <summary>Block <paramref name="page"/> of B's key in the page history (A's blocks are 0..PagesA-1).</summary>
    private static int BKey(int page) => 100 + page;

    protected override ulong RegisterInitial(int key) => key >= BKey(0) ? ValueB(key - BKey(0)) : InitialValue(key);

    /// <summary>Buffers of A with an I/O in progress when the drop started, in the last iteration (a
    /// measure of how often the window InvalidateBuffer must wait out is reached).</summary>
    public int IoInProgressAtDrop { get; private set; }

    /// <summary>Iterations, since this instance was made, in which some buffer of A had an I/O in
    /// progress when the drop started.</summary>
    public int IterationsWithIoAtDrop { get; private set; }

    protected override void OnReset()
    {
        Storage.Create(RelB.Locator, ForkNumber.MAIN_FORKNUM);
        for (int p = 0; p < PagesB; p++) Storage.Extend(RelB.Locator, ForkNumber.MAIN_FORKNUM, (uint)p, _pagesB[p]);
        _dropping = false;
        Array.Fill(_loading, -1);
        IoInProgressAtDrop = 0;
    }

    protected override void Body(int me)
    {
        if (me == 0)
        {
            // a read of B first: it puts scheduling points before the announcement (a body runs
            // alone up to its first one), so readers get to start on A before the drop
            int b = B[0].ReadBuffer(RelB, ForkNumber.MAIN_FORKNUM, 0);
            B[0].ReleaseBuffer(b);
            Drop();
            return;
        }
        foreach ((bool a, int block) in _plan[me])
        {
            // the relation lock: no new op on A once the drop has been announced
            bool onA = a && !_dropping;
            int page = onA ? block : block % PagesB;
            if (onA) _loading[me] = page;
            long invoke = History.Invoke();
            int buffer;
            try
            {
                buffer = onA ? Read(me, page) : B[me].ReadBuffer(RelB, ForkNumber.MAIN_FORKNUM, (uint)page);
            }
            catch (PgErrorException e) when (e.Message == "no unpinned buffers available")
            {
                _loading[me] = -1;
                NoUnpinnedErrors++;
                B[me].AbortCurrentTransaction();
                continue;
            }
            _loading[me] = -1;
            if (onA)
            {
                CheckStillPinned(me, buffer, page, "after ReadBuffer");
                B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
                CheckStillPinned(me, buffer, page, "under the exclusive content lock");
                ulong v = ValueIn(me, buffer);
                History.Read(me, page, invoke, v);
                long invokeWrite = History.Invoke();
                WriteValue(me, buffer, v + 1);
                B[me].MarkBufferDirty(buffer);
                B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
                CheckStillPinned(me, buffer, page, "before releasing it");
                B[me].ReleaseBuffer(buffer);
                History.Write(me, page, invokeWrite, v + 1);
                continue;
            }
            else
            {
                BufferTag tag = B[me].BufferGetTag(buffer);
                Check(tag == TagOfB(page), "pinned-buffer-evicted", $"backend {me} pins buffer {buffer} for block {page} of B but its tag is {tag.RelPath()} block {tag.BlockNum}");
                ulong v = ValueIn(me, buffer);
                History.Read(me, BKey(page), invoke, v);
                Check(v == ValueB(page), "relation-b-damaged", $"backend {me} reads block {page} of B as {v}, not {ValueB(page)}");
            }
            B[me].ReleaseBuffer(buffer);
        }
    }

    private static BufferTag TagOfB(int page) => new(RelB.Locator.SpcOid, RelB.Locator.DbOid, RelB.Locator.RelNumber, ForkNumber.MAIN_FORKNUM, (uint)page);

    /// <summary>Reader <paramref name="r"/> pins a buffer tagged with block <paramref name="page"/> of A.</summary>
    private bool PinsItsBlock(int r, int page)
    {
        for (int buffer = 1; buffer <= Pool.NBuffers; buffer++)
        {
            if (B[r].GetPrivateRefCount(buffer) == 0) continue;
            BufferDesc d = Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer);
            if (BufferDescriptors.ReadTag(Pool.InitMemory, d) == TagOf(page)) return true;
        }
        return false;
    }

    private void Drop()
    {
        _dropping = true;
        long invoke = History.Invoke();
        // readers that started on A before the flag: wait until each has its block's tag pinned
        ulong waitAddr = Pool.Descriptors.GetBufferDescriptor(0).StateAddr;
        for (;;)
        {
            bool loading = false;
            for (int r = 1; r < B.Length; r++)
                if (_loading[r] >= 0 && !PinsItsBlock(r, _loading[r])) loading = true;
            if (!loading) break;
            Rt[0].SpinSleep(waitAddr, 1000);
        }
        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc d = Pool.Descriptors.GetBufferDescriptor(i);
            if (BufferDescriptors.ReadTag(Pool.InitMemory, d).RelNumber == Rel.Locator.RelNumber
                && (Pool.InitMemory.ReadU32(d.StateAddr) & BufferConstants.BM_IO_IN_PROGRESS) != 0) IoInProgressAtDrop++;
        }

        if (IoInProgressAtDrop > 0)
        {
            IterationsWithIoAtDrop++;
            Reached(BuffersReach.DropDuringIo);
        }

        B[0].DropRelationBuffers(Rel, [ForkNumber.MAIN_FORKNUM], [0]);
        for (int p = 0; p < PagesA; p++) History.Drop(0, p, invoke);

        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc d = Pool.Descriptors.GetBufferDescriptor(i);
            BufferTag tag = BufferDescriptors.ReadTag(Pool.InitMemory, d);
            uint s = Pool.InitMemory.ReadU32(d.StateAddr);
            Check(tag.RelNumber != Rel.Locator.RelNumber || tag.SpcOid != Rel.Locator.SpcOid || tag.DbOid != Rel.Locator.DbOid, "D8",
                $"DropRelationBuffers returned but buffer {i + 1} still carries block {tag.BlockNum} of the dropped relation (state 0x{s:x8})");
        }
    }

    protected override void OnCheckFinal()
    {
        for (int p = 0; p < PagesB; p++)
        {
            ulong onDisk = BitConverter.ToUInt64(Storage.PeekBlock(RelB.Locator, ForkNumber.MAIN_FORKNUM, (uint)p), BufferRunner.OffValue);
            Check(onDisk == ValueB(p), "relation-b-damaged", $"block {p} of B holds {onDisk} on disk, not {ValueB(p)}");
            for (int i = 0; i < Pool.NBuffers; i++)
            {
                BufferDesc d = Pool.Descriptors.GetBufferDescriptor(i);
                if ((StateOf(i) & BufferConstants.BM_VALID) == 0 || BufferDescriptors.ReadTag(Pool.InitMemory, d) != TagOfB(p)) continue;
                ulong v = Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(i) + BufferRunner.OffValue);
                Check(v == ValueB(p), "relation-b-damaged", $"block {p} of B holds {v} in buffer {i + 1}, not {ValueB(p)}");
            }
        }
    }
}
