// checkpoint-traffic (issue 13, scenario 6; spec §10, §19 D6): backend 0 is the checkpointer and
// runs CreateCheckPoint (redo pointer, BufferSync, checkpoint record) Ops times; the other
// backends update blocks of a relation larger than the pool (5 blocks, 3 buffers, so evictions
// write dirty victims under the checkpoint's feet): pin, exclusive content lock, new value in the
// page, MarkBufferDirty, a WAL record of the change (SimWal, as XLogInsert) whose end LSN goes into
// the page (PageSetLSN), unlock, release. Blocks 0..2 start dirty (a setup backend changed them,
// with WAL, before the iteration), so the first checkpoint always has work.
//
// The port does not expose the set BufferSync's marking phase flagged, so the oracle uses the
// weaker, schedule-independent form of D6: every change completed (its WAL record inserted) before
// the checkpointer took its redo pointer must be durable when BufferSync returns. Values only grow,
// and whoever writes a block (the checkpoint, or a backend evicting it) writes its current value,
// so the block on disk must hold at least the value the block had at that moment. The snapshot and
// the redo pointer are taken in one atomic step of backend 0 (no scheduling point between them);
// a change whose WAL record is after the redo pointer is the next checkpoint's business.
//
// Page history (BufferScenarioInstance): each update is a read (invoked before ReadBuffer, the
// value seen under the exclusive lock) and a write of the value plus one (invoked right after,
// responding after the release); the setup's changes are writes before the iteration. The
// checkpointer only writes pages out: no page operation of its own.
//
// At the end, every block's value in the pool or on disk is its last written one (no write lost),
// then the pool walk. "no unpinned buffers available" (every buffer pinned during a whole lap of
// the clock, possible with three pinners and three buffers) aborts the op, as in victim-race.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class CheckpointTrafficScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, RelPages = 5, InitiallyDirty = 3;

    /// <summary>Each block's last written value (page value and this in one step).</summary>
    private readonly ulong[] _expected = new ulong[RelPages];
    /// <summary>Each block's value as of its last completed change (WAL record inserted).</summary>
    private readonly ulong[] _logged = new ulong[RelPages];
    private readonly int[][] _plan;

    public CheckpointTrafficScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        Reach = new ReachHits([BuffersReach.CheckpointWrote]);
        _plan = BlockPlan(firstBackend: 1);   // backend 0 is the checkpointer
    }

    /// <summary>Checkpoints in the last iteration that had buffers to write (LastCheckpointBuffersToScan > 0).</summary>
    public int CheckpointsWithWork { get; private set; }

    protected override void OnReset()
    {
        for (int p = 0; p < RelPages; p++) _expected[p] = _logged[p] = InitialValue(p);
        CheckpointsWithWork = 0;
        BufMgr setup = AttachSetupBackend();
        for (int p = 0; p < InitiallyDirty; p++)
        {
            long invoke = History.Invoke();
            int buffer = setup.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, (uint)p);
            setup.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
            Modify(setup, buffer, p, InitialValue(p) + 1);
            setup.UnlockReleaseBuffer(buffer);
            History.Write(SetupProc, p, invoke, InitialValue(p) + 1);
        }
    }

    /// <summary>The change under the exclusive content lock: value, dirty, WAL record, page LSN
    /// (PostgreSQL's order inside a critical section).</summary>
    private void Modify(BufMgr b, int buffer, int page, ulong value)
    {
        ulong at = b.BufferGetPage(buffer);
        b.Backend.Memory.WriteU64(at + BufferRunner.OffValue, value);
        _expected[page] = value;
        b.MarkBufferDirty(buffer);
        ulong lsn;
        lock (Pool.StorageLock) lsn = Pool.Wal.XLogInsertPageBytes(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)page, BufferRunner.OffValue, BitConverter.GetBytes(value));
        PageHeader.PageSetLSN(b.Backend.Memory.Span(at, PageHeader.SizeOfPageHeaderData), lsn);
        _logged[page] = value;
    }

    protected override void Body(int me)
    {
        if (me == 0)
        {
            for (int op = 0; op < Config.Ops; op++) Checkpoint();
            return;
        }
        foreach (int page in _plan[me])
        {
            long invoke = History.Invoke();
            if (ReadOrNoUnpinned(me, page) is not int buffer) continue;
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
            CheckStillPinned(me, buffer, page, "under the exclusive content lock");
            ulong v = ValueIn(me, buffer);
            History.Read(me, page, invoke, v);
            Check(v == _expected[page], "lost-write", $"backend {me} reads block {page} in buffer {buffer} as {v}, but the last value written was {_expected[page]}");
            long invokeWrite = History.Invoke();
            Modify(B[me], buffer, page, v + 1);
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
            B[me].ReleaseBuffer(buffer);
            History.Write(me, page, invokeWrite, v + 1);
        }
    }

    private void Checkpoint()
    {
        // the snapshot, then (same step: CreateCheckPoint's first seam call is inside BufferSync)
        // the redo pointer
        var before = (ulong[])_logged.Clone();
        B[0].CreateCheckPoint(0);
        if (B[0].LastCheckpointBuffersToScan > 0)
        {
            CheckpointsWithWork++;
            Reached(BuffersReach.CheckpointWrote);
        }
        for (int p = 0; p < RelPages; p++)
        {
            if (before[p] == InitialValue(p)) continue; // never changed: nothing to make durable
            ulong onDisk;
            lock (Pool.StorageLock) onDisk = BitConverter.ToUInt64(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)p), BufferRunner.OffValue);
            Check(onDisk >= before[p], "checkpoint-not-durable",
                $"block {p} held {before[p]} (WAL-logged) when the checkpoint took its redo pointer, but when BufferSync returned the disk holds {onDisk}");
        }
    }

    protected override void OnCheckFinal()
    {
        for (int p = 0; p < RelPages; p++)
        {
            int id = ResidentBufId(p);
            ulong v = id >= 0
                ? Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(id) + BufferRunner.OffValue)
                : BitConverter.ToUInt64(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)p), BufferRunner.OffValue);
            Check(v == _expected[p], "lost-write", $"block {p} holds {v} {(id >= 0 ? $"in buffer {id + 1}" : "on disk")} at the end; the last value written was {_expected[p]}");
        }
    }
}
